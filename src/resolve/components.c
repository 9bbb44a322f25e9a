/* components.c - the chain of resolvers over the inputs of a build's artifacts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/components.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/licscan.h"
#include "asbuilt/map.h"
#include "asbuilt/resolve_apk.h"
#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/resolve_git.h"
#include "asbuilt/resolve_rpm.h"
#include "asbuilt/steps.h"
#include "components_internal.h"

struct citem {
	struct component c;
	size_t fcap;
};

struct component_set {
	struct citem *it;
	size_t n, cap;
	char **warn;
	size_t nwarn;
	size_t ncached;
};

/* --- small helpers shared with components_fetch.c ---------------------------------------- */

char *comp_strdup(const char *s, int *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = 1;
	return d;
}

char *comp_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

void comp_pct(void *file, const char *s, size_t n, const char *keep)
{
	FILE *f = file;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr(".-_~", ch) || (ch && strchr(keep, ch)))
			fputc(ch, f);
		else
			fprintf(f, "%%%02X", ch);
	}
}

void comp_cand_release(struct comp_cand *c)
{
	char **s[] = { &c->name, &c->version, &c->purl, &c->cpe, &c->license,
		       &c->download_location, &c->homepage, &c->supplier, &c->remote_url,
		       &c->commit, &c->superproject, &c->identified_by, &c->evidence[0],
		       &c->evidence[1], &c->evidence[2] };

	for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
		free(*s[i]);
	memset(c, 0, sizeof(*c));
}

const char *components_kind_name(enum component_kind k)
{
	static const char *const names[] = { "deb",	"rpm",	  "apk",     "npm",
					     "pypi",	"cargo",  "golang",  "generic",
					     "git",	"project", "unresolved" };
	return (unsigned)k < sizeof(names) / sizeof(*names) ? names[k] : "unresolved";
}

/* --- the set ------------------------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static struct citem *find_item(struct component_set *s, const struct comp_cand *c)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct component *k = &s->it[i].c;
		if (k->kind == c->kind && same(k->name, c->name) && same(k->version, c->version) &&
		    same(k->purl, c->purl))
			return &s->it[i];
	}
	return NULL;
}

static int add_evidence(struct component *k, char **e)
{
	const char **n;

	if (!*e)
		return 0;
	for (size_t i = 0; i < k->n_evidence; i++)
		if (!strcmp(k->evidence[i], *e))
			return 0;
	if (!(n = realloc(k->evidence, (k->n_evidence + 1) * sizeof(*n))))
		return -ENOMEM;
	k->evidence = n;
	k->evidence[k->n_evidence++] = *e;
	*e = NULL;
	return 0;
}

/* The component c names, created from c (which it empties) when new. */
static struct citem *item_for(struct component_set *s, struct comp_cand *c)
{
	struct citem *it = find_item(s, c);
	struct component *k;

	if (!it) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			if (!(it = realloc(s->it, cap * sizeof(*it))))
				return NULL;
			s->it = it;
			s->cap = cap;
		}
		it = &s->it[s->n++];
		memset(it, 0, sizeof(*it));
		k = &it->c;
		k->kind = c->kind;
		k->name = c->name, k->version = c->version, k->purl = c->purl, k->cpe = c->cpe;
		k->license = c->license, k->download_location = c->download_location;
		k->homepage = c->homepage, k->supplier = c->supplier;
		k->remote_url = c->remote_url, k->commit = c->commit;
		k->superproject = c->superproject, k->dirty = c->dirty;
		c->name = c->version = c->purl = c->cpe = c->license = NULL;
		c->download_location = c->homepage = c->supplier = NULL;
		c->remote_url = c->commit = c->superproject = NULL;
	}
	for (int i = 0; i < 3; i++)
		if (add_evidence(&it->c, &c->evidence[i]))
			return NULL;
	return it;
}

