/*
 * hashstore.h - the user's persistent hash cache: the hashes of system files
 * (the compiler, its libraries, system headers) kept from one recorded build to
 * the next, so that a rebuild does not read cc1's 33 MB or libLLVM's 110 MB
 * again.
 *
 * An entry is keyed by the whole identity a file had when it was hashed: (dev,
 * inode, size, mtime, ctime), all to the nanosecond.  Any change to a file's
 * content changes its ctime (which only the kernel sets), so an entry whose key
 * still matches the identity a build saw at use is that content's hash.  Only
 * files under the system directories are kept (hashstore_eligible); files of
 * the build tree are always hashed.
 *
 * The cache is a SQLite file (default
 * ${XDG_CACHE_HOME:-~/.cache}/asbuilt/hashes.sqlite, mode 0600); several builds
 * may share it.  New entries are written in one transaction by
 * hashstore_close(), which also notes when an entry was last used (to the day:
 * HASHSTORE_TOUCH_S) and, once a day, forgets entries unused for
 * HASHSTORE_MAX_AGE_DAYS.  A rebuild that finds every hash in the cache writes
 * nothing.
 */
#ifndef ASBUILT_HASHSTORE_H
#define ASBUILT_HASHSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/hash.h"
#include "asbuilt/hashcache.h"

#define HASHSTORE_MAX_AGE_DAYS 60
/* an entry's last use is written again only when the one stored is older than this; the
 * stale entries are looked for at most this often */
#define HASHSTORE_TOUCH_S 86400

struct hashstore;

/* Where the cache lives: $ASBUILT_HASH_CACHE when set ("off" or empty: NULL, no
 * cache), else $XDG_CACHE_HOME/asbuilt/hashes.sqlite when XDG_CACHE_HOME is an
 * absolute path and the process runs as the user who set it, else <home of the
 * effective user>/.cache/asbuilt/ hashes.sqlite.  Writes the path into buf and
 * returns buf, or NULL for no cache. */
const char *hashstore_default_path(char *buf, size_t len);

/* Opens (creating it and its directory, mode 0700/0600) the cache at path.
 * Returns 0 and *out (free with hashstore_close), or a negative errno (-EIO:
 * not a usable cache file). */
int hashstore_open(const char *path, struct hashstore **out);

/* Whether files at path are kept in the cache (system directories only). */
int hashstore_eligible(const char *path);

/* Looks up the hash of the content with identity *k.  Returns 1 and fills *out,
 * 0 when there is none, or a negative errno on a database error. */
int hashstore_get(struct hashstore *hs, const struct hc_key *k, struct hash_result *out);

/* Queues an entry (written by hashstore_close).  Failures to queue are ignored:
 * a missing entry costs time, not correctness. */
void hashstore_put(struct hashstore *hs, const struct hc_key *k, const char *path,
		   const struct hash_result *h);

/* Entries found and entries queued so far. */
void hashstore_counts(const struct hashstore *hs, uint64_t *hits, uint64_t *puts);

/* Writes the queued entries and marks the used ones not marked for a day, forgets
 * stale ones when it has not for a day, closes and frees.  Returns 0 or -EIO
 * (nothing written).  Accepts NULL. */
int hashstore_close(struct hashstore *hs);

#endif /* ASBUILT_HASHSTORE_H */
