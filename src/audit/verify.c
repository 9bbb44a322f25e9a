/* verify.c - the expectations of asbuilt verify, re-hashing them, and their findings
 * (verify.h). */
#include "asbuilt/verify.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/hash.h"

const char *verify_status_name(enum verify_status st)
{
	static const char *const names[] = { "ok", "changed", "missing", "unknown", "unreadable" };

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

const char *verify_role_name(enum verify_role r)
{
	static const char *const names[] = { "artifact", "subject", "intermediate", "input",
					     "tool" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

static void item_release(struct verify_item *it)
{
	for (size_t i = 0; i < it->nrecorded; i++)
		free(it->recorded[i]);
	free(it->recorded);
	free(it->recorded_as);
	free(it->path);
}

void verify_release(struct verify_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		item_release(&s->items[i]);
	free(s->items);
	strmap_release(&s->by_key);
	memset(s, 0, sizeof(*s));
}

static int is_pseudo(const char *path)
{
	static const char *const dirs[] = { "/proc", "/dev", "/sys" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (!strncmp(path, dirs[i], n) && (path[n] == '/' || !path[n]))
			return 1;
	}
	return 0;
}

/* A new item for path in role (zeroed otherwise), or NULL on ENOMEM. */
static struct verify_item *new_item(struct verify_set *s, const char *path, enum verify_role role)
{
	struct verify_item *it;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct verify_item *p = realloc(s->items, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->items = p;
		s->cap = cap;
	}
	it = &s->items[s->n];
	memset(it, 0, sizeof(*it));
	if (!(it->path = strdup(path)))
		return NULL;
	it->role = role;
	s->n++;
	return it;
}

/* Adds sha256 to the contents accepted for it, first when front. */
static int add_recorded(struct verify_item *it, const char *sha256, int front)
{
	char **p, *dup;

	for (size_t i = 0; i < it->nrecorded; i++)
		if (!strcmp(it->recorded[i], sha256)) {
			if (front && i) {
				dup = it->recorded[i];
				it->recorded[i] = it->recorded[0];
				it->recorded[0] = dup;
			}
			return 0;
		}
	if (!(dup = strdup(sha256)) ||
	    !(p = realloc(it->recorded, (it->nrecorded + 1) * sizeof(*p)))) {
		free(dup);
		return -ENOMEM;
	}
	it->recorded = p;
	if (front) {
		memmove(p + 1, p, it->nrecorded * sizeof(*p));
		p[0] = dup;
	} else {
		p[it->nrecorded] = dup;
	}
	it->nrecorded++;
	return 0;
}

int verify_expect(struct verify_set *s, const char *path, const char *sha256, enum verify_role role)
{
	char key[4096 + 8];
	struct verify_item *it;
	void *v;
	int front = 0;

	if (is_pseudo(path)) {
		s->n_pseudo++;
		return 0;
	}
	snprintf(key, sizeof(key), "%c%s", role == VERIFY_SUBJECT ? 'S' : 'F', path);
	if ((v = strmap_get(&s->by_key, key))) {
		it = &s->items[(intptr_t)v - 1];
		if (role < it->role) {
			it->role = role;
			front = 1;
		}
	} else {
		if (!(it = new_item(s, path, role)))
			return -ENOMEM;
		if (strmap_put(&s->by_key, key, (void *)(intptr_t)s->n))
			return -ENOMEM;
	}
	return add_recorded(it, sha256, front);
}

/* Hashes it->path into it->current and it->err; 0 when hashed. */
static int hash_item(struct verify_item *it)
{
	struct hash_result h;
	struct stat st;
	int rc = hash_path(it->path, &st, &h);

	it->current[0] = '\0';
	it->err = rc < 0 ? -rc : 0;
	if (!rc)
		memcpy(it->current, h.sha256, sizeof(it->current));
	return rc;
}

int verify_add_named(struct verify_set *s, const char *path, const struct strmap *known)
{
	struct verify_item *it = new_item(s, path, VERIFY_ARTIFACT);
	const char *as;

	if (!it)
		return -ENOMEM;
	it->done = 1;
	it->status = VERIFY_UNKNOWN;
	if (hash_item(it) || !known || !(as = strmap_get(known, it->current)))
		return 0;
	it->status = VERIFY_OK;
	if (!(it->recorded_as = strdup(as)) || add_recorded(it, it->current, 1))
		return -ENOMEM;
	return 0;
}

static void check(struct verify_item *it)
{
	int rc = hash_item(it);

	if (rc == -ENOENT || rc == -ENOTDIR) {
		it->status = VERIFY_MISSING;
		return;
	}
	if (rc) {
		it->status = VERIFY_UNREADABLE;
		return;
	}
	it->status = VERIFY_CHANGED;
	for (size_t i = 0; i < it->nrecorded; i++)
		if (!strcmp(it->recorded[i], it->current))
			it->status = VERIFY_OK;
}

static int cmp_item(const void *a, const void *b)
{
	const struct verify_item *x = a, *y = b;

	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	return strcmp(x->path, y->path);
}

int verify_run(struct verify_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!s->items[i].done)
			check(&s->items[i]);
	qsort(s->items, s->n, sizeof(*s->items), cmp_item);
	/* the index points at the old order: rebuild it */
	strmap_release(&s->by_key);
	memset(&s->by_key, 0, sizeof(s->by_key));
	for (size_t i = 0; i < s->n; i++) {
		char key[4096 + 8];
		snprintf(key, sizeof(key), "%c%s", s->items[i].role == VERIFY_SUBJECT ? 'S' : 'F',
			 s->items[i].path);
		if (strmap_put(&s->by_key, key, (void *)(intptr_t)(i + 1)))
			return -ENOMEM;
	}
	return 0;
}

size_t verify_count(const struct verify_set *s, enum verify_status st)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->items[i].status == st;
	return n;
}