/* Adds path to the component c names; takes *lic (its license expression, or NULL). */
static int add_file(struct comp_ctx *x, struct comp_cand *c, const char *path, const char *sha256,
		    int vi, unsigned flags, char **lic)
{
	struct citem *it = item_for(x->set, c);
	struct component_file *f;

	if (!it)
		return -ENOMEM;
	if (it->c.n_files == it->fcap) {
		size_t cap = it->fcap ? 2 * it->fcap : 8;
		if (!(f = realloc(it->c.files, cap * sizeof(*f))))
			return -ENOMEM;
		it->c.files = f;
		it->fcap = cap;
	}
	f = &it->c.files[it->c.n_files];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->sha256 = sha256 ? strdup(sha256) : NULL;
	f->license = *lic;
	*lic = NULL;
	f->identified_by = c->identified_by;
	c->identified_by = NULL;
	f->version = vi;
	f->runtime = !!(flags & COMP_F_RUNTIME);
	f->prebuilt = !!(flags & COMP_F_PREBUILT);
	f->fetched = !!(flags & COMP_F_FETCHED);
	it->c.n_files++;
	return f->path && (!sha256 || f->sha256) ? 0 : -ENOMEM;
}

static int load_chain(struct comp_ctx *x);

/* Runs the chain on path (see resolve_path()): fills *c, *lic and *flags and returns 0,
 * 1 for an artifact that is not a component, or -ENOMEM. */
static int run_chain(struct comp_ctx *x, const char *path, int vi, int fetched, int artifact,
		     struct comp_cand *c, char **lic, unsigned *flags)
{
	int binary, rc;

	if (!x->loaded && (rc = load_chain(x)))
		return rc;
	binary = comp_is_binary(path);
	if ((rc = comp_identify(x, path, vi, binary, c)))
		return rc;
	if (fetched && (c->kind == COMPONENT_UNRESOLVED || c->kind == COMPONENT_PROJECT)) {
		if (artifact)
			return 1;
		comp_cand_release(c);
		c->kind = COMPONENT_UNRESOLVED;
		if (!(c->identified_by = comp_fmt("written by a download or package-manager step "
						  "of the build, not identified")))
			return -ENOMEM;
	}
	if (binary && (c->kind == COMPONENT_UNRESOLVED || c->kind == COMPONENT_GIT))
		*flags |= COMP_F_PREBUILT;
	if (!x->o.no_licscan && !binary)
		licscan_file(path, lic); /* unreadable or invalid: no expression */
	return 0;
}

/* Resolves path and adds it to its component.  fetched: a file a fetch step wrote; then an
 * artifact (vi is an artifact, not an input) is added only when it resolved. */
static int resolve_path(struct comp_ctx *x, const char *path, const char *sha256, int vi,
			int runtime, int fetched, int artifact)
{
	struct comp_cand c = { 0 };
	unsigned in = (runtime ? COMP_F_RUNTIME : 0) | (fetched ? COMP_F_FETCHED : 0), flags;
	char *lic = NULL;
	int rc;

	if (strmap_get(&x->seen, path))
		return 0;
	rc = comp_cache_lookup(x, path, sha256, in, artifact, &c, &lic, &flags);
	if (rc == 0) { /* not cached: the chain, and a note for the cache */
		flags = in;
		rc = run_chain(x, path, vi, fetched, artifact, &c, &lic, &flags);
		if (rc >= 0 && comp_cache_note(x, path, sha256, rc ? NULL : &c, lic, flags))
			rc = -ENOMEM;
		if (rc) {
			rc = rc > 0 ? 0 : rc; /* an artifact that is not a component */
			goto out;
		}
	} else if (rc != 1) {
		rc = rc == 2 ? 0 : rc;
		goto out;
	}
	if (strmap_put(&x->seen, path, (void *)1)) {
		rc = -ENOMEM;
		goto out;
	}
	rc = add_file(x, &c, path, sha256, vi, flags, &lic);
out:
	free(lic);
	comp_cand_release(&c);
	return rc;
}

/* --- walking the graph ------------------------------------------------------------------- */

static int fetched_version(struct comp_ctx *x, int vi)
{
	const struct graph_version *w = &x->g->v[vi];

	return (w->flags & GRAPH_V_WRITTEN) && !(w->flags & GRAPH_V_TEMP) &&
	       comp_fetch_step(x->fetch, w->step);
}

/* Like graph_closure() of every artifact, but a version a download or package-manager
 * step wrote is a component file (what was fetched) and its own inputs (the package
 * manager's files, certificates, configuration) are not followed.  Artifacts such a step
 * wrote are listed when they resolve. */
