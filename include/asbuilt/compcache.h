/*
 * compcache.h - the component resolution cache of the database (table components_cache,
 * schema version 2, docs/database.md): what a resolver found for one file of one build,
 * keyed by (build id, path, sha256), so that resolving a build again is a lookup.
 * All SQL is in src/store/compcache.c.
 */
#ifndef ASBUILT_COMPCACHE_H
#define ASBUILT_COMPCACHE_H

#include <stdint.h>

struct store;

/* One cached resolution.  path and kind are required; sha256 NULL is stored as '' (a file
 * without a hash); the other fields may be NULL. */
struct compcache_entry {
	const char *path, *sha256;
	const char *kind; /* "deb", "rpm", "apk", "git", "project", "unresolved", ... */
	const char *name, *version, *purl, *cpe, *license;
	const char *identified_by; /* "dpkg database owns /usr/include/zlib.h" */
};

/* Stores e for build_id, replacing an earlier entry of the same path and sha256.
 * Returns 0, -EINVAL (no path or kind) or -EIO.  The caller chooses the transaction. */
int compcache_put(struct store *st, int64_t build_id, const struct compcache_entry *e);

/* Looks up (build_id, path, sha256 or NULL) and calls fn with the entry (its strings are
 * borrowed for the call only; copy what you keep).  Returns fn's return value, -ENOENT when
 * there is no entry, or -EIO. */
int compcache_get(struct store *st, int64_t build_id, const char *path, const char *sha256,
		  int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx);

/* Calls fn for every entry of build_id, ordered by path; a non-zero return of fn stops the
 * walk and is returned.  Otherwise 0, or -EIO. */
int compcache_each(struct store *st, int64_t build_id,
		   int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx);

/* Removes every entry of build_id (to resolve it afresh).  Returns 0 or -EIO. */
int compcache_clear(struct store *st, int64_t build_id);

#endif /* ASBUILT_COMPCACHE_H */
