/* cmd_record.c - asbuilt record: run a build under a backend, collect, finalise the record.
 *
 * Three processes: this supervisor; the collector (a child named asbuilt-collect that owns
 * the database while the build runs); the build itself.  The supervisor outlives both, so a
 * dead collector still leaves a finalised build row that says it is incomplete. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/collector.h"
#include "asbuilt/ebpf.h"
#include "asbuilt/event.h"
#include "asbuilt/server.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "record.h"

static volatile sig_atomic_t got_signal;
static volatile pid_t build_pid;

static void on_signal(int sig)
{
	got_signal = sig;
	if (build_pid > 0)
		kill(build_pid, sig);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt record [-o FILE.db] [--backend auto|preload|ebpf] [-q]\n"
		"                      [--allow-incomplete] [--no-hash-cache] [--linger SECONDS]\n"
		"                      [--] COMMAND [ARG...]\n\n"
		"Runs COMMAND and records every process it starts and every file each one read\n"
		"or wrote, hashed at the moment of use (SHA-256 and OmniBOR gitoids), into a\n"
		"SQLite database.  An existing database gets a new build appended.\n\n"
		"  -o, --output FILE     database to write (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --backend NAME    preload: LD_PRELOAD interposer, no privileges needed;\n"
		"                        ebpf: kernel tracer (root or CAP_BPF+CAP_PERFMON), sees\n"
		"                        static binaries and raw system calls too;\n"
		"                        auto (default): ebpf when privileged, else preload\n"
		"  -q, --quiet           no live status line and no summary\n"
		"      --allow-incomplete  exit with COMMAND's status even when the ebpf record\n"
		"                        is incomplete (lost events, truncated paths, io_uring,\n"
		"                        processes left running)\n"
		"      --no-hash-cache   hash every system file (compiler, libraries, headers)\n"
		"                        again instead of taking the hash an earlier build\n"
		"                        computed for the very same file identity (device, inode,\n"
		"                        size, mtime, ctime) from ~/.cache/asbuilt/hashes.sqlite\n"
		"                        ($ASBUILT_HASH_CACHE: another file, or 'off')\n"
		"      --linger SECONDS  how long to go on recording processes that COMMAND\n"
		"                        left running when it exited (default 3); any still\n"
		"                        running then make the record incomplete\n\n"
		"Warnings name what could not be seen (e.g. a static binary under the preload\n"
		"backend); the database lists them in the 'incomplete' table.\n\n"
		"Examples:\n"
		"  asbuilt record -- make -j8\n"
		"  asbuilt record -o out.db -- sh -c './configure && make'\n"
		"  sudo asbuilt record --backend ebpf -- cmake --build build\n\n"
		"Exit status: COMMAND's own (128+N if it died of signal N, 127 if it was not\n"
		"found, 126 if it could not be run); 3 when COMMAND succeeded but the ebpf\n"
		"record is incomplete (see --allow-incomplete); 2 when recording could not start\n"
		"(usage, a database that cannot be written, an unusable backend, no interposer\n"
		"library); 1 when the collector could not start.\n");
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "backend", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "allow-incomplete", no_argument, NULL, 'A' },
		{ "no-hash-cache", no_argument, NULL, 'H' },
		{ "linger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch;

	o->db = cli_default_db();
	o->backend = "auto";
	o->linger = RECORD_LINGER_DEFAULT;
	while ((ch = getopt_long(argc, argv, "+o:b:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->db = optarg;
			break;
		case 'b':
			o->backend = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'A':
			o->allow_incomplete = 1;
			break;
		case 'H':
			o->no_hash_cache = 1;
			break;
		case 'L': {
			char *end;

			o->linger = strtod(optarg, &end);
			if (end == optarg || *end || !(o->linger >= 0 && o->linger <= 86400)) {
				cli_err("record: --linger wants seconds from 0 to 86400, not '%s'",
					optarg);
				return -1;
			}
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		cli_err("record: no command given; try 'asbuilt record -- make'");
		return -1;
	}
	if (strcmp(o->backend, "auto") && strcmp(o->backend, "preload") &&
	    strcmp(o->backend, "ebpf")) {
		cli_err("record: unknown backend '%s' (auto, preload or ebpf)", o->backend);
		return -1;
	}
	o->cmd = argv + optind;
	return 0;
}

/* Picks the backend for "auto"; checks an explicit "ebpf".  Returns 0 or EXIT_USAGE. */
static int choose_backend(struct record_opts *o)
{
	char why[256] = "";
	int priv = ebpf_built() ? ebpf_check_privilege(why, sizeof(why)) : -ENOSYS;

	if (!ebpf_built())
		snprintf(why, sizeof(why), "this asbuilt was built without the eBPF backend");
	if (!strcmp(o->backend, "ebpf")) {
		if (priv) {
			cli_err("record: cannot use the ebpf backend: %s", why);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!strcmp(o->backend, "auto")) {
		o->backend = priv ? "preload" : "ebpf";
		if (!o->quiet)
			cli_err("using the %s backend (%s)", o->backend,
				priv ? why : "privileged: eBPF sees static binaries and raw syscalls");
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct record_run r = { .listen_fd = -1, .wm_fd = -1 };
	int rc;

	if (parse(argc, argv, &o))
		return EXIT_USAGE;
	rc = choose_backend(&o);
	if (rc)
		return rc;
	if (!strcmp(o.backend, "preload") && record_find_lib(r.lib, sizeof(r.lib))) {
		cli_err("record: cannot find the interposer library (looked for '%s'); set "
			"ASBUILT_LIB",
			r.lib);
		return EXIT_USAGE;
	}
	rc = record_setup(&o, &r);
	if (rc)
		return rc;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	rc = record_start_build(&o, &r);
	if (rc == 0) {
		build_pid = r.build_pid;
		record_wait_build(&r);
		build_pid = 0;
		record_wait_orphans(&o, &r, &got_signal);
	}
	r.interrupted = got_signal;
	return record_finish(&o, &r, rc);
}
