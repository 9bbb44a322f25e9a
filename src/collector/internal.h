/* internal.h - state shared by collector.c (process images) and versions.c (file versions). */
#ifndef ASBUILT_COLLECTOR_INTERNAL_H
#define ASBUILT_COLLECTOR_INTERNAL_H

#include <stdint.h>

#include "asbuilt/collector.h"
#include "asbuilt/decode.h"
#include "asbuilt/hashcache.h"
#include "asbuilt/map.h"

/* A file an image opened for writing, hashed when the image ends. */
struct pending_write {
	char *path; /* canonical path (version key) */
	int64_t event_id;
	uint64_t ts_ns; /* when the writer's record of the open was made (its clock) */
	int survives_exec; /* opened without O_CLOEXEC: an exec'd image writes through it too */
	struct pending_write *next;
};

/* One process image (a processes row). */
struct image {
	int64_t id;
	int pid, ppid;
	int64_t parent_id;
	uint64_t conn;
	int ended;
	int exec_pending; /* sent AB_EV_EXEC and did not report failure */
	char *argv;
	size_t argv_len, argv_want;
	int argv_stored;
	/* kept until the image ends, then written with its end in one UPDATE: three fewer
	 * statements per process, in the collector's path to every exit acknowledgement */
	char *env_json;
	int exit_set, exit_status;
	const char *exit_how; /* a literal */
	struct pending_write *writes;
	struct image *next_all;
	struct image *next_conn; /* the images that said hello on the same connection before */
};

/* An executable to hash when the collector is idle (hashing cc1 on the hot path would
 * delay every other record by tens of milliseconds). */
struct exe_job {
	int64_t image_id;
	struct hc_key want; /* identity at exec */
	struct exe_job *next;
	char path[];
};

/* A read of a system file (toolchain, system headers and libraries) whose hash is taken
 * at the next idle moment, checked against the identity it had at use. */
/* A file being hashed a slice at a time for the first job of a queue (deferred.c), and
 * its identity when opened. */
struct slicer {
	struct hash_job *job;
	struct hc_key key;
};

struct read_job {
	int64_t event_id, reader_id;
	struct hc_key want;
	int has_want;
	struct read_job *next;
	char path[];
};

/* A version that could not be hashed (file gone, or changed since its use): judged at the
 * end, when it is known whether the build itself explains it. */
struct vanished {
	int64_t process_id; /* the writer (gone) or the reader (changed) */
	int changed; /* 0: gone; 1: changed between use and hashing */
	int late;    /* changed: the path's written version was hashed after this read */
	int written; /* a version its writer made (not a read) */
	int64_t vseq; /* of the version */
	struct vanished *next;
	char path[];
};

/* What is known of one path during the build. */
struct pathinfo {
	int64_t vseq;
	int64_t cur_vid;
	char sha256[HASH_HEX_SHA256]; /* of cur_vid; "" if not hashed */
	struct hc_key key;	      /* the identity cur_vid was hashed with */
	int64_t writer;		      /* the process that wrote cur_vid (0: not written) */
};

struct collector {
	struct store *st;
	int64_t build_id;
	const char *source;
	struct u64map by_pid; /* pid -> current struct image */
	struct u64map by_conn; /* connection -> struct image it announced */
	struct strmap paths; /* canonical path -> struct pathinfo */
	struct strmap realpaths; /* absolute path -> canonical path (char *) */
	struct strmap canon_dirs; /* absolute directory -> its canonical form (char *; the root
				   * is ""); like realpaths, forgotten where the build renames,
				   * makes a symlink or removes a directory */
	struct strmap resolved_dirs; /* every directory above a key or value of realpaths or
				      * canon_dirs, and every value not equal to its key: a
				      * path not in it has nothing of those maps under it */
	int resolved_dirs_failed; /* out of memory filling it: always look at every entry */
	struct strmap writers; /* canonical path -> struct image with a pending write */
	struct hashcache hc;
	struct image *all;
	struct exe_job *exe_jobs, **exe_tail;
	struct read_job *read_head, **read_tail;
	/* the files of the first read job and of the first executable, each hashed a slice at
	 * a time (a read that comes first does not cost the executable its progress) */
	struct slicer reading, exe_slicing;
	struct vanished *vanished;
	struct strmap removed; /* canonical paths a traced process unlinked or renamed away */
	struct strmap rewrote; /* "<process id>:<canonical path>" a process opened for writing */
	/* canonical paths a traced process opened for writing, renamed or linked to (under
	 * eBPF a shell's `cat >f` makes no version of its own while the shell lives: no close
	 * is traced) */
	struct strmap made;
	collector_drain_fn drain;
	collector_ack_fn ack;
	void *drain_ctx;
	int db_failed;
	int64_t wall_off; /* CLOCK_MONOTONIC -> Unix epoch, ns */
	struct collector_stats stats;
	char scratch[AB_REC_MAX + DECODE_MAX_STR];
};

