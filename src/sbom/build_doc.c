/* build_doc.c - the SBOM of a recorded build: its files, components, relationships and
 * completeness (see build_doc.h; steps and tools are in build_doc_steps.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/build_doc.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomq.h"
#include "asbuilt/steps.h"
#include "build_doc_internal.h"

void bd_warn(struct bd *b, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!b->o->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->o->warn(b->o->warn_ctx, msg);
}

static int is_binary_class(int c)
{
	return c == STEPS_F_OBJECT || c == STEPS_F_ARCHIVE || c == STEPS_F_SHLIB ||
	       c == STEPS_F_EXEC;
}

static enum sbom_file_role role_of(int c)
{
	switch (c) {
	case STEPS_F_SOURCE:
	case STEPS_F_ASM:
		return SBOM_ROLE_SOURCE;
	case STEPS_F_HEADER:
		return SBOM_ROLE_HEADER;
	case STEPS_F_OBJECT:
		return SBOM_ROLE_OBJECT;
	case STEPS_F_ARCHIVE:
		return SBOM_ROLE_ARCHIVE;
	case STEPS_F_SHLIB:
		return SBOM_ROLE_SHARED_LIBRARY;
	case STEPS_F_EXEC:
		return SBOM_ROLE_EXECUTABLE;
	default:
		return SBOM_ROLE_OTHER;
	}
}

int bd_rel(struct bd *b, int from_kind, int from, int to_kind, int to, int type)
{
	int rc = sbom_add_rel(b->d, from_kind, from, to_kind, to, type);
	return rc == -EINVAL ? 0 : rc;
}

/* --- files ------------------------------------------------------------------------------ */

static int remember_path(struct bd *b, const char *path, int idx)
{
	return strmap_put(&b->fpath, path, (void *)(intptr_t)(idx + 1));
}

static int add_file(struct bd *b, struct sbom_file *f, const char *db_sha1)
{
	char sha1[41];
	int idx;

	if (build_doc_file_sha1(f->path, f->sha256, db_sha1, sha1) == 0)
		f->sha1 = sha1;
	else
		b->no_sha1++;
	idx = sbom_add_file(b->d, f);
	if (idx >= 0 && remember_path(b, f->path, idx))
		return -ENOMEM;
	return idx;
}

int bd_add_version(struct bd *b, int vi, int comp)
{
	const struct graph_version *v = &b->g->v[vi];
	const struct bd_cfile *cf = strmap_get(&b->cpath, v->path);
	const struct bd_vinfo *x = &b->vi[vi];
	struct sbom_file f = { 0 };
	int idx;

	if (b->fidx[vi] >= 0)
		return b->fidx[vi];
	if (!v->sha256)
		return -ENOENT;
	f.path = v->path;
	f.role = role_of(steps_vclass(b->g, vi));
	f.is_artifact = b->is_art[vi];
	f.sha256 = v->sha256;
	f.gitoid_sha1 = x->gitoid_sha1;
	f.gitoid_sha256 = x->gitoid_sha256;
	f.size = x->size > 0 ? (uint64_t)x->size : 0;
	f.component = comp >= -1 ? comp : cf ? cf->comp : -1;
	if (cf && cf->f->license && cf->f->sha256 && !strcmp(cf->f->sha256, v->sha256)) {
		f.licenses = &cf->f->license;
		f.n_licenses = 1;
	}
	idx = add_file(b, &f, x->sha1);
	if (idx >= 0)
		b->fidx[vi] = idx;
	return idx;
}

/* A file the build never opened (a run-time library of an artifact), hashed now. */
static int add_runtime_path(struct bd *b, const struct bd_cfile *cf)
{
	struct sbom_file f = { 0 };
	struct hash_result h;
	struct stat sb;
	void *have = strmap_get(&b->fpath, cf->f->path);

	if (have)
		return (int)(intptr_t)have - 1;
	if (hash_path(cf->f->path, &sb, &h))
		return 0; /* gone since components ran: nothing honest to list */
	f.path = cf->f->path;
	f.role = SBOM_ROLE_SHARED_LIBRARY;
	f.sha256 = h.sha256;
	f.gitoid_sha1 = h.gitoid_sha1;
	f.gitoid_sha256 = h.gitoid_sha256;
	f.size = h.size;
	f.component = cf->comp;
	return add_file(b, &f, NULL);
}

