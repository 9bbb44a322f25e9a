/* cmd_graph.c - asbuilt graph: the artifact graph as Graphviz or as one HTML page. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "asbuilt/report.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "graphcli.h"

static const struct {
	const char *name;
	int (*write)(const struct report *r, FILE *out);
} formats[] = {
	{ "dot", report_write_dot },
	{ "html", report_write_html },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt graph [--db FILE.db] [--build N] --format dot|html [-o OUT]\n"
		"                     [ARTIFACT...]\n\n"
		"Draws the artifact graph of a recorded build: the artifacts (all final outputs\n"
		"when none are named), the steps that made them, and everything they were made\n"
		"from.  Files are grouped by component so that a real build stays readable:\n"
		"build outputs (objects, archives, generated files, binaries) and the project's\n"
		"own files are drawn one by one, clustered per component; every package (deb,\n"
		"rpm, apk, npm, downloads) is one node with the count of its files (system\n"
		"headers, libraries, the compilers' executables); inputs no component explains\n"
		"are drawn one by one under 'unresolved inputs'.  Edges run from what was used\n"
		"to what was made: 'compiled from', 'linked', 'static link', 'dynamic link',\n"
		"'archived', 'tool', 'output', ...  The same record gives the same bytes.\n\n"
		"  -f, --format F   dot: a Graphviz digraph (render it with dot -Tsvg);\n"
		"                   html: one self-contained page (no network needed to view it)\n"
		"                   with the graph, a search box, node details and the\n"
		"                   component table (name, version, licenses, purl, files)\n"
		"  -o, --output OUT write to OUT (default: standard output)\n"
		"  -d, --db FILE    database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N    build number (default: the newest)\n\n"
		"The HTML page reads its URL fragment: report.html#q=greet searches for 'greet',\n"
		"#sel=hello selects the node named (or with the path) 'hello'.\n\n"
		"example:\n"
		"  asbuilt record -- make\n"
		"  asbuilt graph --format html -o graph.html\n"
		"  asbuilt graph --format dot hello | dot -Tsvg > hello.svg\n\n"
		"exit status: 0 written; 1 the output could not be written; 2 bad usage, an\n"
		"unusable database or build, or an ARTIFACT the build did not write.\n");
}

static void warn_cb(void *ctx, const char *msg)
{
	cli_err("warning: %s", msg);
}

/* Writes r with format fmt to path (NULL or "-": stdout) through a temporary file renamed
 * into place, so that a failure leaves no partial output.  Returns 0 or 1 (printed). */
struct out_ctx {
	const struct report *r;
	size_t fmt;
};

static int write_cb(void *ctx, FILE *f)
{
	const struct out_ctx *o = ctx;

	return formats[o->fmt].write(o->r, f);
}

static int write_out(const struct report *r, size_t fmt, const char *path)
{
	struct out_ctx o = { r, fmt };
	int rc = cli_write_out(path, write_cb, &o);

	if (rc && (!path || !strcmp(path, "-")))
		cli_err("cannot write the graph: %s", strerror(-rc));
	else if (rc)
		cli_err("cannot write '%s': %s", path, strerror(-rc));
	return rc ? 1 : 0;
}

static int find_format(const char *name, size_t *fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(name, formats[i].name)) {
			*fmt = i;
			return 0;
		}
	cli_err("--format: '%s' is not a graph format (known: dot, html)", name);
	return EXIT_USAGE;
}

static int make_and_write(struct store *st, struct graph *g, struct graph_ivec *arts,
			  size_t fmt, const char *out)
{
	struct report *r = NULL;
	int rc = report_make(st, g, arts, warn_cb, NULL, &r);

	if (rc == -EINVAL) {
		cli_err("SOURCE_DATE_EPOCH='%s' is not a number of seconds",
			getenv("SOURCE_DATE_EPOCH") ? getenv("SOURCE_DATE_EPOCH") : "");
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err("cannot make the graph of build %lld: %s", (long long)g->build_id,
			rc == -EIO ? store_errmsg(st) : strerror(-rc));
		return 1;
	}
	rc = write_out(r, fmt, out);
	report_free(r);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db(), *out = NULL, *fmtname = NULL;
	struct graph_ivec arts = { 0 };
	struct graph *g = NULL;
	struct store *st;
	int64_t build = 0;
	size_t fmt = 0;
	int ch, rc = 0;

	opterr = 0; /* messages of our own, in our form */
	while ((ch = getopt_long(argc, argv, ":d:b:f:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'f':
			fmtname = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			cli_err("graph: option '%s' needs a value (see asbuilt graph --help)",
				argv[optind - 1]);
			return EXIT_USAGE;
		default:
			cli_err("graph: unknown option '%s' (see asbuilt graph --help)",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!fmtname) {
		cli_err("graph: --format is required (dot or html)");
		return EXIT_USAGE;
	}
	if (find_format(fmtname, &fmt))
		return EXIT_USAGE;
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !rc; i++) {
		int v = graphcli_output(g, argv[i]);
		rc = v < 0 ? EXIT_USAGE : graph_ivec_add(&arts, v) ? 1 : 0;
	}
	if (!rc && optind == argc && artifacts_list(g, &arts))
		rc = 1;
	if (!rc && !arts.n) {
		cli_err("build %lld of '%s' has no final artifacts; name the outputs to draw",
			(long long)g->build_id, db);
		rc = EXIT_USAGE;
	}
	if (!rc)
		rc = make_and_write(st, g, &arts, fmt, out);
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	return rc;
}
