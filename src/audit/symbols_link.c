/*
 * symbols_link.c - the static side of a symbols report (symbols.h): the archive members the
 * link of a binary pulled in (elf_link_members, computed by elffacts at record time), with
 * the functions and relocations of each member read from the archive when it still has
 * the content the record hashed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/elfq.h"
#include "asbuilt/graph.h"
#include "asbuilt/steps.h"
#include "asbuilt/symbols.h"
#include "symbols_internal.h"

static int any_row(const struct elfq_member_row *m, void *ctx)
{
	(void)m;
	(void)ctx;
	return 1;
}

/* The version whose link pulled the members in: vi itself, or, when the record has none
 * for vi and a strip or copy step made vi from one ELF version, that version's (a binary
 * stripped in place keeps its members on the version the linker wrote).  -1 on -EIO. */
static int link_version(struct symbols_ctx *x, int vi, int *err)
{
	for (int depth = 0; depth < 8; depth++) {
		const struct graph_version *v = &x->g->v[vi];
		int rc = elfq_each_link_member(x->st, v->id, any_row, NULL), kind;

		if (rc < 0) {
			*err = rc;
			return -1;
		}
		if (rc > 0 || v->step < 0 || v->in.n != 1)
			return vi;
		kind = x->g->s[v->step].kind;
		if (kind != STEPS_STRIP && kind != STEPS_COPY)
			return vi;
		vi = v->in.v[0];
	}
	return vi;
}

/* Splits the space-separated list s into the sorted set out. */
static int split_names(const char *s, struct symbols_names *out)
{
	int rc = 0;

	while (s && *s && !rc) {
		size_t n = strcspn(s, " ");
		char *w = strndup(s, n);

		rc = w ? symbols_names_add(out, w) : -ENOMEM;
		free(w);
		s += n;
		s += strspn(s, " ");
	}
	symbols_names_sort(out);
	return rc;
}

static int archive_push(struct symbols_report *r, const struct elfq_member_row *m)
{
	struct symbols_archive *a;
	int rc = symbols_grow(&r->archives, r->n_archives, sizeof(*r->archives));

	if (rc)
		return rc;
	a = &r->archives[r->n_archives++];
	memset(a, 0, sizeof(*a));
	a->component = -1;
	a->built = m->archive_built;
	a->path = symbols_dup(m->archive_path, &rc);
	a->sha256 = symbols_dup(m->archive_sha256, &rc);
	return rc;
}

struct rows {
	struct symbols_ctx *x;
	int64_t last_archive; /* archive_version_id of r->archives[n - 1] */
	int64_t *ids;	      /* archive_version_id per archive */
};

static int member_cb(const struct elfq_member_row *m, void *ctx)
{
	struct rows *w = ctx;
	struct symbols_report *r = w->x->r;
	struct symbols_archive *a;
	struct symbols_member *d;
	int rc = 0;

	if (!r->n_archives || w->last_archive != m->archive_version_id) {
		int64_t *ids;

		if ((rc = archive_push(r, m)))
			return rc;
		if (!(ids = realloc(w->ids, r->n_archives * sizeof(*ids))))
			return -ENOMEM;
		w->ids = ids;
		w->ids[r->n_archives - 1] = w->last_archive = m->archive_version_id;
	}
	a = &r->archives[r->n_archives - 1];
	if (symbols_grow(&a->members, a->n_members, sizeof(*a->members)))
		return -ENOMEM;
	d = &a->members[a->n_members++];
	memset(d, 0, sizeof(*d));
	d->name = symbols_dup(m->member, &rc);
	return rc ? rc : split_names(m->symbols, &d->referenced);
}

/* Moves the functions and relocations of the member named like d out of all[0..n) (the
 * first one not taken yet) into d. */
static void take_member(struct symbols_member *d, struct symbols_member *all, size_t n, char *taken)
{
	for (size_t i = 0; i < n; i++) {
		if (taken[i] || strcmp(all[i].name, d->name))
			continue;
		taken[i] = 1;
		d->funcs = all[i].funcs;
		d->n_funcs = all[i].n_funcs;
		d->relrefs = all[i].relrefs;
		all[i].funcs = NULL;
		all[i].n_funcs = 0;
		memset(&all[i].relrefs, 0, sizeof(all[i].relrefs));
		return;
	}
}

