/* components_cache.c - components_resolve() and the resolution cache of the database
 * (compcache.h): a file with an entry skips the chain; what the chain resolved is written
 * back at the end, in one transaction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/compcache.h"
#include "asbuilt/store.h"
#include "components_internal.h"

#define NEVIDENCE (sizeof(((struct comp_cand *)0)->evidence) / sizeof(char *))

/* What a lookup wants and where the hit goes. */
struct hit {
	const struct comp_ctx *x;
	unsigned in;
	int artifact;
	struct comp_cand *c;
	char **license;
	unsigned *flags;
};

static int kind_of(const char *s, enum component_kind *k)
{
	for (int i = 0; s && i <= COMPONENT_UNRESOLVED; i++) {
		if (!strcmp(s, components_kind_name((enum component_kind)i))) {
			*k = (enum component_kind)i;
			return 0;
		}
	}
	return -1;
}

/* Copies the component fields of e into c.  Returns 0 or -ENOMEM (c then released). */
static int cand_from(const struct compcache_entry *e, enum component_kind k,
		     struct comp_cand *c)
{
	int oom = 0;

	c->kind = k;
	c->name = comp_strdup(e->name, &oom);
	c->version = comp_strdup(e->version, &oom);
	c->purl = comp_strdup(e->purl, &oom);
	c->cpe = comp_strdup(e->cpe, &oom);
	c->license = comp_strdup(e->license, &oom);
	c->download_location = comp_strdup(e->download_location, &oom);
	c->homepage = comp_strdup(e->homepage, &oom);
	c->supplier = comp_strdup(e->supplier, &oom);
	c->remote_url = comp_strdup(e->remote_url, &oom);
	c->commit = comp_strdup(e->commit, &oom);
	c->superproject = comp_strdup(e->superproject, &oom);
	c->dirty = e->dirty;
	for (size_t i = 0; i < e->n_evidence; i++)
		c->evidence[i] = comp_strdup(e->evidence[i], &oom);
	c->identified_by = comp_strdup(e->identified_by, &oom);
	if (oom)
		comp_cand_release(c);
	return oom ? -ENOMEM : 0;
}

/* compcache_get() callback: 1 hit, 2 an artifact that is not a component, 0 an entry that
 * does not fit (another way of reaching the file, an unknown kind), -ENOMEM. */
static int take(const struct compcache_entry *e, void *ctx)
{
	struct hit *h = ctx;
	unsigned in = (e->runtime ? COMP_F_RUNTIME : 0) | (e->fetched ? COMP_F_FETCHED : 0);
	enum component_kind k;
	int oom = 0;

	if (in != h->in || !e->kind)
		return 0;
	if (!strcmp(e->kind, "none"))
		return h->artifact ? 2 : 0;
	if (kind_of(e->kind, &k) || e->n_evidence > NEVIDENCE)
		return 0;
	if (cand_from(e, k, h->c))
		return -ENOMEM;
	*h->license = h->x->o.no_licscan ? NULL : comp_strdup(e->file_license, &oom);
	if (oom) {
		comp_cand_release(h->c);
		return -ENOMEM;
	}
	*h->flags = in | (e->prebuilt ? COMP_F_PREBUILT : 0);
	return 1;
}

int comp_cache_lookup(struct comp_ctx *x, const char *path, const char *sha256,
		      unsigned flags_in, int artifact, struct comp_cand *c, char **license,
		      unsigned *flags)
{
	struct hit h = { x, flags_in, artifact, c, license, flags };
	int rc;

	if (!x->o.cache || x->o.refresh || x->cache_off)
		return 0;
	rc = compcache_get(x->o.cache, x->o.cache_build, path, sha256, take, &h);
	if (rc == 1)
		x->ncached++;
	if (rc == -EIO)
		x->cache_off = 1; /* no table (an older database), a damaged entry: resolve */
	return rc == 1 || rc == 2 || rc == -ENOMEM ? rc : 0;
}

