/*
 * hashcache.h - hashes each unchanged file once per build.  Keyed by the identity a file
 * had when it was used: (dev, inode, size, mtime, ctime).  A key whose file changed since
 * its use is never hashed under that key: hashcache_get() reports the change instead.
 */
#ifndef ASBUILT_HASHCACHE_H
#define ASBUILT_HASHCACHE_H

#include <stdint.h>

#include "asbuilt/hash.h"
#include "asbuilt/map.h"

struct hc_key {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
};

struct hashstore;

struct hashcache {
	struct u64map map; /* hash of key -> chain of entries */
	struct hashstore *persist; /* the user's cache across builds (hashstore.h), or NULL */
	uint64_t hits, misses, bytes_hashed;
	uint64_t persist_hits; /* of hits: found in persist */
};

/* Fills key from a struct stat. */
void hc_key_from_stat(struct hc_key *k, const struct stat *st);

/* Whether a file with identity now still has the content it had with identity was: the
 * same identity, or only the change time moved on (a chmod, a new link or name). */
int hc_key_same_content(const struct hc_key *was, const struct hc_key *now);

/* Result of hashcache_get(). */
enum hc_status { HC_OK, HC_CHANGED, HC_VANISHED, HC_UNREADABLE, HC_DIR };

/* Hash of the file at path as it was when its identity was *want (NULL: as it is now; the
 * identity found is stored back in *found when non-NULL).  Returns HC_OK and fills out, or
 * another status (out untouched). */
enum hc_status hashcache_get(struct hashcache *hc, const char *path, const struct hc_key *want,
			     struct hc_key *found, struct hash_result *out);

/* Whether the hash of the file at path with identity *want is known (here or in the
 * user's cache, which it then loads): hashcache_get would not read the file. */
int hashcache_known(struct hashcache *hc, const char *path, const struct hc_key *want);

/* Keeps h, hashed by the caller, as the hash of identity k of the file at path (and in
 * the user's cache, when the file still has that identity and is under a system
 * directory), counted like a file hashcache_get read. */
void hashcache_put(struct hashcache *hc, const char *path, const struct hc_key *k,
		   const struct hash_result *h);

/* Frees all entries; the struct may be reused. */
void hashcache_release(struct hashcache *hc);

#endif /* ASBUILT_HASHCACHE_H */
