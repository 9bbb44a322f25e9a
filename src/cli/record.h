/* record.h - the steps of asbuilt record (record_run.c), driven by cmd_record.c. */
#ifndef ASBUILT_RECORD_H
#define ASBUILT_RECORD_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "asbuilt/server.h"

struct store;

struct record_opts {
	const char *db;
	const char *backend; /* "preload" | "ebpf" after choose_backend */
	int quiet;
	int allow_incomplete;
	int no_hash_cache; /* do not use the user's persistent hash cache (hashstore.h) */
	double linger; /* seconds to keep recording processes the build's root left running */
	char **cmd;
};

/* Default of --linger, in seconds. */
#define RECORD_LINGER_DEFAULT 3.0

/* Processes of the build still running when the record ended (record_wait_orphans). */
#define RECORD_LEFT_MAX 16
struct record_left {
	pid_t pid;
	char comm[20];
};

struct record_run {
	char lib[PATH_MAX]; /* interposer library */
	char dir[96]; /* private run directory (short: it holds the socket) */
	char sock[108];
	int listen_fd;
	int wm_fd; /* the watermark file (AB_WATERMARK_NAME), the collector's */
	int ctl_fd, status_fd; /* to / from the collector */
	pid_t collector_pid, build_pid;
	int64_t build_id;
	struct store *st; /* the database, open from the build row's creation to the end */
	int64_t started_ns;
	int build_status; /* wait status of the build's root */
	int build_reaped;
	int collector_status; /* its wait status, when reaped while waiting for the build */
	int collector_reaped;
	int interrupted;
	struct record_left left[RECORD_LEFT_MAX];
	int nleft; /* how many were still running (left[] holds the first RECORD_LEFT_MAX) */
};

/* Finds the interposer: $ASBUILT_LIB, else ../lib/asbuilt/ beside the executable. */
int record_find_lib(char *out, size_t len);

/* Creates the private directory and socket, starts the collector, creates the build row.
 * Returns 0 or an exit status after printing why. */
int record_setup(const struct record_opts *o, struct record_run *r);

/* Forks the build (held until the collector follows it), returns 0 or an exit status. */
int record_start_build(const struct record_opts *o, struct record_run *r);

/* Waits for the build's root process (record is the subreaper of the build's processes:
 * orphans that exit meanwhile are reaped too). */
void record_wait_build(struct record_run *r);

/* After the root exited: goes on recording while processes it left running (orphans, now
 * record's children) run, for o->linger seconds at most or until *stop; those still
 * running then are listed in r->left. */
void record_wait_orphans(const struct record_opts *o, struct record_run *r,
			 volatile sig_atomic_t *stop);

/* Removes the private directory and everything in it (setup failed: no markers to read). */
void record_remove_dir(struct record_run *r);

/* Stops the collector, finalises the build row, reports; returns record's exit status. */
int record_finish(const struct record_opts *o, struct record_run *r, int start_rc);

#endif