/* A deep copy of c into d.  Returns 0 or -ENOMEM (d then released). */
static int cand_copy(struct comp_cand *d, const struct comp_cand *c)
{
	int oom = 0;

	d->kind = c->kind;
	d->name = comp_strdup(c->name, &oom);
	d->version = comp_strdup(c->version, &oom);
	d->purl = comp_strdup(c->purl, &oom);
	d->cpe = comp_strdup(c->cpe, &oom);
	d->license = comp_strdup(c->license, &oom);
	d->download_location = comp_strdup(c->download_location, &oom);
	d->homepage = comp_strdup(c->homepage, &oom);
	d->supplier = comp_strdup(c->supplier, &oom);
	d->remote_url = comp_strdup(c->remote_url, &oom);
	d->commit = comp_strdup(c->commit, &oom);
	d->superproject = comp_strdup(c->superproject, &oom);
	d->dirty = c->dirty;
	for (size_t i = 0; i < NEVIDENCE; i++)
		d->evidence[i] = comp_strdup(c->evidence[i], &oom);
	d->identified_by = comp_strdup(c->identified_by, &oom);
	if (oom)
		comp_cand_release(d);
	return oom ? -ENOMEM : 0;
}

static void pending_release(struct comp_pending *p)
{
	free(p->path);
	free(p->sha256);
	free(p->license);
	comp_cand_release(&p->c);
}

int comp_cache_note(struct comp_ctx *x, const char *path, const char *sha256,
		    const struct comp_cand *c, const char *license, unsigned flags)
{
	struct comp_pending *p;
	int oom = 0;

	if (!x->o.cache || x->o.no_licscan)
		return 0;
	if (x->npend == x->cappend) {
		size_t cap = x->cappend ? 2 * x->cappend : 64;
		if (!(p = realloc(x->pend, cap * sizeof(*p))))
			return -ENOMEM;
		x->pend = p;
		x->cappend = cap;
	}
	p = &x->pend[x->npend];
	memset(p, 0, sizeof(*p));
	p->path = comp_strdup(path, &oom);
	p->sha256 = comp_strdup(sha256, &oom);
	p->license = comp_strdup(license, &oom);
	p->flags = flags;
	p->none = !c;
	if (oom || (c && cand_copy(&p->c, c))) {
		pending_release(p);
		return -ENOMEM;
	}
	x->npend++;
	return 0;
}

static int put(struct comp_ctx *x, const struct comp_pending *p)
{
	const char *ev[NEVIDENCE];
	struct compcache_entry e = {
		.path = p->path, .sha256 = p->sha256,
		.kind = p->none ? "none" : components_kind_name(p->c.kind),
		.name = p->c.name, .version = p->c.version, .purl = p->c.purl, .cpe = p->c.cpe,
		.license = p->c.license, .identified_by = p->c.identified_by,
		.download_location = p->c.download_location, .homepage = p->c.homepage,
		.supplier = p->c.supplier, .remote_url = p->c.remote_url, .commit = p->c.commit,
		.superproject = p->c.superproject, .dirty = p->c.dirty, .evidence = ev,
		.file_license = p->license, .runtime = !!(p->flags & COMP_F_RUNTIME),
		.prebuilt = !!(p->flags & COMP_F_PREBUILT),
		.fetched = !!(p->flags & COMP_F_FETCHED),
	};

	for (size_t i = 0; i < NEVIDENCE; i++)
		if (p->c.evidence[i])
			ev[e.n_evidence++] = p->c.evidence[i];
	return compcache_put(x->o.cache, x->o.cache_build, &e);
}

void comp_cache_write(struct comp_ctx *x, int warned)
{
	struct store *st = x->o.cache;
	int keep = !warned && !x->o.no_licscan;

	if (!st || (!x->o.refresh && (!keep || !x->npend)))
		return;
	if (store_begin(st))
		return;
	if (x->o.refresh && compcache_clear(st, x->o.cache_build))
		goto fail;
	for (size_t i = 0; keep && i < x->npend; i++)
		if (put(x, &x->pend[i]))
			goto fail;
	if (!store_commit(st))
		return;
fail:
	store_rollback(st); /* a read-only database, a lock held too long: no cache */
}

void comp_cache_release(struct comp_ctx *x)
{
	for (size_t i = 0; i < x->npend; i++)
		pending_release(&x->pend[i]);
	free(x->pend);
	x->pend = NULL;
	x->npend = x->cappend = 0;
}
