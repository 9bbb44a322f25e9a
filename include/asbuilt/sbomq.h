/*
 * sbomq.h - the read-only queries `asbuilt sbom` needs beyond the graph's (graphq.h): the
 * build row's completeness and end time, the reasons of its incompleteness, the per-version
 * identities the graph does not keep (gitoids, size, SHA-1 when the schema stores it) and
 * the per-process times and environment of the build steps.  All SQL is in
 * src/store/sbomq.c; each function prepares, binds and finalises its own statement.
 */
#ifndef ASBUILT_SBOMQ_H
#define ASBUILT_SBOMQ_H

#include <stdint.h>

struct store;

/* What the SBOM says about the build as a whole.  ended_ns 0 = unknown (NULL). */
struct sbomq_build {
	int64_t started_ns, ended_ns;
	int complete;
	int64_t nlost;
};

/* Reads build id into *b.  Returns 0, -ENOENT when there is no such build, -EIO. */
int sbomq_build_get(struct store *st, int64_t id, struct sbomq_build *b);

/* Calls fn(reason, detail, ctx) for every incomplete row of build_id, ordered by reason,
 * detail (detail may be NULL; both borrowed for the call only).  A non-zero return of fn
 * stops the walk and is returned; otherwise 0 or -EIO. */
int sbomq_each_incomplete(struct store *st, int64_t build_id,
			  int (*fn)(const char *reason, const char *detail, void *ctx), void *ctx);

/* The identities of one file version (borrowed for the callback only).  sha1 is the plain
 * SHA-1 of the content from file_versions.sha1 when the database has that column (schema
 * version 2 and later), else NULL; every hash is NULL when unknown; size -1 when unknown. */
struct sbomq_version {
	int64_t id;
	const char *sha1, *gitoid_sha1, *gitoid_sha256;
	int64_t size;
};

/* Calls fn for every file version of build_id, in id order (stops and returns fn's
 * non-zero result).  Returns 0 or -EIO. */
int sbomq_each_version(struct store *st, int64_t build_id,
		       int (*fn)(const struct sbomq_version *v, void *ctx), void *ctx);

/* One process image's times (0 = unknown) and its environment as the JSON object text of
 * processes.env (NULL when none); borrowed for the callback only. */
struct sbomq_proc {
	int64_t id, start_ns, end_ns;
	const char *env;
};

/* Calls fn for every process image of build_id, in id order.  Returns 0, fn's non-zero
 * result, or -EIO. */
int sbomq_each_process(struct store *st, int64_t build_id,
		       int (*fn)(const struct sbomq_proc *p, void *ctx), void *ctx);

#endif /* ASBUILT_SBOMQ_H */
