/*
 * collector.h - turns wire-format records (event.h) from either backend into database rows:
 * process images, file events, and file versions with their hashes.
 *
 * Reads are hashed when their record is processed, checked against the identity the file
 * had at use (hashcache); writes are hashed when their writer image ends.  Everything is
 * written inside batched transactions (collector_tick commits).
 */
#ifndef ASBUILT_COLLECTOR_H
#define ASBUILT_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct collector;

struct collector_stats {
	uint64_t records, bad_records;
	uint64_t processes, file_events, versions;
	uint64_t bytes_hashed, warnings, lost;
	uint64_t inputs, outputs; /* distinct versions read / written */
	uint64_t temporaries; /* files the build wrote and deleted before they were hashed */
	/* versions of such files (written by the build, removed by it, gone at its end) that
	 * changed before they could be hashed (eBPF: a step rewrote the file at once) */
	uint64_t temp_changed;
	/* written versions hashed only after a later writer of the same file had begun
	 * (eBPF: nothing makes the first writer wait): their hashes withheld */
	uint64_t superseded;
	uint64_t cached; /* hashes taken from the persistent hash cache (hashstore.h) */
};

/* Drains the connection conn before the collector relies on it being complete (called when
 * a parent reaps a child whose connection may still hold records, and before an exit that
 * waits on a connection of its own); conn 0: every connection. */
typedef void (*collector_drain_fn)(void *ctx, uint64_t conn);

/* Creates a collector writing rows of build_id into st (not owned) for backend source
 * ("preload" or "ebpf").  Opens a transaction.  Returns 0 and *out, or a negative errno. */
int collector_new(struct store *st, int64_t build_id, const char *source,
		  struct collector **out);

/* Takes hashes of system files from, and adds new ones to, the user's persistent hash
 * cache at path (hashstore.h).  The collector owns the cache and writes it in
 * collector_finish.  Returns 0, or a negative errno (the collector then hashes everything
 * itself, which is slower but as correct). */
int collector_use_hashstore(struct collector *c, const char *path);

/* Sends the one-byte ack an AB_EXIT_SYNC record waits for on connection conn. */
typedef void (*collector_ack_fn)(void *ctx, uint64_t conn);

/* Sets the connection callbacks of the preload server. */
void collector_set_io(struct collector *c, collector_drain_fn drain, collector_ack_fn ack,
		      void *ctx);

/* Processes one record received on connection conn (ebpf: 0).  Returns 0, or -EBADMSG for
 * a malformed record (counted, skipped), or -EIO when the database failed. */
int collector_feed(struct collector *c, const void *rec, size_t len, uint64_t conn);

/* Processes one packet received on preload connection conn: one record, or several whole
 * records back to back (the interposer sends an image's PROC, ARGV and ENV in one), each
 * ending where its hdr.size says.  A header that cannot be right makes the rest of the
 * packet one malformed record.  Returns 0, or the first error collector_feed returned. */
int collector_feed_packet(struct collector *c, const void *pkt, size_t len, uint64_t conn);

/* The connection conn reached EOF: the image it announced is gone (exec'd or exited). */
void collector_conn_closed(struct collector *c, uint64_t conn);

/* Records that n records were lost. */
void collector_lost(struct collector *c, uint64_t n, const char *why);

/* Does up to max_jobs pieces of deferred work: hashing the system files the build read,
 * then the executables it ran, a megabyte of a large file at a time.  Returns 1 when some
 * remain, else 0. */
int collector_idle(struct collector *c, int max_jobs);

/* Commits the running transaction and opens a new one.  Returns 0 or -EIO. */
int collector_tick(struct collector *c);

/* Ends every live image, hashes what they wrote, commits.  Returns 0 or -EIO. */
int collector_finish(struct collector *c);

void collector_get_stats(const struct collector *c, struct collector_stats *out);

/* Writes the new entries of the persistent hash cache (its failure only costs the next
 * build time) and frees; accepts NULL.  Does not commit: call collector_finish first. */
void collector_free(struct collector *c);

#endif /* ASBUILT_COLLECTOR_H */
