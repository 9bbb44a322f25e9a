/* cmd_sbom.c - asbuilt sbom: write the as-built SBOM of a recorded build. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/dsse.h"
#include "asbuilt/graph.h"
#include "asbuilt/omnibor.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "graphcli.h"
#include "sbomcli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt sbom [--db FILE.db] [--build N] --format FORMAT [-o OUT]\n"
		   "                    [--name NAME] [--version VERSION] [--include-sources]\n"
		   "                    [--embed] [--sign KEY.pem] [--per-package DIR]\n"
		   "                    [ARTIFACT...]\n\n"
		   "Writes the as-built SBOM of the artifacts (all final outputs of the build\n"
		   "when none are named): the files they were made from with their hashes\n"
		   "(SHA-256, SHA-1, OmniBOR gitoids), the components those files belong to,\n"
		   "how each file was made (GENERATED_FROM, STATIC_LINK, DYNAMIC_LINK,\n"
		   "BUILD_TOOL_OF, BUILD_DEPENDENCY_OF), the build steps, and whether the record\n"
		   "is complete.  Same record, same bytes: the creation time is\n"
		   "$SOURCE_DATE_EPOCH when set, else the build's end time.\n\n"
		   "  -f, --format F      one of:\n");
	for (size_t i = 0; i < sbomcli_nformats; i++)
		fprintf(f, "                        %-10s %s\n", sbomcli_formats[i].name,
			sbomcli_formats[i].what);
	fprintf(f,
		"  -o, --output OUT    write to OUT (default: standard output); for omnibor the\n"
		"                      OmniBOR directory (default: $OMNIBOR_DIR, else "
		"./.omnibor),\n"
		"                      as asbuilt omnibor writes it (docs/omnibor.md)\n"
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
		"                      inputs and files no component explains are always listed.\n"
		"      --embed         omnibor: also add a .note.omnibor section to every ELF\n"
		"                      artifact (rewrites it with objcopy; the record notes the\n"
		"                      new version)\n"
		"      --sign KEY      slsa: write the DSSE envelope signed with this Ed25519\n"
		"                      private key (PEM), as asbuilt provenance --sign does\n"
		"  -p, --per-package DIR\n"
		"                      after dpkg-buildpackage or rpmbuild: one output per binary\n"
		"                      package, DIR/<package>.spdx.json, .spdx3.json, .cdx.json,\n"
		"                      .omnibor/ or .intoto.json, each describing the package "
		"(name,\n"
		"                      version, purl, license) and only what went into its files\n"
		"                      (debian/<package>/, or the files of each .rpm as staged in\n"
		"                      BUILDROOT); prints one line per package\n\n"
		"Examples:\n"
		"  asbuilt record -- make && asbuilt sbom --format spdx -o hello.spdx.json\n"
		"  asbuilt record -- dpkg-buildpackage -b -uc -us &&\n"
		"      asbuilt sbom --format cyclonedx --per-package ../sbom\n\n"
		"Exit status: 0 written; 1 an error while reading the record or writing;\n"
		"2 unusable input (options, database, build, ARTIFACT, key, no package).\n");
}

/* What the command line asked for, beyond the run (sbomcli.h). */
struct args {
	const char *db, *out, *fmtname, *keyfile, *per_package;
	int64_t build;
};

/* Rejects options that the chosen format or mode has no use for.  0 or EXIT_USAGE. */
static int check_args(const struct args *a, const struct sbomcli *c)
{
	int doc = c->fmt->kind == SBOMCLI_DOC;

	if ((c->o.name && !*c->o.name) || (c->o.version && !*c->o.version))
		cli_err("sbom: --name and --version must not be empty");
	else if (!doc && (c->o.name || c->o.version || c->o.include_sources))
		cli_err("sbom: --name, --version and --include-sources apply to spdx, spdx3 and "
			"cyclonedx, not to %s",
			c->fmt->name);
	else if (c->omnibor_flags && c->fmt->kind != SBOMCLI_OMNIBOR)
		cli_err("sbom: --embed applies to --format omnibor only");
	else if (a->keyfile && c->fmt->kind != SBOMCLI_SLSA)
		cli_err("sbom: --sign applies to --format slsa only");
	else if (a->per_package && (a->out || c->o.name || c->o.version))
		cli_err("sbom: --per-package names its outputs DIR/<package>.<ext> and takes the "
			"name and version from each package: no -o, --name or --version with it");
	else if (a->per_package && c->omnibor_flags)
		cli_err("sbom: --embed with --per-package would rewrite files after they were "
			"packaged; embed before packaging (asbuilt omnibor --embed), not here");
	else if (a->per_package && !*a->per_package)
		cli_err("sbom: --per-package needs a directory");
	else
		return 0;
	return EXIT_USAGE;
}

