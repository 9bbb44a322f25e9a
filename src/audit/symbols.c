/*
 * symbols.c - the symbols report of one recorded binary (symbols.h): the libraries it loads
 * and what it imports from each, attributed to components; the archive members are in
 * symbols_link.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/components.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/elfq.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/steps.h"
#include "asbuilt/symbols.h"
#include "symbols_internal.h"

/* --- name sets ---------------------------------------------------------------------------- */

int symbols_names_add(struct symbols_names *s, const char *name)
{
	char *d;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (!(d = strdup(name)))
		return -ENOMEM;
	s->v[s->n++] = d;
	return 0;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void symbols_names_sort(struct symbols_names *s)
{
	size_t k = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), by_str);
	for (size_t i = 1; i < s->n; i++) {
		if (!strcmp(s->v[k], s->v[i]))
			free(s->v[i]);
		else
			s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

int symbols_names_has(const struct symbols_names *s, const char *name)
{
	return s->n && bsearch(&name, s->v, s->n, sizeof(*s->v), by_str) != NULL;
}

void symbols_names_release(struct symbols_names *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* --- helpers shared with symbols_link.c ------------------------------------------------- */

int symbols_grow(void *arr, size_t n, size_t size)
{
	void **a = arr, *p;

	if (n & (n - 1)) /* neither 0 nor a power of two: there is room */
		return 0;
	p = realloc(*a, (n ? 2 * n : 1) * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	return 0;
}

char *symbols_dup(const char *s, int *rc)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*rc = -ENOMEM;
	return d;
}

int symbols_warn(struct symbols_ctx *x, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = symbols_names_add(&x->r->warnings, s);
	free(s);
	return rc;
}

int symbols_version_of(const struct graph *g, int64_t id)
{
	size_t lo = 0, hi = g->nv;

	while (lo < hi) { /* g->v is in id order */
		size_t mid = (lo + hi) / 2;

		if (g->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nv && g->v[lo].id == id ? (int)lo : -1;
}

int symbols_same_file(const char *path, const char *sha256, char **now)
{
	struct hash_result h;
	struct stat sb;

	if (now)
		*now = NULL;
	if (hash_path(path, &sb, &h))
		return 0;
	if (now && !(*now = strdup(h.sha256)))
		return -ENOMEM;
	return !sha256 || !strcmp(sha256, h.sha256);
}

/* --- components ---------------------------------------------------------------------------- */

/* Sets *idx to the index in r->comps of component c (added on first use).  0 or -ENOMEM. */
static int comp_index(struct symbols_ctx *x, const struct component *c, int *idx)
{
	struct symbols_report *r = x->r;
	struct symbols_component *d;
	void *known = u64map_get(&x->comp_idx, (uint64_t)(uintptr_t)c);
	int rc = 0;

	if (known) {
		*idx = (int)(intptr_t)known - 1;
		return 0;
	}
	if (symbols_grow(&r->comps, r->n_comps, sizeof(*r->comps)))
		return -ENOMEM;
	d = &r->comps[r->n_comps++];
	memset(d, 0, sizeof(*d));
	d->kind = symbols_dup(components_kind_name(c->kind), &rc);
	d->name = symbols_dup(c->name, &rc);
	d->version = symbols_dup(c->version, &rc);
	d->purl = symbols_dup(c->purl, &rc);
	if (rc || u64map_put(&x->comp_idx, (uint64_t)(uintptr_t)c, (void *)(intptr_t)r->n_comps))
		return -ENOMEM;
	*idx = (int)r->n_comps - 1;
	return 0;
}

/* The project's component: the set's, or one named after the build's directory. */
static int project_index(struct symbols_ctx *x, int *idx)
{
	const struct component *own = NULL;
	const char *base = strrchr(x->g->cwd, '/');

	for (size_t i = 0; i < components_count(x->set) && !own; i++)
		if (components_get(x->set, i)->kind == COMPONENT_PROJECT)
			own = components_get(x->set, i);
	if (own)
		return comp_index(x, own, idx);
	if (!x->project) {
		if (!(x->project = calloc(1, sizeof(*x->project))))
			return -ENOMEM;
		x->project->kind = COMPONENT_PROJECT;
		x->project->name = base && base[1] ? base + 1 : x->g->cwd;
	}
	return comp_index(x, x->project, idx);
}

/* The component the sources of version vi (a library or archive the build made) come from:
 * the one every source file of its closure belongs to, else the project. */
static int built_index(struct symbols_ctx *x, int vi, int *idx)
{
	struct graph_ivec in = { 0 };
	const struct component *c = NULL;
	int mixed = 0;

	if (graph_closure(x->g, vi, &in)) {
		graph_ivec_release(&in);
		return -ENOMEM;
	}
	for (size_t k = 0; k < in.n && !mixed; k++) {
		const char *p = x->g->v[in.v[k]].path;
		enum steps_fclass f = steps_fclass(p);
		const struct component *pc;

		if (f != STEPS_F_SOURCE && f != STEPS_F_ASM)
			continue;
		pc = strmap_get(&x->comp_of, p);
		mixed = !pc || (c && pc != c);
		c = pc;
	}
	graph_ivec_release(&in);
	if (c && !mixed && c->kind != COMPONENT_PROJECT)
		return comp_index(x, c, idx);
	return project_index(x, idx);
}

int symbols_component_of(struct symbols_ctx *x, const char *path, int built_vi, int *idx)
{
	const struct component *c;

	*idx = -1;
	if (built_vi >= 0)
		return built_index(x, built_vi, idx);
	c = path ? strmap_get(&x->comp_of, path) : NULL;
	return c ? comp_index(x, c, idx) : 0;
}

static int load_components(struct symbols_ctx *x, int vi, const struct components_opts *o)
{
	struct graph_ivec arts = { 0 };
	int rc = graph_ivec_push(&arts, vi);

	if (!rc)
		rc = components_resolve(x->g, &arts, o, &x->set);
	graph_ivec_release(&arts);
	for (size_t i = 0; !rc && i < components_count(x->set); i++) {
		const struct component *c = components_get(x->set, i);

		for (size_t k = 0; !rc && k < c->n_files; k++)
			rc = strmap_put(&x->comp_of, c->files[k].path, (void *)c);
	}
	return rc;
}

/* --- libraries ------------------------------------------------------------------------------ */

/* The index of the library at path in r->libs, or -1. */
static int lib_find(const struct symbols_report *r, const char *path)
{
	for (size_t i = 0; path && i < r->n_libs; i++)
		if (r->libs[i].path && !strcmp(r->libs[i].path, path))
			return (int)i;
	return -1;
}

static int lib_push(struct symbols_ctx *x, const char *needed, const char *path, const char *sha256,
		    int loader)
{
	struct symbols_report *r = x->r;
	struct symbols_library *l;
	int rc = symbols_grow(&r->libs, r->n_libs, sizeof(*r->libs));

	if (rc)
		return rc;
	l = &r->libs[r->n_libs++];
	memset(l, 0, sizeof(*l));
	l->loader = loader;
	l->component = -1;
	l->needed = symbols_dup(needed, &rc);
	l->path = symbols_dup(path, &rc);
	l->sha256 = symbols_dup(sha256, &rc);
	return rc;
}

static int needed_cb(const struct elfq_needed_row *n, void *ctx)
{
	return lib_push(ctx, n->name, n->resolved_path, n->resolved_sha256, -1);
}

static int import_cb(const struct elfq_import_row *i, void *ctx)
{
	struct symbols_ctx *x = ctx;
	struct symbols_report *r = x->r;
	struct symbols_import **v = &r->unresolved, *d;
	size_t *n = &r->n_unresolved;
	int rc = 0;

	for (size_t k = 0; i->library && k < r->n_libs; k++)
		if (r->libs[k].loader < 0 && !strcmp(r->libs[k].needed, i->library)) {
			v = &r->libs[k].imports;
			n = &r->libs[k].n_imports;
			break;
		}
	if (symbols_grow(v, *n, sizeof(**v)))
		return -ENOMEM;
	d = &(*v)[(*n)++];
	d->name = symbols_dup(i->name, &rc);
	d->version = symbols_dup(i->version, &rc);
	return rc;
}

/* Adds the libraries library li needs (read from its file) that are not listed yet. */
static int lib_needs(struct symbols_ctx *x, size_t li)
{
	struct elfinfo *ei = NULL;
	char **paths = NULL;
	int rc = 0;

	if (elfinfo_read(x->r->libs[li].path, &ei))
		return 0;
	if (elfinfo_resolve_needed(ei, x->r->libs[li].path, &paths))
		rc = -ENOMEM;
	for (size_t k = 0; !rc && k < ei->n_needed; k++) {
		int v = paths[k] ? graph_latest(x->g, paths[k]) : -1;

		if (paths[k] && lib_find(x->r, paths[k]) >= 0)
			continue;
		rc = lib_push(x, ei->needed[k], paths[k], v >= 0 ? x->g->v[v].sha256 : NULL,
			      (int)li);
	}
	elfinfo_paths_free(paths, ei->n_needed);
	elfinfo_free(ei);
	return rc;
}

/* Attributes library li to its component and reads its dynamic symbols and relocations
 * when its file still has the recorded content. */
static int lib_read(struct symbols_ctx *x, size_t li)
{
	struct symbols_library *l = &x->r->libs[li];
	char *now = NULL;
	int v, rc;

	if (!l->path)
		return symbols_warn(x, "library %s was not found at build time", l->needed);
	v = graph_latest(x->g, l->path);
	rc = symbols_component_of(
		x, l->path, v >= 0 && (x->g->v[v].flags & GRAPH_V_WRITTEN) ? v : -1, &l->component);
	if (!rc)
		rc = symbols_same_file(l->path, l->sha256, &now);
	if (rc < 0)
		return rc;
	if (!l->sha256)
		l->sha256 = now, now = NULL;
	free(now);
	if (!rc) {
		l->changed = 1;
		return symbols_warn(x,
				    "library %s changed or vanished since the build: its "
				    "symbols were not read",
				    l->path);
	}
	rc = symbols_elf_library(l->path, l);
	if (rc && rc != -ENOMEM)
		return symbols_warn(x, "cannot read library %s: %s", l->path, strerror(-rc));
	return rc;
}

static int load_libraries(struct symbols_ctx *x, int64_t vid)
{
	int rc = elfq_each_needed(x->st, vid, needed_cb, x);

	if (!rc)
		rc = elfq_each_import(x->st, vid, import_cb, x);
	for (size_t i = 0; !rc && i < x->r->n_libs; i++) { /* grows while it runs */
		rc = lib_read(x, i);
		if (!rc && x->r->libs[i].read)
			rc = lib_needs(x, i);
	}
	return rc;
}

/* --- the report ----------------------------------------------------------------------------- */

static int is_binary(const char *type)
{
	return !strcmp(type, "exec") || !strcmp(type, "pie") || !strcmp(type, "dyn");
}

static int load_symtab(struct symbols_ctx *x)
{
	struct symbols_report *r = x->r;
	int rc = symbols_same_file(r->path, r->sha256, NULL);

	if (rc <= 0)
		return rc < 0 ? rc
			      : symbols_warn(x,
					     "%s changed or vanished since the build: its "
					     "symbol table was not read",
					     r->path);
	rc = symbols_elf_funcs(r->path, &r->funcs);
	r->have_symtab = rc == 0;
	return rc == -ENOMEM ? rc : 0;
}

static int report_init(struct symbols_ctx *x, int vi)
{
	const struct graph_version *v = &x->g->v[vi];
	char type[16];
	int is_static, rc = elfq_info_get(x->st, v->id, type, sizeof(type), &is_static);

	if (rc)
		return rc == -ENOENT ? -ENOEXEC : rc;
	if (!is_binary(type))
		return -ENOEXEC;
	if (!(x->r = calloc(1, sizeof(*x->r))))
		return -ENOMEM;
	x->r->path = symbols_dup(v->path, &rc);
	x->r->sha256 = symbols_dup(v->sha256, &rc);
	x->r->type = symbols_dup(type, &rc);
	x->r->is_static = is_static;
	return rc;
}

int symbols_report_make(struct store *st, struct graph *g, int vi,
			const struct components_opts *copts, struct symbols_report **out)
{
	struct symbols_ctx x = { .st = st, .g = g };
	int rc = report_init(&x, vi);

	*out = NULL;
	if (!rc)
		rc = load_components(&x, vi, copts);
	if (!rc)
		rc = load_libraries(&x, g->v[vi].id);
	if (!rc)
		rc = symbols_load_archives(&x, vi);
	if (!rc)
		rc = load_symtab(&x);
	components_free(x.set);
	strmap_release(&x.comp_of);
	u64map_release(&x.comp_idx);
	free(x.project);
	if (rc) {
		symbols_report_free(x.r);
		return rc;
	}
	symbols_names_sort(&x.r->warnings);
	*out = x.r;
	return 0;
}

static void imports_free(struct symbols_import *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].version);
	}
	free(v);
}

static void lib_release(struct symbols_library *l)
{
	free(l->needed);
	free(l->path);
	free(l->sha256);
	imports_free(l->imports, l->n_imports);
	symbols_names_release(&l->exports);
	symbols_names_release(&l->protect);
	symbols_names_release(&l->wants);
	symbols_names_release(&l->relrefs);
}

void symbols_report_free(struct symbols_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_comps; i++) {
		free(r->comps[i].kind);
		free(r->comps[i].name);
		free(r->comps[i].version);
		free(r->comps[i].purl);
	}
	for (size_t i = 0; i < r->n_libs; i++)
		lib_release(&r->libs[i]);
	for (size_t i = 0; i < r->n_archives; i++) {
		free(r->archives[i].path);
		free(r->archives[i].sha256);
		symbols_members_free(r->archives[i].members, r->archives[i].n_members);
		symbols_names_release(&r->archives[i].all_funcs);
	}
	for (size_t i = 0; i < r->n_objects; i++) {
		free(r->objects[i].path);
		free(r->objects[i].sha256);
		symbols_member_release(&r->objects[i].m);
	}
	free(r->comps);
	free(r->libs);
	free(r->archives);
	free(r->objects);
	imports_free(r->unresolved, r->n_unresolved);
	symbols_names_release(&r->funcs);
	symbols_names_release(&r->warnings);
	free(r->path);
	free(r->sha256);
	free(r->type);
	free(r);
}

const struct symbols_func *symbols_member_func(const struct symbols_member *m, const char *name)
{
	size_t lo = 0, hi = m->n_funcs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->funcs[mid].name, name);

		if (!c)
			return &m->funcs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
