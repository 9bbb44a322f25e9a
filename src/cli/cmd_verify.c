/* cmd_verify.c - asbuilt verify: re-hash artifacts, inputs and tools and compare them with
 * the record, an SBOM, or a signed provenance statement (docs/verify-diff.md). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/dsse.h"
#include "asbuilt/graph.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"
#include "asbuilt/verify.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt verify [--db FILE.db [--build N] | --sbom FILE] [--json] "
		"[--quiet]\n"
		"                      [--attestation ENVELOPE --key PUB.pem [--subject-dir DIR]]\n"
		"                      [ARTIFACT...]\n\n"
		"Re-hashes the artifacts (every final artifact of the build when none is named)\n"
		"and every input, intermediate file and tool that went into them that is still on\n"
		"disk, and compares each with the SHA-256 the record (or the SBOM) holds: the\n"
		"content the build left behind.  One line per file:\n"
		"  ok          the content is the recorded one\n"
		"  changed     it differs: recorded and current sha256 are shown\n"
		"  missing     the file is gone\n"
		"  unknown     an ARTIFACT named here that the record does not know (neither its\n"
		"              path nor its content); a named file with the content of a\n"
		"              recorded file is 'ok', with the path it was recorded as\n"
		"  unreadable  it is there but cannot be read (a directory, no permission)\n"
		"then a summary line.  Temporaries the build deleted and files under /proc, /dev "
		"and\n"
		"/sys are not checked (the summary counts them).\n\n"
		"  -d, --db FILE          database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N          build number (default: the newest)\n"
		"  -s, --sbom FILE        compare with the files of an SBOM instead (SPDX 2.3,\n"
		"                         SPDX 3.0.1 or CycloneDX 1.6 JSON, detected); it checks\n"
		"                         the files the SBOM lists (sources only when it was\n"
		"                         written with --include-sources)\n"
		"  -a, --attestation ENV  also check a DSSE envelope (asbuilt provenance --sign):\n"
		"                         its signature by --key, then its subjects and\n"
		"                         resolvedDependencies against the files on disk; without\n"
		"                         --db or --sbom only the envelope is checked\n"
		"  -k, --key PUB.pem      the Ed25519 public key for --attestation\n"
		"      --subject-dir DIR  where relative subject names are (default: the\n"
		"                         statement's externalParameters.cwd)\n"
		"  -j, --json             one JSON object: files[], summary, signature, ok\n"
		"  -q, --quiet            print only what does not match\n\n"
		"Example:  asbuilt verify --db asbuilt.db            (after asbuilt record -- "
		"make)\n"
		"          asbuilt verify --sbom hello.cdx.json ./hello\n\n"
		"Exit status: 0 everything matches (and the signature is valid); 1 something\n"
		"changed, is missing, unknown or unreadable, or the signature is not valid; 2\n"
		"unusable input (no such database or build, an SBOM that is truncated or of an\n"
		"unknown format, an envelope that is not DSSE, a key that is not Ed25519).\n");
}

struct opts {
	const char *db, *sbom, *env, *key, *subject_dir;
	int64_t build;
	int db_given, json, quiet;
	char **names;
	size_t nnames;
};

struct sig {
	const char *path;
	int checked, valid;
	char keyid[65], msg[1024];
};

/* The named ARTIFACTs, made absolute; 0 or 1 (printed). */
static int absolute_names(struct opts *o, char **argv, int argc)
{
	o->nnames = (size_t)argc;
	o->names = argc ? calloc((size_t)argc, sizeof(*o->names)) : NULL;
	for (int i = 0; i < argc; i++)
		if (!o->names || !(o->names[i] = graphcli_realpath(argv[i]))) {
			cli_err("verify: out of memory");
			return 1;
		}
	return 0;
}

static int from_db(struct opts *o, struct verify_set *s)
{
	struct graph_ivec arts = { 0 };
	struct strmap known = { 0 };
	struct store *st;
	struct graph *g;
	char *unknown = calloc(o->nnames + 1, 1);
	int rc = 0;

	if (!unknown) {
		cli_err("verify: out of memory");
		return 1;
	}
	if (graphcli_open(o->db, o->build, &st, &g)) {
		free(unknown);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < o->nnames && !rc; i++) {
		int r = verify_graph_named(s, g, o->names[i], &arts);
		unknown[i] = r == 0;
		rc = r < 0 ? r : 0;
	}
	if (!rc && !o->nnames && (rc = artifacts_list(g, &arts)) == 0 && !arts.n) {
		cli_err("build %lld of '%s' has no final artifacts; name the files to verify",
			(long long)g->build_id, o->db);
		rc = EXIT_USAGE;
	}
	if (!rc)
		rc = verify_from_graph(s, g, &arts);
	if (!rc && memchr(unknown, 1, o->nnames) && !(rc = verify_graph_known(g, &known)))
		for (size_t i = 0; i < o->nnames && !rc; i++)
			if (unknown[i])
				rc = verify_add_named(s, o->names[i], &known);
	if (rc < 0)
		cli_err("verify: out of memory");
	strmap_release(&known);
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	free(unknown);
	return rc < 0 ? 1 : rc;
}

