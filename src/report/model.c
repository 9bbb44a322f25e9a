/* model.c - the report's nodes and edges from an as-built document (see report.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/report.h"
#include "asbuilt/report_esc.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/steps.h"
#include "internal.h"

/* What the walk over the document keeps. */
struct builder {
	const struct sbom_doc *d;
	const struct graph *g; /* may be NULL */
	struct report *r;
	size_t cap_nodes, cap_edges;
	int *cmap;	      /* per document component: its index in r->comps */
	int *fnode;	      /* per document file: its node */
	int *writer;	      /* per document file: a step that wrote it, or -1 */
	int *snode;	      /* per document step: its node */
	struct rep_key *keys; /* per node: what it is sorted by */
};

/* --- growing arrays ------------------------------------------------------------------- */

static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*arr, ncap * sz)))
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* A new node of type t; returns its index, or -ENOMEM. */
static int new_node(struct builder *b, enum report_ntype t)
{
	struct report *r = b->r;
	size_t old = b->cap_nodes;

	if (grow((void **)&r->nodes, &b->cap_nodes, r->n_nodes, sizeof(*r->nodes)))
		return -ENOMEM;
	if (old != b->cap_nodes) {
		void *k = realloc(b->keys, b->cap_nodes * sizeof(*b->keys));
		if (!k)
			return -ENOMEM;
		b->keys = k;
	}
	memset(&r->nodes[r->n_nodes], 0, sizeof(*r->nodes));
	memset(&b->keys[r->n_nodes], 0, sizeof(*b->keys));
	r->nodes[r->n_nodes].type = t;
	r->nodes[r->n_nodes].comp = -1;
	return (int)r->n_nodes++;
}

static int add_edge(struct builder *b, int from, int to, unsigned uses)
{
	struct report *r = b->r;

	if (from == to)
		return 0;
	if (grow((void **)&r->edges, &b->cap_edges, r->n_edges, sizeof(*r->edges)))
		return -ENOMEM;
	r->edges[r->n_edges++] = (struct report_edge){ from, to, uses };
	return 0;
}

