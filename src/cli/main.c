/* main.c - asbuilt's command dispatcher. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/version.h"
#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "record", cmd_record, "run a build and record every file each process used" },
	{ "show", cmd_show, "print the raw record: builds, processes, file events" },
	{ "artifacts", cmd_artifacts, "list the final outputs of a build" },
	{ "deps", cmd_deps, "list the exact files that went into an artifact" },
	{ "why", cmd_why, "show how a file or package went into the artifacts" },
	{ "components", cmd_components, "list the components (packages, project) in the artifacts" },
	{ "omnibor", cmd_omnibor, "write OmniBOR input manifests of the artifacts (--embed)" },
	{ "provenance", cmd_provenance, "write SLSA provenance v1 of the artifacts (--sign)" },
	{ "verify-attestation", cmd_verify_attestation, "verify a signed DSSE attestation" },
	{ "sbom", cmd_sbom, "write the as-built SBOM (SPDX 2.3, SPDX 3.0.1, CycloneDX 1.6)" },
	{ "verify", cmd_verify, "re-hash artifacts and inputs and compare with the record or an SBOM" },
	{ "diff", cmd_diff, "compare two builds (databases or SBOMs): components, inputs, tools" },
	{ "graph", cmd_graph, "draw the artifact graph (Graphviz dot or a self-contained HTML page)" },
	{ "symbols", cmd_symbols, "which symbols and archive members a binary uses, by component" },
	{ "vex", cmd_vex, "CycloneDX VEX and OpenVEX verdicts from the symbols a binary uses" },
};

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("asbuilt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *cli_default_db(void)
{
	const char *e = getenv("ASBUILT_DB");
	return e && *e ? e : "asbuilt.db";
}

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt COMMAND [OPTIONS]\n\n"
		   "Records a build as it happens and keeps, for every process, the exact files\n"
		   "it read and wrote with their hashes, in a SQLite provenance database.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-19s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'asbuilt COMMAND --help' for the options of a command.\n"
		   "Example:  asbuilt record -- make -j8 && asbuilt show | less\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("asbuilt %s\n", ASBUILT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt names the program in its messages: "asbuilt record: unrecognized
			 * option '--x'", not "record: ..." */
			static char prog[64];
			snprintf(prog, sizeof(prog), "asbuilt %s", commands[i].name);
			argv[1] = prog;
			return commands[i].fn(argc - 1, argv + 1);
		}
	cli_err("'%s' is not a command; see 'asbuilt --help'", argv[1]);
	return EXIT_USAGE;
}
