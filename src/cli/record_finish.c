/* record_finish.c - stops the collector, finalises the build row and reports. */
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/elffacts.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "priv.h"
#include "record.h"

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Stops the collector: returns 1 when it committed everything (it may still be closing
 * the database, writing the hash cache and detaching the eBPF programs:
 * collector_db_closed and reap_collector wait for it), 0 when it died (reaped). */
static int stop_collector(struct record_run *r, struct server_result *res, char *why,
			  size_t whylen)
{
	struct server_msg m = { .type = SERVER_DONE };
	int st = 0, got = 0;
	ssize_t n;

	if (write(r->ctl_fd, &m, sizeof(m)) != sizeof(m)) {
		/* dead already: waitpid tells how */
	}
	do
		n = read(r->status_fd, res, sizeof(*res));
	while (n < 0 && errno == EINTR);
	got = n == (ssize_t)sizeof(*res);
	close(r->ctl_fd);
	r->ctl_fd = -1;
	if (got && res->ok)
		return 1; /* status_fd stays open: its EOF says the collector closed the database */
	close(r->status_fd);
	r->status_fd = -1;
	if (r->collector_reaped) /* while record waited for the build */
		st = r->collector_status;
	else
		while (waitpid(r->collector_pid, &st, 0) < 0 && errno == EINTR)
			;
	r->collector_pid = 0;
	if (WIFSIGNALED(st))
		snprintf(why, whylen, "the collector was killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(why, whylen, "the collector failed (exit status %d)", WEXITSTATUS(st));
	memset(res, 0, sizeof(*res));
	return 0;
}

/* Waits until a collector that reported success has closed the database (EOF on the
 * status pipe): then the supervisor's connection is the last one. */
static void collector_db_closed(struct record_run *r)
{
	char b;
	ssize_t n;

	if (r->status_fd < 0)
		return;
	do
		n = read(r->status_fd, &b, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
	close(r->status_fd);
	r->status_fd = -1;
}

/* Waits for a collector that reported success to exit. */
static void reap_collector(struct record_run *r)
{
	int st;

	if (r->collector_pid <= 0 || r->collector_reaped)
		return;
	while (waitpid(r->collector_pid, &st, 0) < 0 && errno == EINTR)
		;
	r->collector_pid = 0;
}

/* One incomplete row per process of the build still running when the record ended. */
static void note_left(struct store *st, const struct record_run *r)
{
	char detail[160];

	for (int i = 0; i < r->nleft && i < RECORD_LEFT_MAX; i++) {
		snprintf(detail, sizeof(detail),
			 "pid %d (%s) was still running: what it did after the record ended is "
			 "not in it",
			 (int)r->left[i].pid, r->left[i].comm[0] ? r->left[i].comm : "?");
		store_incomplete_add(st, r->build_id, 0, "outlived-build", detail);
	}
	if (r->nleft > RECORD_LEFT_MAX) {
		snprintf(detail, sizeof(detail), "%d more processes were still running",
			 r->nleft - RECORD_LEFT_MAX);
		store_incomplete_add(st, r->build_id, 0, "outlived-build", detail);
	}
}

/* Empties the directory dir, keeping the pids of its markers ("unreachable.<pid>") in
 * *pids (*n of them, room for *cap).  Returns -errno when dir cannot be read (0 when it is
 * gone), 1 when memory ran out (the rest is removed uncounted), else 0. */
static int empty_dir(const char *dir, char ***pids, size_t *n, size_t *cap)
{
	char p[PATH_MAX + 300];
	struct dirent *e;
	int oom = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (pids && !oom && !strncmp(e->d_name, "unreachable.", 12)) {
			if (*n == *cap) {
				size_t nc = *cap ? 2 * *cap : 16;
				char **np = realloc(*pids, nc * sizeof(*np));

				if (np) {
					*pids = np;
					*cap = nc;
				}
			}
			if (*n < *cap && ((*pids)[*n] = strdup(e->d_name + 12)))
				(*n)++;
			else
				oom = 1;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	return oom;
}

void record_remove_dir(struct record_run *r)
{
	char m[sizeof(r->dir) + 4];

	snprintf(m, sizeof(m), "%s/m", r->dir);
	empty_dir(m, NULL, NULL, NULL);
	rmdir(m);
	empty_dir(r->dir, NULL, NULL, NULL);
	rmdir(r->dir);
}

/* Adds one incomplete row per process that could not reach the collector (marker files
 * the interposer left in the private directory's m), and removes the directory.  Under
 * sudo the directory is root's (made before the collector dropped to the user) while the
 * caller works as the user: it is read and removed as root, and the rows are added as the
 * user.  (A directory left unread would be a record that says it is complete.) */
static int collect_markers(struct store *st, struct record_run *r)
{
	char m[sizeof(r->dir) + 4], detail[PATH_MAX + 64] = "", **pids = NULL;
	size_t n = 0, cap = 0;
	int rc;

	snprintf(m, sizeof(m), "%s/m", r->dir);
	priv_restore();
	rc = empty_dir(m, &pids, &n, &cap);
	if (rc < 0)
		snprintf(detail, sizeof(detail), "cannot read the run directory '%s': %s", m,
			 strerror(-rc));
	else if (rc > 0)
		snprintf(detail, sizeof(detail), "%s",
			 "processes could not send their events (out of memory: not all counted)");
	rmdir(m);
	empty_dir(r->dir, NULL, NULL, NULL);
	if (rmdir(r->dir) && errno != ENOENT)
		cli_err("warning: cannot remove the run directory '%s': %s", r->dir,
			strerror(errno));
	priv_become_user();
	if (detail[0]) /* the markers, if any, are unknown */
		store_incomplete_add(st, r->build_id, 0, "collector-unreachable", detail);
	for (size_t i = 0; i < n; i++) {
		snprintf(detail, sizeof(detail), "pid %s could not send its events", pids[i]);
		store_incomplete_add(st, r->build_id, 0, "collector-unreachable", detail);
		free(pids[i]);
	}
	free(pids);
	return (int)n;
}

/* Prints the reasons the record is incomplete, a few lines at most. */
static void print_warnings(struct store *st, int64_t build_id)
{
	sqlite3_stmt *s;
	int n = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT reason, count(*), min(coalesce(detail,'')) FROM incomplete"
			       " WHERE build_id=? GROUP BY reason ORDER BY reason",
			       -1, &s, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(s, 1, build_id);
	while (sqlite3_step(s) == SQLITE_ROW && n++ < 20) {
		int cnt = sqlite3_column_int(s, 1);
		const char *detail = (const char *)sqlite3_column_text(s, 2);
		cli_err("warning: record incomplete: %s%s%s%s", sqlite3_column_text(s, 0),
			*detail ? ": " : "", detail,
			cnt > 1 ? " (and more; see the 'incomplete' table)" : "");
	}
	sqlite3_finalize(s);
}

static int exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int record_finish(const struct record_opts *o, struct record_run *r, int start_rc)
{
	struct server_result res = { 0 };
	struct store *st = r->st;
	char why[256] = "";
	int collector_ok = stop_collector(r, &res, why, sizeof(why));
	int code = r->build_reaped ? exit_code(r->build_status) : 127;
	int64_t nincomplete;
	int rc;

	priv_become_user(); /* files named by the build are read as the user who ran sudo */
	store_begin(st);
	if (!collector_ok)
		store_incomplete_add(st, r->build_id, 0, "collector-died", why);
	if (start_rc)
		store_incomplete_add(st, r->build_id, 0, "other", "the build could not be started");
	if (r->interrupted) {
		char detail[96];
		snprintf(detail, sizeof(detail), "the build was interrupted by signal %d (%s)",
			 r->interrupted, strsignal(r->interrupted));
		store_incomplete_add(st, r->build_id, 0, "interrupted", detail);
	}
	collect_markers(st, r);
	note_left(st, r);
	nincomplete = store_incomplete_count(st, r->build_id);
	store_build_finish(st, r->build_id, now_ns(), code,
			   r->interrupted ? "interrupted" : "finished", nincomplete == 0,
			   (int64_t)res.stats.records, (int64_t)res.stats.lost);
	if (store_commit(st))
		cli_err("cannot finalise build %lld in '%s': %s", (long long)r->build_id, o->db,
			store_errmsg(st));
	/* the ELF facts need the files as the build left them: now, not later */
	if ((rc = elffacts_compute(st, r->build_id, NULL, NULL)))
		cli_err("warning: cannot store the ELF facts of build %lld: %s",
			(long long)r->build_id, rc == -EIO ? store_errmsg(st) : strerror(-rc));
	print_warnings(st, r->build_id);
	if (!o->quiet && res.stats.temporaries)
		cli_err("note: %llu temporary files were deleted by the build before they could be "
			"hashed (file_versions.state = 'vanished')",
			(unsigned long long)res.stats.temporaries);
	if (!o->quiet && res.stats.temp_changed)
		cli_err("note: %llu versions of temporary files (written and deleted by the build) "
			"changed before they could be hashed (file_versions.state = 'changed')",
			(unsigned long long)res.stats.temp_changed);
	if (!o->quiet && res.stats.superseded)
		cli_err("note: %llu written versions were hashed only after the next writer of the "
			"same file had begun, so their hashes are withheld; that writer's version "
			"follows each (file_versions.state = 'changed')",
			(unsigned long long)res.stats.superseded);
	if (!o->quiet)
		fprintf(stderr,
			"asbuilt: build %lld recorded in %s: %llu processes, %llu inputs, "
			"%llu outputs, %lld warnings%s\n",
			(long long)r->build_id, o->db, (unsigned long long)res.stats.processes,
			(unsigned long long)res.stats.inputs, (unsigned long long)res.stats.outputs,
			(long long)nincomplete, nincomplete ? " (record incomplete)" : "");
	/* once the collector has closed its connection, ours is the last, and closing it
	 * copies the WAL into the database file (two connections closing at once would each
	 * leave that to the other); the collector meanwhile writes the hash cache and detaches
	 * the eBPF programs */
	collector_db_closed(r);
	store_close(st);
	r->st = NULL;
	reap_collector(r);
	if (nincomplete && !strcmp(o->backend, "ebpf") && !o->allow_incomplete && code == 0) {
		cli_err("the record is incomplete; pass --allow-incomplete to accept it");
		return 3;
	}
	return code;
}
