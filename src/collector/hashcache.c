/* hashcache.c - stat-keyed cache of content hashes. */
#include "asbuilt/hashcache.h"
#include "asbuilt/hashstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct hc_entry {
	struct hc_key key;
	struct hash_result h;
	struct hc_entry *next;
};

void hc_key_from_stat(struct hc_key *k, const struct stat *st)
{
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	k->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/* Not of the change time: the entries of a file that only that moved share a chain. */
static uint64_t key_hash(const struct hc_key *k)
{
	uint64_t h = k->ino * 0x9e3779b97f4a7c15ULL;
	h ^= k->dev + (h << 6) + (h >> 2);
	h ^= k->size + (h << 6) + (h >> 2);
	h ^= (uint64_t)k->mtime_ns + (h << 6) + (h >> 2);
	return h;
}

static int key_eq(const struct hc_key *a, const struct hc_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Whether the file with identity now still has the content it had with identity was:
 * the same, or only the change time moved on (chmod, chown, a new link or name: the
 * metadata changed; a write would have moved the modification time too, as it does
 * whenever it moves the change time). */
int hc_key_same_content(const struct hc_key *was, const struct hc_key *now)
{
	return now->dev == was->dev && now->ino == was->ino && now->size == was->size &&
	       now->mtime_ns == was->mtime_ns && now->ctime_ns >= was->ctime_ns;
}

/* The entry of identity k, or else one whose content k still has (only the change time
 * moved since it was hashed: a chmod between the write and the read, say). */
static struct hc_entry *lookup(struct hashcache *hc, const struct hc_key *k)
{
	struct hc_entry *same = NULL;

	for (struct hc_entry *e = u64map_get(&hc->map, key_hash(k)); e; e = e->next) {
		if (key_eq(&e->key, k))
			return e;
		if (!same && hc_key_same_content(&e->key, k))
			same = e;
	}
	return same;
}

static void insert(struct hashcache *hc, const struct hc_key *k, const struct hash_result *h)
{
	struct hc_entry *e = malloc(sizeof(*e));
	uint64_t kh = key_hash(k);

	if (!e)
		return; /* a cache miss later costs time, not correctness */
	e->key = *k;
	e->h = *h;
	e->next = u64map_get(&hc->map, kh);
	if (u64map_put(&hc->map, kh, e))
		free(e);
}

/* Keeps h for the next builds, when the file still has the identity k it had before it was
 * read (a same-size rewrite during the read would otherwise be remembered). */
static void persist(struct hashcache *hc, const char *path, const struct hc_key *k,
		    const struct hash_result *h)
{
	struct hc_key after;
	struct stat st;

	if (stat(path, &st) != 0)
		return;
	hc_key_from_stat(&after, &st);
	if (key_eq(&after, k))
		hashstore_put(hc->persist, k, path, h);
}

void hashcache_put(struct hashcache *hc, const char *path, const struct hc_key *k,
		   const struct hash_result *h)
{
	hc->misses++;
	hc->bytes_hashed += h->size;
	insert(hc, k, h);
	if (hc->persist && hashstore_eligible(path))
		persist(hc, path, k, h);
}

enum hc_status hashcache_get(struct hashcache *hc, const char *path, const struct hc_key *want,
			     struct hc_key *found, struct hash_result *out)
{
	struct hc_entry *e;
	struct hash_result h;
	struct hc_key now;
	struct stat st;
	int rc;

	if (!want) { /* as it is now: look it up by its current identity */
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			hc_key_from_stat(&now, &st);
			want = &now;
		}
	}
	e = want ? lookup(hc, want) : NULL;

	if (e) {
		hc->hits++;
		*out = e->h;
		if (found)
			*found = e->key;
		return HC_OK;
	}
	if (want && hc->persist && hashstore_eligible(path) &&
	    hashstore_get(hc->persist, want, &h) == 1) {
		insert(hc, want, &h);
		hc->hits++;
		hc->persist_hits++;
		*out = h;
		if (found)
			*found = *want;
		return HC_OK;
	}
	rc = hash_path(path, &st, &h);
	if (rc == -EISDIR)
		return HC_DIR;
	if (rc == -ENOENT || rc == -ENOTDIR)
		return HC_VANISHED;
	if (rc == -EIO)
		return HC_CHANGED; /* size changed while we read: still being written */
	if (rc)
		return HC_UNREADABLE;
	struct hc_key want_copy = want ? *want : (struct hc_key){ 0 };
	hc_key_from_stat(&now, &st);
	if (found)
		*found = now;
	hashcache_put(hc, path, &now, &h);
	if (want && !hc_key_same_content(&want_copy, &now))
		return HC_CHANGED;
	*out = h;
	return HC_OK;
}

int hashcache_known(struct hashcache *hc, const char *path, const struct hc_key *want)
{
	struct hash_result h;

	if (lookup(hc, want))
		return 1;
	if (hc->persist && hashstore_eligible(path) && hashstore_get(hc->persist, want, &h) == 1) {
		insert(hc, want, &h);
		hc->persist_hits++;
		return 1;
	}
	return 0;
}

static void free_chain(uint64_t key, void *value, void *ctx)
{
	for (struct hc_entry *e = value, *n; e; e = n) {
		n = e->next;
		free(e);
	}
}

void hashcache_release(struct hashcache *hc)
{
	u64map_each(&hc->map, free_chain, NULL);
	u64map_release(&hc->map);
	memset(hc, 0, sizeof(*hc));
}
