/* cmd_provenance.c - asbuilt provenance: SLSA provenance v1 of a build,
 * optionally signed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "asbuilt/dsse.h"
#include "asbuilt/graph.h"
#include "asbuilt/slsa.h"
#include "asbuilt/store.h"
#include "attestcli.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt provenance [--db FILE.db] [--build N] [--sign KEY.pem] "
		   "[-o OUT] [ARTIFACT...]\n\n"
		   "Writes SLSA provenance v1 (an in-toto Statement v1) for the ARTIFACTs "
		   "(default:\n"
		   "all final artifacts of the build): subjects with their sha256, every "
		   "input\n"
		   "with its sha256 and git blob id, the recorded command, times and "
		   "completeness.\n"
		   "With --sign, a DSSE envelope signed with the Ed25519 private key in "
		   "KEY.pem\n"
		   "(openssl genpkey -algorithm ed25519); check it with asbuilt "
		   "verify-attestation.\n"
		   "See docs/provenance.md.\n\n"
		   "  -d, --db FILE     database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		   "  -b, --build N     build number (default: the newest)\n"
		   "  -s, --sign KEY    sign with this Ed25519 private key (PEM)\n"
		   "  -o, --output OUT  write to OUT instead of standard output\n\n"
		   "Example:  asbuilt provenance -o hello.intoto.json ./hello\n"
		   "          asbuilt provenance --sign key.pem -o hello.dsse.json ./hello\n\n"
		   "Exit status: 0 written; 1 the output could not be written or the record read;\n"
		   "2 usage, an unusable key, an unusable database or build (missing, not an\n"
		   "asbuilt database, no such build, a record that was interrupted), an ARTIFACT\n"
		   "the build did not write, or a build without artifacts.\n");
}

/* Writes the provenance to out_path (or stdout); prints what went wrong. */
static int emit(struct store *st, const struct graph *g, const struct graph_ivec *arts,
		struct evp_pkey_st *key, const char *out_path)
{
	FILE *out = out_path ? fopen(out_path, "w") : stdout;
	int rc;

	if (!out) {
		cli_err("provenance: cannot write '%s': %s", out_path, strerror(errno));
		return 1;
	}
	rc = slsa_write(st, g, arts, key, out);
	if (out_path && fclose(out) && !rc)
		rc = -EIO;
	if (rc == -EIO && out_path)
		cli_err("provenance: cannot write '%s' (or read the database: %s)", out_path,
			store_errmsg(st));
	else if (rc)
		cli_err("provenance: %s", rc == -EIO ? store_errmsg(st) : strerror(-rc));
	return rc ? 1 : 0;
}

int cmd_provenance(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "sign", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db(), *keyfile = NULL, *out = NULL;
	struct graph_ivec arts = { 0 };
	struct evp_pkey_st *key = NULL;
	struct store *st;
	struct graph *g;
	int64_t build = 0;
	char err[1024];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "d:b:s:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 's':
			keyfile = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (keyfile && dsse_key_load(keyfile, 1, &key, err, sizeof(err))) {
		cli_err("provenance: %s", err);
		return EXIT_USAGE;
	}
	if (graphcli_open(db, build, &st, &g)) {
		dsse_key_free(key);
		return EXIT_USAGE;
	}
	rc = attestcli_artifacts(g, argv + optind, argc - optind, &arts);
	if (!rc)
		rc = emit(st, g, &arts, key, out);
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	dsse_key_free(key);
	return rc;
}
