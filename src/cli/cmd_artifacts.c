/* cmd_artifacts.c - asbuilt artifacts: the final outputs of a build. */
#include <getopt.h>
#include <stdio.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt artifacts [--db FILE.db] [--build N]\n\n"
		   "Lists the final outputs of the build, one per line as\n"
		   "'<sha256>  <kind>  <path>' (kind: executable, shared-library, static-library,\n"
		   "object, other): files the build wrote and kept that no later step consumed,\n"
		   "plus anything installed (make install DESTDIR=...).\n\n"
		   "  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		   "  -b, --build N   build number (default: the newest)\n\n"
		   "Example:  asbuilt artifacts --build 2\n\n"
		   "Exit status: 0 listed (also when there is none); 1 out of memory; 2 usage, an\n"
		   "unusable database or build (missing, not an asbuilt database, no such build,\n"
		   "a record that was interrupted).\n");
}

int cmd_artifacts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct graph_ivec out = { 0 };
	struct store *st;
	struct graph *g;
	int64_t build = 0;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "d:b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_err("artifacts: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	if (artifacts_list(g, &out)) {
		cli_err("artifacts: out of memory");
		rc = 1;
	}
	for (size_t k = 0; !rc && k < out.n; k++) {
		const struct graph_version *v = &g->v[out.v[k]];

		printf("%s  %s  %s\n", v->sha256, artifacts_kind(v->path), v->path);
	}
	graph_ivec_release(&out);
	graphcli_close(st, g);
	return rc;
}
