/*
 * compcache.h - the component resolution cache of the database (table components_cache,
 * schema version 2, docs/database.md): what the resolver chain found for one file of one
 * build, keyed by (build id, path, sha256), so that resolving a build again is a lookup.
 * An entry holds everything components_resolve() needs to rebuild the file's component
 * without running the chain (components.h).  All SQL is in src/store/compcache.c.
 */
#ifndef ASBUILT_COMPCACHE_H
#define ASBUILT_COMPCACHE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* One cached resolution.  path and kind are required; sha256 NULL is stored as '' (a file
 * without a hash); the other strings may be NULL.  The component fields are what the
 * resolver said about this file (components.h, struct component), the file fields what
 * belongs to the file alone. */
struct compcache_entry {
	const char *path, *sha256;
	const char *kind; /* "deb", "rpm", "apk", "git", "project", "unresolved", ...; "none":
			   * a fetched artifact nothing identified (not a component) */
	const char *name, *version, *purl, *cpe;
	const char *license;	   /* declared by the package metadata */
	const char *identified_by; /* "dpkg database owns /usr/include/zlib.h" */
	const char *download_location, *homepage, *supplier;
	const char *remote_url, *commit, *superproject; /* git */
	int dirty;				       /* git: 1, 0, -1 unknown */
	const char *const *evidence;		       /* n_evidence metadata file paths */
	size_t n_evidence;
	const char *file_license; /* the file's SPDX-License-Identifier expression */
	int runtime, prebuilt, fetched; /* the file's flags, 0 or 1 */
};

/* Stores e for build_id, replacing an earlier entry of the same path and sha256.
 * Returns 0, -EINVAL (no path or kind), -ENOMEM or -EIO (a read-only database, ...).  The
 * caller chooses the transaction. */
int compcache_put(struct store *st, int64_t build_id, const struct compcache_entry *e);

/* Looks up (build_id, path, sha256 or NULL) and calls fn with the entry (its strings are
 * borrowed for the call only; copy what you keep).  Returns fn's return value, -ENOENT when
 * there is no entry, or -EIO (also for an entry whose evidence is not a JSON array of
 * strings). */
int compcache_get(struct store *st, int64_t build_id, const char *path, const char *sha256,
		  int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx);

/* Calls fn for every entry of build_id, ordered by path; a non-zero return of fn stops the
 * walk and is returned.  Otherwise 0, or -EIO. */
int compcache_each(struct store *st, int64_t build_id,
		   int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx);

/* Removes every entry of build_id (to resolve it afresh).  Returns 0 or -EIO. */
int compcache_clear(struct store *st, int64_t build_id);

#endif /* ASBUILT_COMPCACHE_H */