/* Whether version vi of the closure is listed as a file (see build_doc.h). */
static int wanted(struct bd *b, int vi)
{
	const struct graph_version *v = &b->g->v[vi];
	const struct bd_cfile *cf;

	if (!v->sha256 || (v->flags & (GRAPH_V_PROBE | GRAPH_V_DIR)))
		return 0;
	if ((v->flags & GRAPH_V_WRITTEN) || b->o->include_sources ||
	    is_binary_class(steps_vclass(b->g, vi)))
		return 1;
	cf = strmap_get(&b->cpath, v->path);
	return !cf || cf->comp < 0;
}

/* --- components ------------------------------------------------------------------------- */

static enum sbom_comp_kind comp_kind(enum component_kind k)
{
	switch (k) {
	case COMPONENT_DEB:
		return SBOM_COMP_DEB;
	case COMPONENT_RPM:
		return SBOM_COMP_RPM;
	case COMPONENT_APK:
		return SBOM_COMP_APK;
	case COMPONENT_NPM:
		return SBOM_COMP_NPM;
	case COMPONENT_GIT:
		return SBOM_COMP_GIT;
	case COMPONENT_PROJECT:
		return SBOM_COMP_PROJECT;
	case COMPONENT_UNRESOLVED:
		return SBOM_COMP_UNRESOLVED;
	default:
		return SBOM_COMP_GENERIC; /* pypi, cargo, golang, downloads: the purl says which */
	}
}

static enum sbom_technique technique(enum component_kind k)
{
	switch (k) {
	case COMPONENT_PROJECT:
		return SBOM_HOW_FILENAME;
	case COMPONENT_GIT:
	case COMPONENT_GENERIC:
		return SBOM_HOW_OTHER;
	default:
		return SBOM_HOW_MANIFEST;
	}
}

static int is_package(enum component_kind k)
{
	return k != COMPONENT_GIT && k != COMPONENT_PROJECT && k != COMPONENT_UNRESOLVED &&
	       k != COMPONENT_GENERIC;
}

