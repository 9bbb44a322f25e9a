/* map.c - open-addressing hash tables with linear probing. */
#include "asbuilt/map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
	char *key; /* NULL: empty */
	uint64_t hash;
	void *value;
};

struct u64map_slot {
	uint64_t key;
	int used; /* 0 empty, 1 used, 2 deleted */
	void *value;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct strmap_slot *str_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = h & (m->cap - 1);
	while (m->slots[i].key) {
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	return &m->slots[i];
}

static int str_grow(struct strmap *m)
{
	struct strmap old = *m;
	size_t cap = m->cap ? m->cap * 2 : 64;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*str_find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	free(old.slots);
	return 0;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct strmap_slot *s = str_find(m, key, hash_str(key));
	return s->key ? s->value : NULL;
}

int strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t h = hash_str(key);
	struct strmap_slot *s;

	if ((m->len + 1) * 4 > m->cap * 3 && str_grow(m))
		return -ENOMEM;
	s = str_find(m, key, h);
	if (!s->key) {
		s->key = strdup(key);
		if (!s->key)
			return -ENOMEM;
		s->hash = h;
		m->len++;
	}
	s->value = value;
	return 0;
}

void strmap_each(const struct strmap *m, void (*fn)(const char *, void *, void *), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].key, m->slots[i].value, ctx);
}

void u64map_release(struct u64map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* Finds key's slot, or the first free one on its probe path when absent. */
static struct u64map_slot *u64_find(const struct u64map *m, uint64_t key, int for_insert)
{
	size_t i = hash_u64(key) & (m->cap - 1);
	struct u64map_slot *tomb = NULL;

	while (m->slots[i].used) {
		if (m->slots[i].used == 1 && m->slots[i].key == key)
			return &m->slots[i];
		if (m->slots[i].used == 2 && !tomb)
			tomb = &m->slots[i];
		i = (i + 1) & (m->cap - 1);
	}
	return for_insert && tomb ? tomb : &m->slots[i];
}

static int u64_grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t cap = m->cap ? m->cap * 2 : 64;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->len = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].used == 1) {
			*u64_find(m, old.slots[i].key, 1) = old.slots[i];
			m->len++;
		}
	free(old.slots);
	return 0;
}

void *u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	struct u64map_slot *s = u64_find(m, key, 0);
	return s->used == 1 ? s->value : NULL;
}

int u64map_put(struct u64map *m, uint64_t key, void *value)
{
	struct u64map_slot *s;

	/* len counts used + deleted slots so probe chains always end */
	if ((m->len + 1) * 2 > m->cap && u64_grow(m))
		return -ENOMEM;
	s = u64_find(m, key, 1);
	if (s->used != 1) {
		if (s->used == 0)
			m->len++;
		s->used = 1;
		s->key = key;
	}
	s->value = value;
	return 0;
}

void *u64map_del(struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	struct u64map_slot *s = u64_find(m, key, 0);
	if (s->used != 1)
		return NULL;
	s->used = 2;
	return s->value;
}

void u64map_each(const struct u64map *m, void (*fn)(uint64_t, void *, void *), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].used == 1)
			fn(m->slots[i].key, m->slots[i].value, ctx);
}