/* Reads archive a's members from its file, which has the recorded content. */
static int archive_read(struct symbols_ctx *x, struct symbols_archive *a)
{
	struct symbols_member *all = NULL;
	char *taken;
	size_t n = 0;
	int rc = symbols_elf_archive(a->path, &all, &n);

	if (rc)
		return rc == -ENOMEM ? rc
				     : symbols_warn(x, "cannot read archive %s: %s", a->path,
						    strerror(-rc));
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t k = 0; !rc && k < all[i].n_funcs; k++)
			rc = symbols_names_add(&a->all_funcs, all[i].funcs[k].name);
	symbols_names_sort(&a->all_funcs);
	taken = calloc(n + 1, 1);
	if (!rc && !taken)
		rc = -ENOMEM;
	for (size_t k = 0; !rc && k < a->n_members; k++)
		take_member(&a->members[k], all, n, taken);
	free(taken);
	symbols_members_free(all, n);
	if (!rc)
		a->read = 1;
	return rc;
}

static int archive_finish(struct symbols_ctx *x, struct symbols_archive *a, int64_t id)
{
	int rc = symbols_component_of(x, a->path, a->built ? symbols_version_of(x->g, id) : -1,
				      &a->component);

	if (!rc)
		rc = symbols_same_file(a->path, a->sha256, NULL);
	if (rc < 0)
		return rc;
	if (!rc || !a->sha256)
		return symbols_warn(x,
				    "archive %s changed or vanished since the build: the "
				    "functions of its members were not read",
				    a->path);
	return archive_read(x, a);
}

/* --- objects read whole -------------------------------------------------------------- */

static int object_push(struct symbols_ctx *x, int vi)
{
	const struct graph_version *v = &x->g->v[vi];
	struct symbols_report *r = x->r;
	struct symbols_object *o;
	int rc = symbols_grow(&r->objects, r->n_objects, sizeof(*r->objects));

	if (rc)
		return rc;
	o = &r->objects[r->n_objects++];
	memset(o, 0, sizeof(*o));
	o->built = !!(v->flags & GRAPH_V_WRITTEN);
	o->path = symbols_dup(v->path, &rc);
	o->sha256 = symbols_dup(v->sha256, &rc);
	if (!rc)
		rc = symbols_component_of(x, v->path, o->built ? vi : -1, &o->component);
	if (!rc)
		rc = symbols_same_file(v->path, v->sha256, NULL);
	if (rc < 0)
		return rc;
	if (!rc || !v->sha256)
		return symbols_warn(x,
				    "object %s changed or vanished since the build: its "
				    "functions were not read",
				    v->path);
	rc = symbols_elf_object(v->path, &o->m);
	if (rc && rc != -ENOMEM)
		return symbols_warn(x, "cannot read object %s: %s", v->path, strerror(-rc));
	o->read = !rc;
	return rc;
}

/* Adds the relocatable objects (elf_info type "rel") the link step of version lv read. */
static int load_objects(struct symbols_ctx *x, int lv)
{
	const struct graph_version *v = &x->g->v[lv];
	const struct graph_step *s = v->step >= 0 ? &x->g->s[v->step] : NULL;
	int rc = 0;

	for (size_t k = 0; s && s->kind == STEPS_LINK && k < s->in.n && !rc; k++) {
		char type[16];
		int is_static, vi = s->in.v[k];

		rc = elfq_info_get(x->st, x->g->v[vi].id, type, sizeof(type), &is_static);
		if (rc == -ENOENT || (!rc && strcmp(type, "rel")))
			rc = 0;
		else if (!rc)
			rc = object_push(x, vi);
	}
	return rc;
}

int symbols_load_archives(struct symbols_ctx *x, int vi)
{
	struct rows w = { .x = x };
	int rc = 0, lv = link_version(x, vi, &rc);

	if (lv >= 0)
		rc = elfq_each_link_member(x->st, x->g->v[lv].id, member_cb, &w);
	for (size_t i = 0; !rc && i < x->r->n_archives; i++)
		rc = archive_finish(x, &x->r->archives[i], w.ids[i]);
	if (!rc && lv >= 0)
		rc = load_objects(x, lv);
	free(w.ids);
	return rc;
}