/* "A AND B AND ..." of the licenses found in c's files, or NULL; you own it. */
static char *joined_licenses(const struct component *c, int *oom)
{
	size_t len = 1;
	char *s;

	if (!c->n_licenses_found)
		return NULL;
	for (size_t i = 0; i < c->n_licenses_found; i++)
		len += strlen(c->licenses_found[i]) + 7;
	if (!(s = malloc(len))) {
		*oom = 1;
		return NULL;
	}
	*s = 0;
	for (size_t i = 0; i < c->n_licenses_found; i++) {
		int compound = c->n_licenses_found > 1 && strchr(c->licenses_found[i], ' ');
		if (i)
			strcat(s, " AND ");
		strcat(s, compound ? "(" : "");
		strcat(s, c->licenses_found[i]);
		strcat(s, compound ? ")" : "");
	}
	return s;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

static int add_one_component(struct bd *b, const struct component *c)
{
	int oom = 0, idx;
	char *concluded = c->license ? NULL : joined_licenses(c, &oom);
	struct sbom_component k = {
		.kind = comp_kind(c->kind),
		.name = c->name			       ? c->name
			: c->kind == COMPONENT_PROJECT ? base_name(b->g->cwd)
						       : "unknown",
		.version = c->version,
		.purl = c->purl,
		.cpe = c->cpe,
		.license_declared = c->license,
		.license_concluded = c->license ? c->license : concluded,
		.supplier = c->supplier,
		.download_location = c->download_location,
		.homepage = c->homepage,
		.technique = technique(c->kind),
		.identified_by = c->identified_by,
		.evidence = c->evidence,
		.n_evidence = c->n_evidence,
	};

	idx = oom ? -ENOMEM : sbom_add_component(b->d, &k);
	free(concluded);
	return idx;
}

/* Adds every resolved component (unresolved files stay without one) and indexes the files
 * of the set by path. */
static int add_components(struct bd *b)
{
	size_t n = components_count(b->set), nf = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		nf += components_get(b->set, i)->n_files;
	if (!(b->cf = calloc(nf + 1, sizeof(*b->cf))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct component *c = components_get(b->set, i);
		int idx = -1;

		if (c->kind != COMPONENT_UNRESOLVED && (idx = add_one_component(b, c)) < 0)
			return idx;
		for (size_t j = 0; j < c->n_files; j++, k++) {
			b->cf[k] = (struct bd_cfile){ idx, is_package(c->kind), &c->files[j] };
			if (strmap_put(&b->cpath, c->files[j].path, &b->cf[k]))
				return -ENOMEM;
		}
	}
	return 0;
}

/* --- the closure and its edges ---------------------------------------------------------- */

/* The artifacts and everything that went into them, sorted by path. */
static int closure(struct bd *b, const struct graph_ivec *arts, struct graph_ivec *all)
{
	char *in = calloc(b->g->nv + 1, 1);
	struct graph_ivec cl = { 0 };
	int rc = 0;

	if (!in)
		return -ENOMEM;
	for (size_t k = 0; k < arts->n && !rc; k++) {
		cl.n = 0;
		rc = graph_ivec_push(&cl, arts->v[k]) ? -ENOMEM
						      : graph_closure(b->g, arts->v[k], &cl);
		for (size_t j = 0; j < cl.n && !rc; j++)
			if (!in[cl.v[j]]++)
				rc = graph_ivec_push(all, cl.v[j]) ? -ENOMEM : 0;
	}
	graph_sort_by_path(b->g, all);
	graph_ivec_release(&cl);
	free(in);
	return rc;
}

/* The edges of the written version x to what its step made it from. */
static int edges(struct bd *b, int x)
{
	const struct graph *g = b->g;
	const struct graph_step *s = &g->s[g->v[x].step];
	int link = s->kind == STEPS_LINK, fx = b->fidx[x], rc = 0;
	struct graph_ivec in = { 0 };

	if (graph_direct(g, x, &in))
		return -ENOMEM;
	for (size_t k = 0; k < in.n && rc >= 0; k++) {
		int y = in.v[k], c = steps_vclass(b->g, y);
		const struct bd_cfile *cf = strmap_get(&b->cpath, g->v[y].path);
		int type = link && c == STEPS_F_ARCHIVE ? SBOM_REL_STATIC_LINK
			   : link && c == STEPS_F_SHLIB ? SBOM_REL_DYNAMIC_LINK
							: SBOM_REL_GENERATED_FROM;
		int comp = cf ? cf->comp : -1;
		int fy = wanted(b, y) ? bd_add_version(b, y, -2) : -ENOENT;

		if (fy == -ENOMEM) {
			rc = fy;
			break;
		}
		if (fy >= 0)
			rc = bd_rel(b, SBOM_NODE_FILE, fx, SBOM_NODE_FILE, fy, type);
		else if (comp >= 0 && !cf->pkg)
			rc = bd_rel(b, SBOM_NODE_FILE, fx, SBOM_NODE_COMPONENT, comp, type);
		if (rc >= 0 && comp >= 0 && cf->pkg && type != SBOM_REL_DYNAMIC_LINK)
			rc = bd_rel(b, SBOM_NODE_COMPONENT, comp, SBOM_NODE_FILE, fx,
				    SBOM_REL_BUILD_DEPENDENCY_OF);
	}
	for (size_t k = 0; k < s->btools.n && rc >= 0; k++) {
		int t = bd_add_version(b, s->btools.v[k], -2);
		rc = t >= 0	    ? bd_rel(b, SBOM_NODE_FILE, t, SBOM_NODE_FILE, fx,
					     SBOM_REL_BUILD_TOOL_OF)
		     : t == -ENOENT ? 0
				    : t;
	}
	graph_ivec_release(&in);
	return rc < 0 ? rc : 0;
}

/* DYNAMIC_LINK from each ELF executable or library of the document to the libraries it
 * names in DT_NEEDED, found like the loader would, when they are in the document. */
static int needed(struct bd *b, int fi)
{
	const char *path = b->d->files[fi].path;
	struct elfinfo *ei;
	char **paths = NULL;
	int rc = 0;

	if (elfinfo_read(path, &ei))
		return 0;
	if (elfinfo_resolve_needed(ei, path, &paths) == 0)
		for (size_t i = 0; i < ei->n_needed && !rc; i++) {
			void *t = paths[i] ? strmap_get(&b->fpath, paths[i]) : NULL;
			if (t)
				rc = bd_rel(b, SBOM_NODE_FILE, fi, SBOM_NODE_FILE,
					    (int)(intptr_t)t - 1, SBOM_REL_DYNAMIC_LINK);
		}
	elfinfo_paths_free(paths, ei->n_needed);
	elfinfo_free(ei);
	return rc;
}

static int add_files_and_edges(struct bd *b, const struct graph_ivec *all)
{
	size_t nfiles;
	int rc = 0;

	for (size_t k = 0; k < all->n && rc >= 0; k++)
		if (wanted(b, all->v[k]))
			rc = bd_add_version(b, all->v[k], -2);
	/* the run-time libraries of the artifacts (DT_NEEDED, recursively) */
	for (size_t k = 0; rc >= 0 && b->cf && b->cf[k].f; k++)
		if (b->cf[k].f->runtime)
			rc = b->cf[k].f->version >= 0 ? bd_add_version(b, b->cf[k].f->version, -2)
						      : add_runtime_path(b, &b->cf[k]);
	if (rc == -ENOENT)
		rc = 0;
	for (size_t k = 0; k < all->n && rc >= 0; k++) {
		const struct graph_version *v = &b->g->v[all->v[k]];
		if (b->fidx[all->v[k]] >= 0 && v->step >= 0 && (v->flags & GRAPH_V_WRITTEN))
			rc = edges(b, all->v[k]);
	}
	nfiles = b->d->n_files;
	for (size_t i = 0; i < nfiles && rc >= 0; i++)
		if (b->d->files[i].role == SBOM_ROLE_EXECUTABLE ||
		    b->d->files[i].role == SBOM_ROLE_SHARED_LIBRARY)
			rc = needed(b, (int)i);
	return rc < 0 ? rc : 0;
}

/* --- the build row ---------------------------------------------------------------------- */

static int vinfo_row(const struct sbomq_version *r, void *ctx)
{
	void **x = ctx;
	struct bd *b = x[0];
	void *p = u64map_get(x[1], (uint64_t)r->id);
	struct bd_vinfo *v;

	if (!p)
		return 0;
	v = &b->vi[(intptr_t)p - 1];
	v->sha1 = r->sha1 ? strdup(r->sha1) : NULL;
	v->gitoid_sha1 = r->gitoid_sha1 ? strdup(r->gitoid_sha1) : NULL;
	v->gitoid_sha256 = r->gitoid_sha256 ? strdup(r->gitoid_sha256) : NULL;
	v->size = r->size;
	return (r->sha1 && !v->sha1) || (r->gitoid_sha1 && !v->gitoid_sha1) ||
			       (r->gitoid_sha256 && !v->gitoid_sha256)
		       ? -ENOMEM
		       : 0;
}

static int load_vinfo(struct bd *b)
{
	struct u64map ids = { 0 };
	void *ctx[2] = { b, &ids };
	int rc = 0;

	for (size_t i = 0; i < b->g->nv && !rc; i++)
		rc = u64map_put(&ids, (uint64_t)b->g->v[i].id, (void *)(intptr_t)(i + 1));
	if (!rc)
		rc = sbomq_each_version(b->st, b->g->build_id, vinfo_row, ctx);
	u64map_release(&ids);
	return rc;
}

static int reason_row(const char *reason, const char *detail, void *ctx)
{
	return sbom_set_incomplete(ctx, reason ? reason : "other", detail);
}

static int completeness(struct bd *b, const struct sbomq_build *row)
{
	int rc = sbomq_each_incomplete(b->st, b->g->build_id, reason_row, b->d);

	if (!rc && !row->complete && sbom_doc_complete(b->d))
		rc = sbom_set_incomplete(b->d, "record-incomplete",
					 "the build row says the record is not complete");
	return rc;
}

/* --- the whole document ----------------------------------------------------------------- */

static void bd_release(struct bd *b)
{
	for (size_t i = 0; b->vi && i < b->g->nv; i++) {
		free(b->vi[i].sha1);
		free(b->vi[i].gitoid_sha1);
		free(b->vi[i].gitoid_sha256);
	}
	free(b->vi);
	free(b->fidx);
	free(b->is_art);
	free(b->cf);
	strmap_release(&b->cpath);
	strmap_release(&b->fpath);
	components_free(b->set);
}

static int fill(struct bd *b, const struct graph_ivec *arts)
{
	struct graph_ivec all = { 0 };
	struct sbomq_build row;
	int rc;

	if ((rc = sbomq_build_get(b->st, b->g->build_id, &row)))
		return rc == -ENOENT ? -EIO : rc;
	if (sbom_doc_set_created(b->d,
				 (row.ended_ns ? row.ended_ns : row.started_ns) / 1000000000LL))
		return -EINVAL;
	if ((rc = load_vinfo(b)))
		return rc;
	if ((rc = components_resolve(b->g, arts, &b->o->components, &b->set)))
		return rc;
	for (size_t i = 0; i < components_nwarnings(b->set); i++)
		bd_warn(b, "%s", components_warning(b->set, i));
	if (!(rc = add_components(b)) && !(rc = closure(b, arts, &all)) &&
	    !(rc = add_files_and_edges(b, &all)) && !(rc = bd_steps(b)))
		rc = completeness(b, &row);
	if (!rc && b->no_sha1)
		bd_warn(b,
			"%lu file%s without SHA-1: the record has none and the file on disk is "
			"gone or changed since the build (SPDX 2.3 wants SHA-1 on every file)",
			b->no_sha1, b->no_sha1 == 1 ? "" : "s");
	graph_ivec_release(&all);
	return rc;
}

int build_doc_make(struct store *st, struct graph *g, const struct graph_ivec *arts,
		   const struct build_doc_opts *opts, struct sbom_doc **out)
{
	struct bd b = { .st = st, .g = g, .o = opts };
	int rc = -ENOMEM;

	*out = NULL;
	if (!arts->n)
		return -EINVAL;
	b.d = sbom_doc_new(opts->name ? opts->name : base_name(g->cwd), opts->version);
	b.vi = calloc(g->nv + 1, sizeof(*b.vi));
	b.fidx = malloc((g->nv + 1) * sizeof(*b.fidx));
	b.is_art = calloc(g->nv + 1, 1);
	if (b.d && b.vi && b.fidx && b.is_art &&
	    (!opts->product || !(rc = sbom_doc_set_product(b.d, opts->product)))) {
		memset(b.fidx, 0xff, (g->nv + 1) * sizeof(*b.fidx));
		for (size_t k = 0; k < arts->n; k++)
			b.is_art[arts->v[k]] = 1;
		rc = fill(&b, arts);
	}
	bd_release(&b);
	if (rc) {
		sbom_doc_free(b.d);
		return rc;
	}
	*out = b.d;
	return 0;
}
