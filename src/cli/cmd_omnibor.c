/* cmd_omnibor.c - asbuilt omnibor: OmniBOR input manifests of a build's
 * artifacts. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/omnibor.h"
#include "asbuilt/store.h"
#include "attestcli.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt omnibor [--db FILE.db] [--build N] [-o DIR] [--embed] "
		"[ARTIFACT...]\n\n"
		"Writes the OmniBOR input manifest (gitoid:blob:sha256) of every ARTIFACT\n"
		"(default: all final artifacts of the build) and of every file the build made\n"
		"that went into one, under DIR/manifests/gitoid_blob_sha256/, and DIR/index.tsv\n"
		"(path, artifact id, manifest id, kind).  Prints '<manifest id>  <path>' per\n"
		"artifact.  The same as asbuilt sbom --format omnibor.  See docs/omnibor.md.\n\n"
		"  -d, --db FILE    database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N    build number (default: the newest)\n"
		"  -o, --output DIR OmniBOR directory (default: $OMNIBOR_DIR, else ./.omnibor)\n"
		"      --embed      add a .note.omnibor section with its manifest id to every\n"
		"                   ELF artifact (rewrites the file with objcopy; the record\n"
		"                   then holds the new version and the objcopy run; an artifact\n"
		"                   embedded before is left alone: 'already embedded')\n\n"
		"Example:\n"
		"  asbuilt record -- make && asbuilt omnibor -o .omnibor --embed\n\n"
		"Exit status: 0 written; 1 an error while writing, embedding (an artifact\n"
		"changed since the build) or reading the record; 2 unusable input (options,\n"
		"database, build, ARTIFACT).\n");
}

int cmd_omnibor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "embed", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db(), *dir = getenv("OMNIBOR_DIR");
	struct graph_ivec arts = { 0 };
	struct store *st;
	struct graph *g;
	int64_t build = 0;
	unsigned flags = 0;
	char err[1024];
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "d:b:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'E':
			flags |= OMNIBOR_EMBED;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!dir || !*dir)
		dir = ".omnibor";
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	rc = attestcli_artifacts(g, argv + optind, argc - optind, &arts);
	if (!rc && (rc = omnibor_write(st, g, &arts, dir, flags, stdout, err, sizeof(err)))) {
		cli_err("omnibor: %s", *err ? err : rc == -EIO ? store_errmsg(st) : strerror(-rc));
		rc = 1;
	}
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	return rc;
}
