/* cmd_show.c - asbuilt show: the raw record. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "asbuilt/dump.h"
#include "asbuilt/store.h"
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt show [--db FILE.db] [--json]\n\n"
		"Prints the raw record: every build, why it is incomplete (if it is), its\n"
		"processes (pid, parent, executable and its hash, argv, cwd, selected\n"
		"environment, exit status) and their file events (operation, path as given,\n"
		"absolute path, hash and size of the version read or written).\n\n"
		"  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -j, --json      one JSON object per line, with a \"type\" member\n\n"
		"Example:  asbuilt record -- make && asbuilt show | less\n\n"
		"Exit status: 0 printed; 1 the database could not be read to the end; 2 usage,\n"
		"or a database that cannot be opened (missing, not an asbuilt database, a newer\n"
		"schema).\n");
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct store *st;
	char err[512];
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "d:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'j':
			json = 1;
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
		cli_err("show: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (store_open(db, 0, &st, err, sizeof(err))) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	rc = store_dump(st, json, stdout);
	if (rc)
		cli_err("cannot read database '%s': %s", db, store_errmsg(st));
	store_close(st);
	return rc ? 1 : 0;
}
