/* cmd_deps.c - asbuilt deps: the exact files that went into an artifact. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "asbuilt/graph.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt deps [--db FILE.db] [--build N] [--direct] ARTIFACT...\n\n"
		   "Prints every file that went into each ARTIFACT, one per line as\n"
		   "'<sha256>  <absolute path>' (the sha256sum format), sorted by path: by\n"
		   "default everything, through objects and archives down to sources, headers\n"
		   "and libraries; with --direct only what the step that wrote it read.\n\n"
		   "  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		   "  -b, --build N   build number (default: the newest)\n"
		   "      --direct    only the inputs of the step that wrote ARTIFACT\n\n"
		   "Example:  asbuilt deps --direct main.o\n"
		   "          asbuilt deps ./hello | sha256sum --check --quiet\n\n"
		   "Exit status: 0 listed (a used file without a hash is a warning); 1 out of\n"
		   "memory; 2 usage, an unusable database or build (missing, not an asbuilt\n"
		   "database, no such build, a record that was interrupted), or an ARTIFACT the\n"
		   "build did not write.\n");
}

int cmd_deps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "direct", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct graph_ivec out = { 0 };
	struct store *st;
	struct graph *g;
	int64_t build = 0;
	int ch, direct = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "d:b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'D':
			direct = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		cli_err("deps: name at least one ARTIFACT");
		return EXIT_USAGE;
	}
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !rc; i++) {
		int v = graphcli_output(g, argv[i]);

		if (v < 0)
			rc = EXIT_USAGE;
		else if (direct ? graph_direct(g, v, &out) : graph_closure(g, v, &out))
			rc = 1;
	}
	if (!rc) {
		graph_sort_by_path(g, &out);
		for (size_t k = 0; k < out.n; k++) {
			const struct graph_version *v = &g->v[out.v[k]];

			if (v->sha256)
				printf("%s  %s\n", v->sha256, v->path);
			else
				cli_err("warning: %s was used but has no hash (state '%s'); left out",
					v->path, v->state);
		}
	} else if (rc == 1) {
		cli_err("deps: out of memory");
	}
	graph_ivec_release(&out);
	graphcli_close(st, g);
	return rc;
}
