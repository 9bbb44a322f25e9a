/* dpkghash.c - the hash table of dpkg.c's path index: (bytes, length) keys that point into
 * the .list buffers, equal keys chained through hent.next.  Declared in dpkg_internal.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dpkg_internal.h"
/* --- hash table of (bytes, length) keys; equal keys chain through hent.next -------------- */


uint32_t dpkg_hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The slot of key (k, len) with hash h: its own, or the empty one where it would go. */
static struct hslot *dpkg_ht_slot(const struct htab *t, const char *k, size_t len, uint32_t h)
{
	for (uint32_t i = h & t->mask;; i = (i + 1) & t->mask) {
		struct hslot *s = &t->slot[i];
		if (!s->idx || (s->hash == h && t->e[s->idx - 1].len == len &&
				memcmp(t->e[s->idx - 1].k, k, len) == 0))
			return s;
	}
}

long dpkg_ht_find(const struct htab *t, const char *k, size_t len)
{
	return t->slot ? (long)dpkg_ht_slot(t, k, len, dpkg_hash_bytes(k, len))->idx - 1 : -1;
}

/* Makes room for keys distinct keys in all (at most half the slots used).  0 or -ENOMEM. */
int dpkg_ht_reserve(struct htab *t, uint32_t keys)
{
	uint32_t cap = t->slot ? t->mask + 1 : 256;
	while (cap < keys * 2)
		cap *= 2;
	if (t->slot && cap == t->mask + 1)
		return 0;
	struct hslot *s = calloc(cap, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t j = 0; t->slot && j <= t->mask; j++) {
		uint32_t i = t->slot[j].hash & (cap - 1);
		while (t->slot[j].idx && s[i].idx)
			i = (i + 1) & (cap - 1);
		if (t->slot[j].idx)
			s[i] = t->slot[j];
	}
	free(t->slot);
	t->slot = s;
	t->mask = cap - 1;
	return 0;
}

/* Adds key (with hash h) -> val; a key already present gets val appended to its chain. */
int dpkg_ht_add_h(struct htab *t, const char *k, size_t len, uint32_t h, uint32_t val)
{
	struct hslot *s;
	int rc;

	if (t->n == t->ecap) {
		uint32_t cap = t->ecap ? t->ecap * 2 : 64;
		struct hent *e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->ecap = cap;
	}
	if ((rc = dpkg_ht_reserve(t, t->heads + 1)) < 0)
		return rc;
	t->e[t->n] = (struct hent){ k, (uint32_t)len, h, val, 0, t->n + 1 };
	s = dpkg_ht_slot(t, k, len, h);
	if (s->idx) {
		struct hent *head = &t->e[s->idx - 1];
		t->e[head->last - 1].next = t->n + 1;
		head->last = t->n + 1;
	} else {
		*s = (struct hslot){ h, t->n + 1 };
		t->heads++;
	}
	t->n++;
	return 0;
}

int dpkg_ht_add(struct htab *t, const char *k, size_t len, uint32_t val)
{
	return dpkg_ht_add_h(t, k, len, dpkg_hash_bytes(k, len), val);
}

void dpkg_ht_release(struct htab *t)
{
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

