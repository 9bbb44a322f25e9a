/* cmd_vex.c - asbuilt vex: CycloneDX VEX or OpenVEX verdicts for a vulnerability, from the
 * symbols the build's binaries take from the affected component (docs/symbols-vex.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/components.h"
#include "asbuilt/elfq.h"
#include "asbuilt/graph.h"
#include "asbuilt/sbomq.h"
#include "asbuilt/store.h"
#include "asbuilt/symbols.h"
#include "asbuilt/vex.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt vex [--db FILE.db] [--build N] --vuln ID --component PURL...\n"
		"                   --symbols SYM[,SYM...] [--format cyclonedx|openvex] [-o OUT]\n"
		"                   [--strict] [ARTIFACT...]\n\n"
		"Writes one VEX verdict per binary (the named ARTIFACTs, else every executable "
		"and\n"
		"shared library among the build's final outputs) for vulnerability ID in the\n"
		"component the package URLs name, whose vulnerable functions are SYMs, from what\n"
		"the record shows the binary takes from that component (see 'asbuilt symbols'):\n"
		"  affected (CycloneDX: exploitable)  a pulled-in archive member defines a SYM\n"
		"      that the link or the component's code references, or the binary (or a\n"
		"      library it loads) imports a SYM from the component's library;\n"
		"  not_affected, vulnerable_code_not_present (code_not_present)  no member the\n"
		"      link pulled in defines any SYM; component_not_present (code_not_present)\n"
		"      when nothing of the component is linked in or loaded;\n"
		"  not_affected, vulnerable_code_not_in_execute_path (code_not_reachable)  the\n"
		"      code is there (a pulled-in member, a loaded library) but nothing calls it:\n"
		"      no reference from the link, no import, no relocation of the library;\n"
		"  under_investigation (in_triage)  the evidence cannot decide: a static\n"
		"      function, a library that calls the SYM itself or whose internal calls\n"
		"      cannot be seen, a file changed since the build.\n"
		"Every verdict names its evidence (member, archive, import, library).  The output\n"
		"is deterministic: the time is $SOURCE_DATE_EPOCH when set, else the build's "
		"end.\n\n"
		"  -v, --vuln ID          the vulnerability (CVE-2022-37434, GHSA-..., ...)\n"
		"  -c, --component PURL   the affected component, a package URL pattern: what it\n"
		"                         leaves out (version, qualifiers) is not compared; "
		"repeat\n"
		"                         it for the packages one source splits into (Debian puts\n"
		"                         libz.so.1 in zlib1g and libz.a in zlib1g-dev)\n"
		"  -s, --symbols LIST     the vulnerable functions, comma-separated (repeatable)\n"
		"  -f, --format F         cyclonedx (CycloneDX 1.6 VEX, default) or openvex\n"
		"                         (OpenVEX 0.2.0)\n"
		"  -o, --output OUT       write to OUT (default: standard output)\n"
		"      --strict           a loaded library that exports a SYM nobody imports is\n"
		"                         under_investigation, not not_affected (calls inside the\n"
		"                         library are not analysed)\n"
		"  -d, --db FILE          database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N          build number (default: the newest)\n\n"
		"Example:\n"
		"  asbuilt vex --vuln CVE-2022-37434 --component pkg:deb/debian/zlib1g \\\n"
		"      --component pkg:deb/debian/zlib1g-dev --symbols inflate,inflateGetHeader "
		"\\\n"
		"      --format openvex -o zlib.openvex.json zstatic zdynamic\n\n"
		"Exit status: 0 when written (whatever the verdicts); 1 when the record, a file "
		"or\n"
		"the output could not be read or written; 2 on a usage error or unusable input\n"
		"(missing --vuln, --component or --symbols, a --component that is not a package\n"
		"URL, no such database or build, an ARTIFACT that is not an output of the build "
		"or\n"
		"not an ELF executable or shared library).\n");
}

struct opts {
	const char *db, *vuln, *format, *out;
	int64_t build;
	int strict;
	const char **comps; /* as given */
	struct symbols_purl *pats;
	size_t npats;
	char **syms;
	size_t nsyms;
};

static void opts_release(struct opts *o)
{
	for (size_t i = 0; i < o->npats; i++)
		symbols_purl_release(&o->pats[i]);
	for (size_t i = 0; i < o->nsyms; i++)
		free(o->syms[i]);
	free(o->pats);
	free(o->comps);
	free(o->syms);
}