/* Appends file f of the document to node n's files.  0 or -ENOMEM. */
static int node_add_file(struct report_node *n, const struct sbom_file *f)
{
	struct report_file *p = n->files;

	if (!(n->n_files & (n->n_files - 1))) { /* 0, 1, 2, 4, ...: full, double it */
		p = realloc(n->files, (n->n_files ? 2 * n->n_files : 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		n->files = p;
	}
	p = &p[n->n_files];
	p->path = report_esc_text(f->path);
	p->sha256 = f->sha256 ? strdup(f->sha256) : NULL;
	n->n_files++;
	return p->path && (p->sha256 || !f->sha256) ? 0 : -ENOMEM;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}

/* --- components ----------------------------------------------------------------------- */

/* Packages are folded into one node; the project, git trees and the unresolved are not. */
static int folded(enum sbom_comp_kind k)
{
	return k != SBOM_COMP_GIT && k != SBOM_COMP_PROJECT && k != SBOM_COMP_UNRESOLVED;
}

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_doc_comps(const void *a, const void *b, void *ctx)
{
	const struct sbom_component *c = ((const struct sbom_doc *)ctx)->comps;
	const struct sbom_component *x = &c[*(const int *)a], *y = &c[*(const int *)b];
	int r = cmp_str(x->name, y->name);

	if (!r)
		r = cmp_str(x->version, y->version);
	if (!r)
		r = cmp_str(x->purl, y->purl);
	if (!r)
		r = (int)x->kind - (int)y->kind;
	return r ? r : *(const int *)a - *(const int *)b;
}

static int fill_comp(struct report_comp *rc, const struct sbom_component *c)
{
	const char *lic = c->license_declared ? c->license_declared : c->license_concluded;

	rc->name = report_esc_text(c->name);
	rc->version = report_esc_text(c->version);
	rc->purl = report_esc_text(c->purl);
	rc->license = report_esc_text(lic);
	rc->kind = sbom_kind_name(c->kind);
	rc->node = -1;
	if (!rc->name || (c->version && !rc->version) || (c->purl && !rc->purl) ||
	    (lic && !rc->license))
		return -ENOMEM;
	return 0;
}

/* r->comps in sorted order, and b->cmap from document index to sorted index. */
static int add_comps(struct builder *b)
{
	const struct sbom_doc *d = b->d;
	int *order = malloc((d->n_comps + 1) * sizeof(*order));

	b->r->comps = calloc(d->n_comps + 1, sizeof(*b->r->comps));
	if (!order || !b->r->comps) {
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->n_comps; i++)
		order[i] = (int)i;
	qsort_r(order, d->n_comps, sizeof(*order), cmp_doc_comps, (void *)d);
	for (size_t i = 0; i < d->n_comps; i++) {
		b->cmap[order[i]] = (int)i;
		b->r->n_comps = i + 1;
		if (fill_comp(&b->r->comps[i], &d->comps[order[i]])) {
			free(order);
			return -ENOMEM;
		}
	}
	free(order);
	return 0;
}

/* The node of sorted component c, made when first needed. */
static int comp_node(struct builder *b, int c)
{
	struct report_comp *rc = &b->r->comps[c];
	struct report_node *n;
	struct sb s = { 0 };
	int i;

	if (rc->node >= 0)
		return rc->node;
	if ((i = new_node(b, REPORT_COMPONENT)) < 0)
		return i;
	n = &b->r->nodes[i];
	sb_puts(&s, rc->name);
	if (rc->version) {
		sb_puts(&s, " ");
		sb_puts(&s, rc->version);
	}
	n->label = sb_done(&s);
	n->detail = rc->purl ? strdup(rc->purl) : NULL;
	n->kind = rc->kind;
	n->comp = c;
	b->keys[i].rank = c;
	rc->node = i;
	return n->label && (n->detail || !rc->purl) ? i : -ENOMEM;
}

/* --- files ---------------------------------------------------------------------------- */

/* Whether the build wrote f: a step of the document did, or the graph says so. */
static int written(const struct builder *b, size_t fi)
{
	const struct sbom_file *f = &b->d->files[fi];

	if (b->writer[fi] >= 0)
		return 1;
	for (int v = b->g ? graph_latest(b->g, f->path) : -1; v >= 0; v = b->g->v[v].prev_same)
		if (b->g->v[v].sha256 && !strcmp(b->g->v[v].sha256, f->sha256))
			return (b->g->v[v].flags & GRAPH_V_WRITTEN) != 0;
	return 0;
}

static int file_node(struct builder *b, size_t fi)
{
	const struct sbom_file *f = &b->d->files[fi];
	int c = f->component >= 0 ? b->cmap[f->component] : -1, i;
	struct report_node *n;

	if (c >= 0)
		b->r->comps[c].n_files++;
	if (c >= 0 && folded(b->d->comps[f->component].kind) && !f->is_artifact) {
		if ((i = comp_node(b, c)) < 0)
			return i;
		return node_add_file(&b->r->nodes[i], f) ? -ENOMEM : i;
	}
	if ((i = new_node(b, REPORT_FILE)) < 0)
		return i;
	n = &b->r->nodes[i];
	n->kind = sbom_role_name(f->role);
	n->comp = c;
	n->artifact = f->is_artifact;
	n->written = written(b, fi);
	if (c < 0 && !n->written)
		b->r->n_unresolved++;
	if (node_add_file(n, f))
		return -ENOMEM;
	n->detail = strdup(n->files[0].path);
	n->label = strdup(base_name(n->files[0].path));
	b->keys[i].path = n->files[0].path;
	b->keys[i].sha256 = n->files[0].sha256;
	return n->detail && n->label ? i : -ENOMEM;
}

static int add_files(struct builder *b)
{
	const struct sbom_doc *d = b->d;

	for (size_t s = 0; s < d->n_steps; s++)
		for (size_t k = 0; k < d->steps[s].n_outputs; k++)
			b->writer[d->steps[s].outputs[k]] = (int)s;
	for (size_t i = 0; i < d->n_files; i++)
		if ((b->fnode[i] = file_node(b, i)) < 0)
			return -ENOMEM;
	return 0;
}

/* --- steps ---------------------------------------------------------------------------- */

/* The static name of a step kind ("compile", ...), "other" for one this build does not
 * know. */
static const char *static_kind(const char *k)
{
	for (int i = STEPS_OTHER; i <= STEPS_DOWNLOAD; i++)
		if (k && !strcmp(k, steps_kind_name(i)))
			return steps_kind_name(i);
	return steps_kind_name(STEPS_OTHER);
}

/* How a step of kind k used an input of role role. */
static unsigned input_use(const char *k, enum sbom_file_role role)
{
	if (!strcmp(k, "compile") || !strcmp(k, "assemble"))
		return REPORT_COMPILED;
	if (!strcmp(k, "link") && (role == SBOM_ROLE_SOURCE || role == SBOM_ROLE_HEADER))
		return REPORT_COMPILED; /* cc -o gen gen.c: compiled and linked in one step */
	if (!strcmp(k, "link"))
		return role == SBOM_ROLE_ARCHIVE	 ? REPORT_STATIC
		       : role == SBOM_ROLE_SHARED_LIBRARY ? REPORT_DYNAMIC
							  : REPORT_LINKED;
	if (!strcmp(k, "archive"))
		return REPORT_ARCHIVED;
	if (!strcmp(k, "codegen"))
		return REPORT_GENERATED;
	if (!strcmp(k, "copy"))
		return REPORT_COPIED;
	if (!strcmp(k, "strip"))
		return REPORT_STRIPPED;
	return REPORT_INPUT;
}

/* An argument as a shell would need it to be written (single quotes when it has to). */
static void put_arg(struct sb *s, const char *a)
{
	if (*a && !a[strcspn(a, " \t\n'\"\\$`*?[]{}()<>|&;#~")]) {
		sb_puts(s, a);
		return;
	}
	sb_puts(s, "'");
	for (const char *p = a; *p; p++)
		if (*p == '\'')
			sb_puts(s, "'\\''");
		else
			sb_putn(s, p, 1);
	sb_puts(s, "'");
}

/* The command line of st as display text; you own it.  NULL on ENOMEM. */
static char *command_text(const struct sbom_step *st)
{
	struct sb s = { 0 };
	char *raw, *text;

	for (size_t i = 0; i < st->argc; i++) {
		if (i)
			sb_puts(&s, " ");
		put_arg(&s, st->argv[i] ? st->argv[i] : "");
	}
	if (!(raw = sb_done(&s)))
		return NULL;
	text = report_esc_text(raw);
	free(raw);
	return text;
}

static int step_node(struct builder *b, size_t si)
{
	const struct sbom_step *st = &b->d->steps[si];
	const char *prog = st->argc && st->argv[0] ? base_name(st->argv[0]) : "?";
	struct report_node *n;
	struct sb s = { 0 };
	char *p;
	int i;

	if ((i = new_node(b, REPORT_STEP)) < 0)
		return i;
	n = &b->r->nodes[i];
	n->kind = static_kind(st->kind);
	n->detail = command_text(st);
	n->cwd = st->cwd ? report_esc_text(st->cwd) : NULL;
	sb_puts(&s, n->kind);
	sb_puts(&s, ": ");
	sb_puts(&s, prog);
	p = sb_done(&s);
	n->label = report_esc_text(p);
	free(p);
	b->keys[i].rank = (int)si;
	b->keys[i].start_ns = st->start_ns;
	for (size_t k = 0; k < st->n_outputs; k++) {
		const char *o = b->d->files[st->outputs[k]].path; /* the document outlives keys */
		if (!b->keys[i].path || strcmp(o, b->keys[i].path) < 0)
			b->keys[i].path = o;
	}
	b->keys[i].sha256 = n->detail;
	return n->detail && n->label && (n->cwd || !st->cwd) ? i : -ENOMEM;
}

static int step_edges(struct builder *b, size_t si)
{
	const struct sbom_step *st = &b->d->steps[si];
	int sn = b->snode[si], rc = 0;
	const char *k = b->r->nodes[sn].kind;

	for (size_t j = 0; j < st->n_inputs && !rc; j++)
		rc = add_edge(b, b->fnode[st->inputs[j]], sn,
			      input_use(k, b->d->files[st->inputs[j]].role));
	for (size_t j = 0; j < st->n_tool_files && !rc; j++)
		rc = add_edge(b, b->fnode[st->tool_files[j]], sn, REPORT_TOOL);
	for (size_t j = 0; j < st->n_tool_components && !rc; j++) {
		int c = comp_node(b, b->cmap[st->tool_components[j]]);
		rc = c < 0 ? c : add_edge(b, c, sn, REPORT_TOOL);
	}
	for (size_t j = 0; j < st->n_outputs && !rc; j++)
		rc = add_edge(b, sn, b->fnode[st->outputs[j]], REPORT_OUTPUT);
	return rc;
}

/* Whether step s read document file fi. */
static int step_read(const struct sbom_step *s, int fi)
{
	for (size_t j = 0; j < s->n_inputs; j++)
		if (s->inputs[j] == fi)
			return 1;
	return 0;
}

/* The run-time libraries a binary loads (DT_NEEDED) that the step that linked it did not
 * read: library -> binary, "dynamic link". */
static int runtime_edges(struct builder *b)
{
	const struct sbom_doc *d = b->d;
	int rc = 0;

	for (size_t i = 0; i < d->n_rels && !rc; i++) {
		const struct sbom_rel *x = &d->rels[i];

		if (x->type != SBOM_REL_DYNAMIC_LINK || x->from_kind != SBOM_NODE_FILE ||
		    x->to_kind != SBOM_NODE_FILE)
			continue;
		if (b->writer[x->from] >= 0 && step_read(&d->steps[b->writer[x->from]], x->to))
			continue;
		rc = add_edge(b, b->fnode[x->to], b->fnode[x->from], REPORT_DYNAMIC);
	}
	return rc;
}

static int add_steps(struct builder *b)
{
	int rc = 0;

	for (size_t s = 0; s < b->d->n_steps; s++)
		if ((b->snode[s] = step_node(b, s)) < 0)
			return -ENOMEM;
	for (size_t s = 0; s < b->d->n_steps && !rc; s++)
		rc = step_edges(b, s);
	return rc ? rc : runtime_edges(b);
}

/* --- the report ----------------------------------------------------------------------- */

static int add_header(struct builder *b)
{
	struct report *r = b->r;
	const struct sbom_doc *d = b->d;
	const char *cwd = b->g ? b->g->cwd : NULL;

	r->build_id = b->g ? b->g->build_id : 0;
	r->title = report_esc_text(d->name);
	r->cwd = report_esc_text(cwd);
	r->incomplete = calloc(d->n_reasons + 1, sizeof(char *));
	if (!r->title || (cwd && !r->cwd) || !r->incomplete)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_reasons; i++) {
		struct sb s = { 0 };
		char *raw;

		sb_puts(&s, d->reasons[i].reason);
		if (d->reasons[i].detail) {
			sb_puts(&s, ": ");
			sb_puts(&s, d->reasons[i].detail);
		}
		raw = sb_done(&s);
		r->incomplete[i] = report_esc_text(raw);
		free(raw);
		if (!r->incomplete[i])
			return -ENOMEM;
		r->n_incomplete = i + 1;
	}
	return 0;
}

int report_from_doc(const struct sbom_doc *d, const struct graph *g, struct report **out)
{
	struct builder b = { .d = d, .g = g };
	int rc = -ENOMEM;

	*out = NULL;
	b.r = calloc(1, sizeof(*b.r));
	b.cmap = malloc((d->n_comps + 1) * sizeof(int));
	b.fnode = malloc((d->n_files + 1) * sizeof(int));
	b.writer = malloc((d->n_files + 1) * sizeof(int));
	b.snode = malloc((d->n_steps + 1) * sizeof(int));
	if (!b.r || !b.cmap || !b.fnode || !b.writer || !b.snode)
		goto out;
	memset(b.writer, 0xff, (d->n_files + 1) * sizeof(int));
	if ((rc = add_header(&b)) || (rc = add_comps(&b)) ||
	    (rc = add_files(&b)) || (rc = add_steps(&b)) ||
	    (rc = rep_sort(b.r, b.keys)) || (rc = report_layout(b.r)))
		goto out;
	for (size_t i = 0; i < b.r->n_edges; i++) {
		const struct report_node *n = &b.r->nodes[b.r->edges[i].from];
		if (n->type != REPORT_STEP && n->comp >= 0)
			b.r->comps[n->comp].uses |= b.r->edges[i].uses;
	}
	*out = b.r;
	b.r = NULL;
out:
	report_free(b.r);
	free(b.keys);
	free(b.cmap);
	free(b.fnode);
	free(b.writer);
	free(b.snode);
	return rc;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_nodes; i++) {
		struct report_node *n = &r->nodes[i];
		for (size_t k = 0; k < n->n_files; k++) {
			free(n->files[k].path);
			free(n->files[k].sha256);
		}
		free(n->files);
		free(n->label);
		free(n->detail);
		free(n->cwd);
	}
	for (size_t i = 0; i < r->n_comps; i++) {
		free(r->comps[i].name);
		free(r->comps[i].version);
		free(r->comps[i].purl);
		free(r->comps[i].license);
	}
	for (size_t i = 0; i < r->n_incomplete; i++)
		free(r->incomplete[i]);
	free(r->incomplete);
	free(r->comps);
	free(r->edges);
	free(r->nodes);
	free(r->title);
	free(r->cwd);
	free(r);
}