/* fileops.c: stores the file operation of record d (AB_EV_FILE, or AB_EV_EXEC with
 * op_override "exec") made by img, with the version it read or will write. */
void collector_file_event(struct collector *c, struct image *img, const struct decoded *d,
			  const char *op_override);

/* deferred.c: queues the hash of the executable of image image_id, which collector_idle()
 * takes; and frees what is queued (collector_free). */
void collector_defer_exe(struct collector *c, int64_t image_id, const char *exe);
void collector_deferred_discard(struct collector *c);

/* Queues the hashing of a read (see struct read_job); collector_idle() does it. */
void collector_defer_read(struct collector *c, int64_t event_id, int64_t reader_id,
			  const char *canon, const struct hc_key *want);

/* versions.c */

/* Canonical form of an absolute path: symlinks resolved for the existing part.  Returns a
 * pointer owned by the collector, valid until collector_free. */
const char *vers_canon(struct collector *c, const char *abspath);
/* Forgets the resolved paths and directories at or under p1 or p2 (absolute, either may
 * be NULL): the build made a symlink there, renamed or removed it, so they may now resolve
 * elsewhere. */
void vers_paths_changed(struct collector *c, const char *p1, const char *p2);

/* Version id that a read of path saw, whose identity at use was *want (NULL: unknown).
 * Creates the version when new.  A file gone by now is read through the reader's fd
 * (/proc/pid/fd/fd) when pid > 0 and fd >= 0.  Returns the id, or 0 for a directory. */
int64_t vers_read(struct collector *c, const char *canon, const struct hc_key *want,
		  int64_t reader_id, int pid, int fd);

/* Records a new version of path with the content now on disk (origin "written",
 * "renamed", "linked"), returns its id (0 on failure). */
int64_t vers_new(struct collector *c, const char *canon, const char *origin,
		 int64_t writer_id);

/* opener opened canon for writing and saw identity seen (after any truncation).  When the
 * path's last written version, another process's, was hashed from a content that came
 * later (a later change time), that hash was taken after this open: it may hold what
 * opener wrote, not what its own writer left (eBPF: configure's `cat >>confdefs.h`, one
 * process after the other, the collector behind).  Its hashes are taken back (state
 * 'changed'); opener's version follows it, so it is counted in stats.superseded. */
void vers_write_opened(struct collector *c, const char *canon, const struct hc_key *seen,
		       int64_t opener);

/* Hashes every file img wrote and links its write events to the new versions. */
void vers_flush_writes(struct collector *c, struct image *img);

/* The same for an image that exec'd (eBPF), but for the files it still writes through a
 * descriptor the exec leaves open: those stay pending, for the image it becomes
 * (`cmd > out`: a shell's child opens out, then execs cmd, which writes it). */
void vers_flush_writes_at_exec(struct collector *c, struct image *img);

/* Flushes the pending write of canon in any live image (rename/unlink of a file that is
 * still open for writing elsewhere is rare; its writer has normally closed it), unless
 * every pending write of it was opened after before_ns (0: no limit): an unlink that a
 * process made before it exited without waiting (wrappers/hooks_file.c) can be read after
 * the records of a process that made the file again later, and that file is not the one
 * it removed. */
void vers_flush_path(struct collector *c, const char *canon, uint64_t before_ns);

/* Notes that a traced process removed canon (unlink, or rename away). */
void vers_removed(struct collector *c, const char *canon);

/* Notes that process_id opened canon for writing. */
void vers_rewrote(struct collector *c, int64_t process_id, const char *canon);

/* Turns the versions that could not be hashed into incomplete rows unless the build itself
 * explains them: a temporary that the build wrote and deleted (state 'vanished', counted
 * in stats.temporaries), a file a process read and then rewrote itself (cmake's
 * configure_file compares, then writes: state 'changed'), or a written version that the
 * next writer was already changing when it was hashed (eBPF: configure's `cat >>file`,
 * one process after the other; state 'changed', counted in stats.superseded). */
void vers_judge_vanished(struct collector *c);

/* Frees the path tables. */
void vers_release(struct collector *c);

#endif