static int find_format(const char *name, struct sbomcli *c)
{
	for (size_t i = 0; i < sbomcli_nformats; i++)
		if (!strcmp(name, sbomcli_formats[i].name)) {
			c->fmt = &sbomcli_formats[i];
			return 0;
		}
	cli_err("--format: '%s' is not a format this asbuilt writes (known: spdx, spdx3, "
		"cyclonedx, omnibor, slsa)",
		name);
	return EXIT_USAGE;
}

static void warn_cb(void *ctx, const char *msg)
{
	cli_err("warning: %s", msg);
}

/* The artifacts named on the command line, or all final ones. */
static int pick_artifacts(const struct sbomcli *c, const char *db, char **names, int n,
			  struct graph_ivec *arts)
{
	for (int i = 0; i < n; i++) {
		int v = graphcli_output(c->g, names[i]);
		if (v < 0)
			return EXIT_USAGE;
		if (graph_ivec_add(arts, v))
			return 1;
	}
	if (!n && artifacts_list(c->g, arts))
		return 1;
	if (!arts->n) {
		cli_err("build %lld of '%s' has no final artifacts; name the outputs to describe",
			(long long)c->g->build_id, db);
		return EXIT_USAGE;
	}
	return 0;
}

static int run(struct sbomcli *c, const struct args *a, char **names, int n)
{
	struct graph_ivec arts = { 0 };
	char err[1024];
	int rc;

	if (a->keyfile && dsse_key_load(a->keyfile, 1, &c->key, err, sizeof(err))) {
		cli_err("sbom: %s", err);
		return EXIT_USAGE;
	}
	if (graphcli_open(a->db, a->build, &c->st, &c->g)) {
		dsse_key_free(c->key);
		return EXIT_USAGE;
	}
	if (a->per_package && n) {
		cli_err("sbom: --per-package describes the packages, not named ARTIFACTs");
		rc = EXIT_USAGE;
	} else if (a->per_package) {
		rc = sbomcli_per_package(c, a->per_package);
	} else if (!(rc = pick_artifacts(c, a->db, names, n, &arts))) {
		rc = sbomcli_emit(c, &arts, a->out, stdout);
	}
	graph_ivec_release(&arts);
	graphcli_close(c->st, c->g);
	dsse_key_free(c->key);
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
		{ "embed", no_argument, NULL, 'E' },
		{ "sign", required_argument, NULL, 'S' },
		{ "per-package", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sbomcli c = { .o = { .warn = warn_cb } };
	struct args a = { .db = cli_default_db() };
	int ch;

	while ((ch = getopt_long(argc, argv, "d:b:f:o:n:V:sp:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			a.db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &a.build))
				return EXIT_USAGE;
			break;
		case 'f':
			a.fmtname = optarg;
			break;
		case 'o':
			a.out = optarg;
			break;
		case 'n':
			c.o.name = optarg;
			break;
		case 'V':
			c.o.version = optarg;
			break;
		case 's':
			c.o.include_sources = 1;
			break;
		case 'E':
			c.omnibor_flags |= OMNIBOR_EMBED;
			break;
		case 'S':
			a.keyfile = optarg;
			break;
		case 'p':
			a.per_package = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!a.fmtname) {
		cli_err("sbom: --format is required (spdx, spdx3, cyclonedx, omnibor or slsa)");
		return EXIT_USAGE;
	}
	if (find_format(a.fmtname, &c) || check_args(&a, &c))
		return EXIT_USAGE;
	return run(&c, &a, argv + optind, argc - optind);
}
