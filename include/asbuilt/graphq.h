/*
 * graphq.h - the read-only queries the artifact graph (graph.h) needs: one build row, and
 * every process image, file event and file version of one build, streamed in id order.
 * All SQL is here (src/store/graphq.c); each function prepares its statement, binds the
 * build id and finalises it before returning.
 */
#ifndef ASBUILT_GRAPHQ_H
#define ASBUILT_GRAPHQ_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The id of the newest build (max id) in *id.  Returns 0, -ENOENT when there is none, or
 * -EIO on an SQLite error (store_errmsg says which). */
int graphq_latest_build(struct store *st, int64_t *id);

/* Build id's cwd and state ("running", "finished", "interrupted") as new strings in *cwd and
 * *state; you own both, free them.  Returns 0, -ENOENT when there is no such build, -EIO,
 * -ENOMEM. */
int graphq_build_get(struct store *st, int64_t id, char **cwd, char **state);

/* One process row.  Strings are borrowed for the duration of the callback only; argv is the
 * raw NUL-separated bytes (argv_len of them), NULL when unknown.  0 stands for SQL NULL in
 * parent_id and prev_id. */
struct graphq_proc {
	int64_t id, parent_id, prev_id;
	const char *exe, *cwd;
	const char *argv;
	size_t argv_len;
};

/* One file event (borrowed as above).  version_id 0 = NULL; noise NULL = not noise;
 * realpath falls back to abspath when NULL. */
struct graphq_event {
	int64_t id, process_id, version_id;
	const char *op, *access, *path, *path2, *noise;
	int64_t flags, result;
};

/* One file version (borrowed as above).  sha256 NULL unless state is "ok"; writer_id 0 =
 * NULL. */
struct graphq_version {
	int64_t id, vseq, writer_id;
	const char *path, *sha256, *origin, *state;
};

/* Call fn for every row of build_id, in id order; a non-zero return of fn stops the walk
 * and is returned.  Otherwise 0, or -EIO on an SQLite error. */
int graphq_each_process(struct store *st, int64_t build_id,
			int (*fn)(const struct graphq_proc *p, void *ctx), void *ctx);
int graphq_each_event(struct store *st, int64_t build_id,
		      int (*fn)(const struct graphq_event *e, void *ctx), void *ctx);
int graphq_each_version(struct store *st, int64_t build_id,
			int (*fn)(const struct graphq_version *v, void *ctx), void *ctx);

#endif /* ASBUILT_GRAPHQ_H */