static int add_component(struct opts *o, const char *arg)
{
	struct symbols_purl *p = realloc(o->pats, (o->npats + 1) * sizeof(*p));
	const char **c;
	int rc;

	if (p)
		o->pats = p;
	c = p ? realloc(o->comps, (o->npats + 1) * sizeof(*c)) : NULL;
	if (!c)
		return 1;
	o->comps = c;
	rc = symbols_purl_parse(arg, &o->pats[o->npats]);
	if (rc == -EINVAL) {
		cli_err("--component: '%s' is not a package URL (pkg:TYPE/NAMESPACE/NAME"
			"[@VERSION][?QUALIFIERS], e.g. pkg:deb/debian/zlib1g)",
			arg);
		return EXIT_USAGE;
	}
	if (rc)
		return 1;
	o->comps[o->npats++] = arg;
	return 0;
}

/* Adds the comma-separated symbols of arg (empty items skipped). */
static int add_symbols(struct opts *o, const char *arg)
{
	while (*arg) {
		size_t n = strcspn(arg, ",");
		char **v;

		if (n) {
			if (!(v = realloc(o->syms, (o->nsyms + 1) * sizeof(*v))))
				return 1;
			o->syms = v;
			if (!(v[o->nsyms] = strndup(arg, n)))
				return 1;
			o->nsyms++;
		}
		arg += n + (arg[n] == ',');
	}
	return 0;
}

