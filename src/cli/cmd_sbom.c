/* cmd_sbom.c - asbuilt sbom: write the as-built SBOM of a recorded build. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/build_doc.h"
#include "asbuilt/graph.h"
#include "asbuilt/sbom.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "graphcli.h"

/* The output formats: add a row to add one. */
static const struct {
	const char *name;
	int (*write)(const struct sbom_doc *d, FILE *out);
	const char *what;
} formats[] = {
	{ "spdx", sbom_write_spdx2, "SPDX 2.3 JSON" },
	{ "spdx3", sbom_write_spdx3, "SPDX 3.0.1 JSON-LD" },
	{ "cyclonedx", sbom_write_cyclonedx, "CycloneDX 1.6 JSON" },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt sbom [--db FILE.db] [--build N] --format FORMAT [-o OUT]\n"
		   "                    [--name NAME] [--version VERSION] [--include-sources]\n"
		   "                    [ARTIFACT...]\n\n"
		   "Writes the as-built SBOM of the artifacts (all final outputs of the build\n"
		   "when none are named): the files they were made from with their hashes\n"
		   "(SHA-256, SHA-1, OmniBOR gitoids), the components those files belong to,\n"
		   "how each file was made (GENERATED_FROM, STATIC_LINK, DYNAMIC_LINK,\n"
		   "BUILD_TOOL_OF, BUILD_DEPENDENCY_OF), the build steps, and whether the record\n"
		   "is complete.  Same record, same bytes: the creation time is\n"
		   "$SOURCE_DATE_EPOCH when set, else the build's end time.\n\n"
		   "  -f, --format F      ");
	for (size_t i = 0; i < NFORMATS; i++)
		fprintf(f, "%s%s (%s)", i ? ", " : "", formats[i].name, formats[i].what);
	fprintf(f, "\n"
		   "  -o, --output OUT    write to OUT (default: standard output)\n"
		   "  -d, --db FILE       database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		   "  -b, --build N       build number (default: the newest)\n"
		   "  -n, --name NAME     product name (default: the basename of the build's\n"
		   "                      directory)\n"
		   "  -V, --version VER   product version (default: none given)\n"
		   "  -s, --include-sources\n"
		   "                      also list the source and header files that belong to a\n"
		   "                      component (package, git tree, the project) as files, with\n"
		   "                      GENERATED_FROM edges to them; without it they are\n"
		   "                      represented by their component.  Build outputs, binary\n"
		   "                      inputs and files no component explains are always listed.\n");
}

static void warn_cb(void *ctx, const char *msg)
{
	cli_err("warning: %s", msg);
}

/* Writes d with fmt to path ("-" or NULL: stdout) through a temporary file renamed into
 * place, so that a failure leaves no partial output.  Returns 0 or 1 (message printed). */
static int write_out(const struct sbom_doc *d, size_t fmt, const char *path)
{
	char *tmp = NULL;
	FILE *f;
	int fd, rc;

	if (!path || !strcmp(path, "-")) {
		rc = formats[fmt].write(d, stdout);
		if (!rc && fflush(stdout))
			rc = -EIO;
		if (rc)
			cli_err("cannot write the SBOM: %s", strerror(-rc));
		return rc ? 1 : 0;
	}
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0)
		return 1;
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		cli_err("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return 1;
	}
	fchmod(fd, 0644);
	rc = formats[fmt].write(d, f);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc) {
		cli_err("cannot write '%s': %s", path, strerror(-rc));
		unlink(tmp);
	}
	free(tmp);
	return rc ? 1 : 0;
}

static int find_format(const char *name, size_t *fmt)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(name, formats[i].name)) {
			*fmt = i;
			return 0;
		}
	cli_err("--format: '%s' is not a format this asbuilt writes (known: spdx, spdx3, "
		"cyclonedx)", name);
	return EXIT_USAGE;
}

static int make_and_write(struct store *st, struct graph *g, struct graph_ivec *arts,
			  struct build_doc_opts *o, size_t fmt, const char *out)
{
	struct sbom_doc *d = NULL;
	int rc = build_doc_make(st, g, arts, o, &d);

	if (rc == -EINVAL) {
		cli_err("SOURCE_DATE_EPOCH='%s' is not a number of seconds",
			getenv("SOURCE_DATE_EPOCH") ? getenv("SOURCE_DATE_EPOCH") : "");
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err("cannot make the SBOM of build %lld: %s", (long long)g->build_id,
			rc == -EIO ? store_errmsg(st) : strerror(-rc));
		return 1;
	}
	rc = write_out(d, fmt, out);
	sbom_doc_free(d);
	return rc;
}

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'V' },
		{ "include-sources", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct build_doc_opts o = { .warn = warn_cb };
	const char *db = cli_default_db(), *out = NULL, *fmtname = NULL;
	struct graph_ivec arts = { 0 };
	struct graph *g = NULL;
	struct store *st;
	int64_t build = 0;
	size_t fmt = 0;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "d:b:f:o:n:V:sh", longopts, NULL)) != -1) {
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
		case 'n':
			o.name = optarg;
			break;
		case 'V':
			o.version = optarg;
			break;
		case 's':
			o.include_sources = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!fmtname) {
		cli_err("sbom: --format is required (spdx, spdx3 or cyclonedx)");
		return EXIT_USAGE;
	}
	if (find_format(fmtname, &fmt))
		return EXIT_USAGE;
	if ((o.name && !*o.name) || (o.version && !*o.version)) {
		cli_err("sbom: --name and --version must not be empty");
		return EXIT_USAGE;
	}
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !rc; i++) {
		int v = graphcli_output(g, argv[i]);
		rc = v < 0 ? EXIT_USAGE : graph_ivec_add(&arts, v) ? 1 : 0;
	}
	if (!rc && optind == argc && artifacts_list(g, &arts))
		rc = 1;
	if (!rc && !arts.n) {
		cli_err("build %lld of '%s' has no final artifacts; name the outputs to describe",
			(long long)g->build_id, db);
		rc = EXIT_USAGE;
	}
	if (!rc)
		rc = make_and_write(st, g, &arts, &o, fmt, out);
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	return rc;
}