static int walk(struct comp_ctx *x, const struct graph_ivec *arts)
{
	const struct graph *g = x->g;
	char *seen = calloc(g->nv + 1, 1);
	struct graph_ivec q = { 0 }, files = { 0 };
	int rc = -ENOMEM;

	if (!seen)
		return -ENOMEM;
	for (size_t k = 0; k < arts->n; k++) {
		int a = arts->v[k];

		if (seen[a])
			continue;
		seen[a] = 1;
		if (fetched_version(x, a)) {
			if ((rc = resolve_path(x, g->v[a].path, g->v[a].sha256, a, 0, 1, 1)))
				goto out;
			rc = -ENOMEM;
		} else if (graph_ivec_push(&q, a)) {
			goto out;
		}
	}
	for (size_t h = 0; h < q.n; h++) {
		const struct graph_version *v = &g->v[q.v[h]];
		const struct graph_ivec *bt = v->step >= 0 ? &g->s[v->step].btools : NULL;
		size_t nin = v->in.n, nb = bt ? bt->n : 0;

		for (size_t k = 0; k < nin + nb; k++) {
			int y = k < nin ? v->in.v[k] : bt->v[k - nin];
			const struct graph_version *w = &g->v[y];

			if (seen[y] || (w->flags & GRAPH_V_PROBE))
				continue;
			seen[y] = 1;
			if (!(w->flags & (GRAPH_V_WRITTEN | GRAPH_V_TEMP)) || fetched_version(x, y)) {
				if (graph_ivec_push(&files, y))
					goto out;
			} else if (graph_ivec_push(&q, y)) {
				goto out;
			}
		}
	}
	graph_sort_by_path(g, &files);
	for (size_t k = 0; k < files.n; k++) {
		const struct graph_version *w = &g->v[files.v[k]];
		if ((rc = resolve_path(x, w->path, w->sha256, files.v[k], 0,
				       !!(w->flags & GRAPH_V_WRITTEN), 0)))
			goto out;
	}
	rc = 0;
out:
	graph_ivec_release(&files);
	graph_ivec_release(&q);
	free(seen);
	return rc;
}

/* The libraries binary loads at run time, resolved like the dynamic loader, recursively. */
static int add_needed(struct comp_ctx *x, const char *binary, int depth)
{
	struct elfinfo *ei;
	char **paths = NULL;
	int rc = 0;

	if (depth > 16 || elfinfo_read(binary, &ei))
		return 0;
	if (elfinfo_resolve_needed(ei, binary, &paths) == 0) {
		for (size_t i = 0; i < ei->n_needed && !rc; i++) {
			int v = paths[i] ? graph_latest(x->g, paths[i]) : -1;
			struct hash_result h;
			struct stat sb;

			if (!paths[i] || strmap_get(&x->seen, paths[i]))
				continue;
			if (v >= 0 && (x->g->v[v].flags & GRAPH_V_WRITTEN))
				continue; /* a library this build made: its inputs are counted */
			rc = resolve_path(x, paths[i], hash_path(paths[i], &sb, &h) ? NULL : h.sha256,
					  v, 1, 0, 0);
			if (!rc)
				rc = add_needed(x, paths[i], depth + 1);
		}
	}
	elfinfo_paths_free(paths, ei->n_needed);
	elfinfo_free(ei);
	return rc;
}

/* --- finishing: licenses, order ---------------------------------------------------------- */

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_file(const void *a, const void *b)
{
	return strcmp(((const struct component_file *)a)->path,
		      ((const struct component_file *)b)->path);
}

static int nullcmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int by_comp(const void *a, const void *b)
{
	const struct component *p = &((const struct citem *)a)->c;
	const struct component *q = &((const struct citem *)b)->c;
	int r = strcmp(components_kind_name(p->kind), components_kind_name(q->kind));

	if (!r)
		r = nullcmp(p->name, q->name);
	if (!r)
		r = nullcmp(p->version, q->version);
	return r ? r : nullcmp(p->purl, q->purl);
}

static int finish(struct component_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct component *k = &s->it[i].c;

		qsort(k->files, k->n_files, sizeof(*k->files), by_file);
		k->identified_by = k->n_files ? k->files[0].identified_by : NULL;
		for (size_t j = 0; j < k->n_files; j++) {
			const char *l = k->files[j].license, **n;
			size_t m;

			for (m = 0; l && m < k->n_licenses_found && strcmp(k->licenses_found[m], l); m++)
				;
			if (!l || m < k->n_licenses_found)
				continue;
			if (!(n = realloc(k->licenses_found, (m + 1) * sizeof(*n))))
				return -ENOMEM;
			k->licenses_found = n;
			k->licenses_found[k->n_licenses_found++] = l; /* borrowed from the file */
		}
		if (k->n_licenses_found > 1)
			qsort(k->licenses_found, k->n_licenses_found, sizeof(char *), by_str);
	}
	qsort(s->it, s->n, sizeof(*s->it), by_comp);
	return 0;
}