static int from_sbom(struct opts *o, struct verify_set *s)
{
	struct sbomread *r;
	char err[1024];
	int rc = sbomread_load(o->sbom, &r, err, sizeof(err));

	if (rc) {
		cli_err("verify: %s", err);
		return rc == -ENOMEM ? 1 : EXIT_USAGE;
	}
	s->n_unhashed += r->n_unhashed;
	rc = verify_from_sbom(s, r->doc, o->names, o->nnames);
	if (rc)
		cli_err("verify: out of memory");
	sbomread_free(r);
	return rc ? 1 : 0;
}

/* Reads the whole envelope; NULL (errno) on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		int e = errno ? errno : EIO;
		free(buf);
		fclose(f);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static int from_attestation(struct opts *o, struct verify_set *s, struct sig *sig)
{
	struct dsse_result res = { 0 };
	struct evp_pkey_st *key = NULL;
	char err[1024], *json = NULL;
	size_t len = 0;
	int rc;

	sig->path = o->env;
	if (dsse_key_load(o->key, 0, &key, err, sizeof(err))) {
		cli_err("verify: %s", err);
		return EXIT_USAGE;
	}
	if (!(json = slurp(o->env, &len))) {
		cli_err("verify: cannot read attestation '%s': %s", o->env, strerror(errno));
		dsse_key_free(key);
		return EXIT_USAGE;
	}
	rc = dsse_verify(key, json, len, DSSE_INTOTO_TYPE, &res, sig->msg, sizeof(sig->msg));
	sig->checked = 1;
	if (rc == -EBADMSG) {
		rc = 0; /* a finding, not unusable input */
	} else if (rc) {
		cli_err("verify: attestation '%s': %s", o->env,
			rc == -ENOMEM ? "out of memory" : sig->msg);
		rc = rc == -ENOMEM ? 1 : EXIT_USAGE;
	} else {
		sig->valid = 1;
		memcpy(sig->keyid, res.keyid, sizeof(sig->keyid));
		rc = verify_from_statement(s, res.payload, res.payload_len, o->subject_dir, err,
					   sizeof(err));
		if (rc)
			cli_err("verify: attestation '%s': %s", o->env,
				rc == -ENOMEM ? "out of memory" : err);
		rc = rc == -ENOMEM ? 1 : rc ? EXIT_USAGE : 0;
	}
	free(res.payload);
	free(json);
	dsse_key_free(key);
	return rc;
}

static void print_item(const struct verify_item *it)
{
	printf("%-10s %-12s %s", verify_status_name(it->status), verify_role_name(it->role),
	       it->path);
	switch (it->status) {
	case VERIFY_OK:
		if (it->recorded_as)
			printf("  (recorded as %s)", it->recorded_as);
		break;
	case VERIFY_CHANGED:
		printf("  recorded sha256:%s  current sha256:%s", it->recorded[0], it->current);
		break;
	case VERIFY_MISSING:
		printf("  recorded sha256:%s", it->recorded[0]);
		break;
	case VERIFY_UNKNOWN:
		if (it->current[0])
			printf("  current sha256:%s", it->current);
		else
			printf("  (%s)", strerror(it->err));
		break;
	case VERIFY_UNREADABLE:
		printf("  (%s)", strerror(it->err));
		break;
	}
	putchar('\n');
}