static int check(const struct opts *o)
{
	if (!o->vuln || !*o->vuln)
		cli_err("vex: --vuln ID is required (the vulnerability, e.g. CVE-2022-37434)");
	else if (!o->npats)
		cli_err("vex: --component PURL is required (the affected component, e.g. "
			"pkg:deb/debian/zlib1g)");
	else if (!o->nsyms)
		cli_err("vex: --symbols SYM[,SYM...] is required (the vulnerable functions)");
	else if (strcmp(o->format, "cyclonedx") && strcmp(o->format, "openvex"))
		cli_err("--format: '%s' is not a VEX format this asbuilt writes (known: "
			"cyclonedx, openvex)",
			o->format);
	else
		return 0;
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "vuln", required_argument, NULL, 'v' },
		{ "component", required_argument, NULL, 'c' },
		{ "symbols", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch, rc = 0;

	while (!rc && (ch = getopt_long(argc, argv, "d:b:v:c:s:f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'b':
			rc = graphcli_build_arg(optarg, &o->build);
			break;
		case 'v':
			o->vuln = optarg;
			break;
		case 'c':
			rc = add_component(o, optarg);
			break;
		case 's':
			rc = add_symbols(o, optarg);
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'S':
			o->strict = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return rc ? rc : check(o);
}

/* --- the binaries --------------------------------------------------------------------- */

/* Whether version vi has ELF facts as an executable or shared library. */
static int is_binary(struct store *st, const struct graph *g, int vi)
{
	char type[16];
	int is_static;

	if (elfq_info_get(st, g->v[vi].id, type, sizeof(type), &is_static))
		return 0;
	return !strcmp(type, "exec") || !strcmp(type, "pie") || !strcmp(type, "dyn");
}

/* The binaries to judge, sorted by path, each once: the named ones (each must be one), or
 * the final outputs that are. */
static int pick(struct store *st, const struct graph *g, char **args, int n, struct graph_ivec *out)
{
	struct graph_ivec all = { 0 };
	int rc = 0;

	for (int i = 0; i < n && !rc; i++) {
		int vi = graphcli_output(g, args[i]);

		if (vi < 0)
			rc = EXIT_USAGE;
		else if (!is_binary(st, g, vi)) {
			cli_err("'%s' is not an ELF executable or shared library (the record holds "
				"no ELF facts of it as one)",
				args[i]);
			rc = EXIT_USAGE;
		} else if (graph_ivec_add(out, vi))
			rc = 1;
	}
	if (!n && !rc && artifacts_list(g, &all))
		rc = 1;
	for (size_t k = 0; !n && !rc && k < all.n; k++)
		if (is_binary(st, g, all.v[k]) && graph_ivec_push(out, all.v[k]))
			rc = 1;
	graph_ivec_release(&all);
	graph_sort_by_path(g, out); /* the document does not depend on the order named */
	if (!rc && !out->n) {
		cli_err("build %lld made no ELF executable or shared library to judge",
			(long long)g->build_id);
		rc = EXIT_USAGE;
	}
	return rc;
}

/* --- judging and writing ---------------------------------------------------------------- */

struct run {
	struct store *st;
	struct graph *g;
	const struct opts *o;
	struct graph_ivec bins;
	struct vex_verdict *verdicts;
	struct vex_product *products;
	int *known; /* per symbol: some binary's component defines it */
};

/* Judges binary k of r->bins into r->verdicts[k].  Returns an exit status. */
static int judge(struct run *r, size_t k)
{
	struct components_opts co = { .cache = r->st, .cache_build = r->g->build_id };
	struct symbols_report *rep = NULL;
	const struct graph_version *v = &r->g->v[r->bins.v[k]];
	int rc = symbols_report_make(r->st, r->g, r->bins.v[k], &co, &rep);

	if (!rc)
		rc = vex_assess(rep, r->o->pats, r->o->npats, (const char *const *)r->o->syms,
				r->o->nsyms, r->o->strict, &r->verdicts[k]);
	if (rc) {
		cli_err("cannot judge '%s': %s", v->path,
			rc == -EIO ? store_errmsg(r->st) : strerror(-rc));
		symbols_report_free(rep);
		return 1;
	}
	for (size_t i = 0; i < rep->warnings.n; i++)
		cli_err("warning: %s", rep->warnings.v[i]);
	for (size_t i = 0; i < r->verdicts[k].n_findings; i++)
		r->known[i] |= r->verdicts[k].findings[i].known;
	r->products[k] = (struct vex_product){ v->path, v->sha256, &r->verdicts[k] };
	symbols_report_free(rep);
	return 0;
}

/* The document time: $SOURCE_DATE_EPOCH, else the build's end (start when unfinished). */
static int doc_time(struct run *r, int64_t *out)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	struct sbomq_build b;
	char *end;

	if (e && *e) {
		long long v = strtoll(e, &end, 10);

		if (*end || v < 0 || *e == '-' || *e == '+' || *e == ' ') {
			cli_err("SOURCE_DATE_EPOCH='%s' is not a number of seconds", e);
			return EXIT_USAGE;
		}
		*out = v;
		return 0;
	}
	if (sbomq_build_get(r->st, r->g->build_id, &b)) {
		cli_err("cannot read build %lld: %s", (long long)r->g->build_id,
			store_errmsg(r->st));
		return 1;
	}
	*out = (b.ended_ns ? b.ended_ns : b.started_ns) / 1000000000;
	return 0;
}

static int write_doc(const struct vex_doc *d, const char *fmt, FILE *f)
{
	return !strcmp(fmt, "openvex") ? vex_write_openvex(d, f) : vex_write_cyclonedx(d, f);
}

struct out_ctx {
	const struct vex_doc *d;
	const char *fmt;
};

static int write_cb(void *ctx, FILE *f)
{
	const struct out_ctx *o = ctx;

	return write_doc(o->d, o->fmt, f);
}

/* Writes d to path ("-" or NULL: stdout), never partially (cli_write_out). */
static int write_out(const struct vex_doc *d, const char *fmt, const char *path)
{
	struct out_ctx o = { d, fmt };
	int rc = cli_write_out(path, write_cb, &o);

	if (rc && (!path || !strcmp(path, "-")))
		cli_err("cannot write the VEX document: %s", strerror(-rc));
	else if (rc)
		cli_err("cannot write '%s': %s", path, strerror(-rc));
	return rc ? 1 : 0;
}

static int judge_all(struct run *r)
{
	size_t n = r->bins.n;
	int rc = 0, present = 0;

	r->verdicts = calloc(n, sizeof(*r->verdicts));
	r->products = calloc(n, sizeof(*r->products));
	r->known = calloc(r->o->nsyms, sizeof(*r->known));
	if (!r->verdicts || !r->products || !r->known)
		return 1;
	for (size_t k = 0; k < n && !rc; k++)
		rc = judge(r, k);
	for (size_t k = 0; k < n && !rc && !present; k++)
		present = r->verdicts[k].present;
	for (size_t i = 0; !rc && present && i < r->o->nsyms; i++)
		if (!r->known[i])
			cli_err("warning: no archive member or library of the component that these "
				"binaries use defines '%s' (check its spelling)",
				r->o->syms[i]);
	return rc;
}

int cmd_vex(int argc, char **argv)
{
	struct opts o = { .db = cli_default_db(), .format = "cyclonedx" };
	struct run r = { .o = &o };
	struct vex_doc d = { 0 };
	int rc = parse(argc, argv, &o);

	if (rc || (rc = graphcli_open(o.db, o.build, &r.st, &r.g)))
		goto out;
	if ((rc = pick(r.st, r.g, argv + optind, argc - optind, &r.bins)) ||
	    (rc = doc_time(&r, &d.created)) || (rc = judge_all(&r)))
		goto out;
	d.vuln = o.vuln;
	d.components = o.comps;
	d.n_components = o.npats;
	d.symbols = (const char *const *)o.syms;
	d.n_symbols = o.nsyms;
	d.products = r.products;
	d.n_products = r.bins.n;
	rc = write_out(&d, o.format, o.out);
out:
	for (size_t k = 0; r.verdicts && k < r.bins.n; k++)
		vex_verdict_release(&r.verdicts[k]);
	free(r.verdicts);
	free(r.products);
	free(r.known);
	graph_ivec_release(&r.bins);
	graphcli_close(r.st, r.g);
	opts_release(&o);
	return rc < 0 ? 0 : rc;
}
