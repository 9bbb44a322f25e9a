/* gitoids.c - the recorded gitoids of a build's versions, by graph index
 * (gitoids.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/gitoids.h"
#include "asbuilt/graph.h"
#include "asbuilt/map.h"
#include "asbuilt/provq.h"

struct loader {
	struct gitoids *t;
	struct u64map idx; /* version id -> index + 1 */
};

static int on_gitoid(int64_t id, const char *g1, const char *g256, void *ctx)
{
	struct loader *L = ctx;
	uintptr_t i = (uintptr_t)u64map_get(&L->idx, (uint64_t)id);

	if (!i || !g1 || !g256 || strlen(g1) != 40 || strlen(g256) != 64)
		return 0;
	memcpy(L->t->sha1[i - 1], g1, 41);
	memcpy(L->t->sha256[i - 1], g256, 65);
	return 0;
}

int gitoids_load(struct store *st, const struct graph *g, struct gitoids *out)
{
	struct loader L = { .t = out };
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	out->sha1 = calloc(g->nv + 1, sizeof(*out->sha1));
	out->sha256 = calloc(g->nv + 1, sizeof(*out->sha256));
	if (!out->sha1 || !out->sha256)
		goto fail;
	out->n = g->nv;
	for (size_t i = 0; i < g->nv; i++)
		if (u64map_put(&L.idx, (uint64_t)g->v[i].id, (void *)(uintptr_t)(i + 1)))
			goto fail;
	rc = provq_each_gitoid(st, g->build_id, on_gitoid, &L);
	if (rc)
		goto fail;
	u64map_release(&L.idx);
	return 0;
fail:
	u64map_release(&L.idx);
	gitoids_release(out);
	return rc;
}

void gitoids_release(struct gitoids *t)
{
	if (!t)
		return;
	free(t->sha1);
	free(t->sha256);
	memset(t, 0, sizeof(*t));
}

const char *gitoids_sha256(const struct gitoids *t, int vi)
{
	if (vi < 0 || (size_t)vi >= t->n || !t->sha256[vi][0])
		return NULL;
	return t->sha256[vi];
}

const char *gitoids_sha1(const struct gitoids *t, int vi)
{
	if (vi < 0 || (size_t)vi >= t->n || !t->sha1[vi][0])
		return NULL;
	return t->sha1[vi];
}