static void print_summary(const struct verify_set *s, const struct sig *sig)
{
	size_t roles[VERIFY_TOOL + 1] = { 0 };

	for (size_t i = 0; i < s->n; i++)
		roles[s->items[i].role]++;
	printf("verify: %zu files checked: %zu ok, %zu changed, %zu missing, %zu unknown, "
	       "%zu unreadable (",
	       s->n, verify_count(s, VERIFY_OK), verify_count(s, VERIFY_CHANGED),
	       verify_count(s, VERIFY_MISSING), verify_count(s, VERIFY_UNKNOWN),
	       verify_count(s, VERIFY_UNREADABLE));
	for (int r = VERIFY_ARTIFACT, first = 1; r <= VERIFY_TOOL; r++)
		if (roles[r] || r == VERIFY_ARTIFACT) {
			printf("%s%s %zu", first ? "" : ", ", verify_role_name(r), roles[r]);
			first = 0;
		}
	printf("); not checked: %zu temporary, %zu under /proc, /dev or /sys, %zu without a "
	       "recorded hash",
	       s->n_temporary, s->n_pseudo, s->n_unhashed);
	if (sig->checked)
		printf("; signature %s", sig->valid ? "valid" : "NOT valid");
	putchar('\n');
}

static int print_text(const struct verify_set *s, const struct sig *sig, int quiet, int good)
{
	if (sig->checked && (!quiet || !sig->valid)) {
		if (sig->valid)
			printf("%-10s %-12s %s  Ed25519 key %s\n", "ok", "signature", sig->path,
			       sig->keyid);
		else
			printf("%-10s %-12s %s  (%s)\n", "invalid", "signature", sig->path,
			       sig->msg);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!quiet || s->items[i].status != VERIFY_OK)
			print_item(&s->items[i]);
	if (!quiet || !good)
		print_summary(s, sig);
	return fflush(stdout) ? 1 : 0;
}

static int print_json(const struct verify_set *s, const struct sig *sig, const struct opts *o,
		      int good)
{
	cJSON *root = verify_json(s, !o->quiet), *src;
	char *text;

	if (!root)
		return 1;
	src = cJSON_AddObjectToObject(root, "source");
	if (o->sbom) {
		cJSON_AddStringToObject(src, "sbom", o->sbom);
	} else if (o->db_given || !o->env) {
		cJSON_AddStringToObject(src, "database", o->db);
		if (o->build)
			cJSON_AddNumberToObject(src, "build", (double)o->build);
	}
	if (sig->checked) {
		cJSON *a = cJSON_AddObjectToObject(root, "signature");
		cJSON_AddStringToObject(a, "envelope", sig->path);
		cJSON_AddBoolToObject(a, "valid", sig->valid);
		cJSON_AddStringToObject(a, sig->valid ? "keyid" : "error",
					sig->valid ? sig->keyid : sig->msg);
	}
	cJSON_AddBoolToObject(root, "ok", good);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return 1;
	printf("%s\n", text);
	free(text);
	return fflush(stdout) ? 1 : 0;
}

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "sbom", required_argument, NULL, 's' },
		{ "attestation", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ "subject-dir", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "d:b:s:a:k:jqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			o->db_given = 1;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &o->build))
				return EXIT_USAGE;
			o->db_given = 1;
			break;
		case 's':
			o->sbom = optarg;
			break;
		case 'a':
			o->env = optarg;
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'S':
			o->subject_dir = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (o->sbom && o->db_given) {
		cli_err("verify: give --db or --sbom, not both");
		return EXIT_USAGE;
	}
	if (!o->env != !o->key) {
		cli_err("verify: --attestation and --key go together");
		return EXIT_USAGE;
	}
	return absolute_names(o, argv + optind, argc - optind);
}

int cmd_verify(int argc, char **argv)
{
	struct opts o = { .db = cli_default_db() };
	struct verify_set s = { 0 };
	struct sig sig = { 0 };
	int rc = parse(&o, argc, argv), good;

	if (rc == 0 && o.sbom)
		rc = from_sbom(&o, &s);
	else if (rc == 0 && (o.db_given || !o.env))
		rc = from_db(&o, &s);
	if (rc == 0 && o.env)
		rc = from_attestation(&o, &s, &sig);
	if (rc == 0 && verify_run(&s)) {
		cli_err("verify: out of memory");
		rc = 1;
	}
	if (rc == 0) {
		good = verify_count(&s, VERIFY_OK) == s.n && (!sig.checked || sig.valid);
		rc = o.json ? print_json(&s, &sig, &o, good) : print_text(&s, &sig, o.quiet, good);
		if (rc)
			cli_err("verify: cannot write the findings");
		else
			rc = good ? 0 : 1;
	}
	verify_release(&s);
	for (size_t i = 0; i < o.nnames; i++)
		free(o.names ? o.names[i] : NULL);
	free(o.names);
	return rc < 0 ? 0 : rc;
}