/* --- API ---------------------------------------------------------------------------------- */

static int warn(struct component_set *s, const char *what, int err)
{
	char **n = realloc(s->warn, (s->nwarn + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	s->warn = n;
	if (!(s->warn[s->nwarn] = comp_fmt("cannot read the %s (%s); %s", what, strerror(-err),
					   "its files stay unresolved")))
		return -ENOMEM;
	s->nwarn++;
	return 0;
}

/* Loads the package databases and the work trees, for the first file not cached. */
static int load_chain(struct comp_ctx *x)
{
	int r;

	x->loaded = 1;
	if ((r = resolve_dpkg_load(&x->dpkg, x->root)) && r != -ENOENT && warn(x->set, "dpkg database", r))
		return -ENOMEM;
	if ((r = resolve_rpm_load(&x->rpm, x->root)) && r != -ENOENT && warn(x->set, "rpm database", r))
		return -ENOMEM;
	if ((r = resolve_apk_load(&x->apk, x->root)) && r != -ENOENT && warn(x->set, "apk database", r))
		return -ENOMEM;
	if ((r = resolve_git_new(&x->git)) && warn(x->set, "git work trees", r))
		return -ENOMEM;
	comp_fetch_set_git(x->fetch, x->git);
	return 0;
}

int components_resolve(struct graph *g, const struct graph_ivec *artifacts,
		       const struct components_opts *opts, struct component_set **out)
{
	struct comp_ctx x = { .g = g };
	int rc;

	*out = NULL;
	if (opts)
		x.o = *opts;
	x.root = x.o.root ? x.o.root : "/";
	if (!(x.set = calloc(1, sizeof(*x.set))))
		return -ENOMEM;
	if ((rc = comp_fetch_new(&x.fetch, g, NULL)) || (rc = walk(&x, artifacts)))
		goto out;
	for (size_t k = 0; !x.o.no_runtime && k < artifacts->n && !rc; k++)
		rc = add_needed(&x, g->v[artifacts->v[k]].path, 0);
	if (!rc)
		rc = finish(x.set);
out:
	if (!rc) {
		comp_cache_write(&x, x.set->nwarn > 0);
		x.set->ncached = x.ncached;
		*out = x.set;
		x.set = NULL;
	}
	comp_cache_release(&x);
	components_free(x.set);
	comp_fetch_free(x.fetch);
	resolve_git_free(x.git);
	resolve_apk_free(x.apk);
	resolve_rpm_free(x.rpm);
	resolve_dpkg_free(x.dpkg);
	strmap_release(&x.seen);
	return rc < 0 ? rc : rc ? -ENOMEM : 0;
}

size_t components_count(const struct component_set *s)
{
	return s ? s->n : 0;
}

const struct component *components_get(const struct component_set *s, size_t i)
{
	return s && i < s->n ? &s->it[i].c : NULL;
}

size_t components_ncached(const struct component_set *s)
{
	return s ? s->ncached : 0;
}

size_t components_nwarnings(const struct component_set *s)
{
	return s ? s->nwarn : 0;
}

const char *components_warning(const struct component_set *s, size_t i)
{
	return s && i < s->nwarn ? s->warn[i] : NULL;
}

void components_free(struct component_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct component *k = &s->it[i].c;
		const char *str[] = { k->name,	   k->version,		 k->purl,     k->cpe,
				      k->license,  k->download_location, k->homepage, k->supplier,
				      k->remote_url, k->commit,		 k->superproject };

		for (size_t j = 0; j < sizeof(str) / sizeof(*str); j++)
			free((void *)str[j]);
		for (size_t j = 0; j < k->n_files; j++) {
			free((void *)k->files[j].path);
			free((void *)k->files[j].sha256);
			free((void *)k->files[j].license);
			free((void *)k->files[j].identified_by);
		}
		for (size_t j = 0; j < k->n_evidence; j++)
			free((void *)k->evidence[j]);
		free(k->evidence);
		free(k->licenses_found);
		free(k->files);
	}
	free(s->it);
	for (size_t i = 0; i < s->nwarn; i++)
		free(s->warn[i]);
	free(s->warn);
	free(s);
}
