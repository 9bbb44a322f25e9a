/* graph.c - load one build and link every version it wrote to its inputs (graph.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/graphq.h"
#include "asbuilt/steps.h"

int graph_ivec_push(struct graph_ivec *a, int x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		int *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

int graph_ivec_add(struct graph_ivec *a, int x)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == x)
			return 0;
	return graph_ivec_push(a, x);
}

void graph_ivec_release(struct graph_ivec *a)
{
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

/* --- loading --------------------------------------------------------------------- */

struct loader {
	struct graph *g;
	struct u64map vid, pid; /* row id -> index + 1 */
	size_t cap;
};

static int idx_of(const struct u64map *m, int64_t id)
{
	return id ? (int)(intptr_t)u64map_get(m, (uint64_t)id) - 1 : -1;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 256;
	void *p = realloc(*arr, c * size);

	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

static int probe_path(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strncmp(b, "conftest", 8) || strstr(path, "/cmTC_") ||
	       strstr(path, "/CMakeScratch/") || strstr(path, "/CMakeTmp/");
}

static int on_version(const struct graphq_version *r, void *ctx)
{
	struct loader *L = ctx;
	struct graph *g = L->g;
	struct graph_version *v;
	int prev;

	if (grow((void **)&g->v, &L->cap, g->nv, sizeof(*g->v)))
		return -ENOMEM;
	v = &g->v[g->nv];
	memset(v, 0, sizeof(*v));
	v->id = r->id;
	v->vseq = r->vseq;
	v->path = strdup(r->path ? r->path : "");
	v->sha256 = r->sha256 ? strdup(r->sha256) : NULL;
	if (!v->path || (r->sha256 && !v->sha256))
		return -ENOMEM;
	snprintf(v->state, sizeof(v->state), "%s", r->state ? r->state : "");
	v->step = v->first_ev = -1;
	if (r->origin && strcmp(r->origin, "preexisting") && strcmp(r->origin, "external"))
		v->flags |= GRAPH_V_WRITTEN;
	if (!strcmp(v->state, "dir"))
		v->flags |= GRAPH_V_DIR;
	if (probe_path(v->path))
		v->flags |= GRAPH_V_PROBE;
	prev = (int)(intptr_t)strmap_get(&g->last, v->path) - 1;
	v->prev_same = prev;
	if (strmap_put(&g->last, v->path, (void *)(intptr_t)(g->nv + 1)) ||
	    u64map_put(&L->vid, (uint64_t)r->id, (void *)(intptr_t)(g->nv + 1)))
		return -ENOMEM;
	g->nv++;
	return 0;
}

static int on_process(const struct graphq_proc *r, void *ctx)
{
	struct loader *L = ctx;
	struct graph *g = L->g;
	struct graph_proc *p;

	if (grow((void **)&g->p, &L->cap, g->np, sizeof(*g->p)))
		return -ENOMEM;
	p = &g->p[g->np];
	memset(p, 0, sizeof(*p));
	p->id = r->id;
	p->parent = idx_of(&L->pid, r->parent_id);
	p->prev = idx_of(&L->pid, r->prev_id);
	p->step = -1;
	p->exe = r->exe ? strdup(r->exe) : NULL;
	p->cwd = r->cwd ? strdup(r->cwd) : NULL;
	if (r->argv && r->argv_len) {
		p->argv = malloc(r->argv_len + 1);
		if (!p->argv)
			return -ENOMEM;
		memcpy(p->argv, r->argv, r->argv_len);
		p->argv[r->argv_len] = 0;
		p->argv_len = r->argv_len;
	}
	if (p->parent >= 0)
		g->p[p->parent].nchildren++;
	if (u64map_put(&L->pid, (uint64_t)r->id, (void *)(intptr_t)(g->np + 1)))
		return -ENOMEM;
	g->np++;
	return 0;
}

static char op_code(const char *op)
{
	if (!op)
		return '?';
	if (!strcmp(op, "symlink"))
		return 's';
	if (!strcmp(op, "dlopen"))
		return 'd';
	if (!strcmp(op, "exec"))
		return 'e';
	if (!strcmp(op, "interp"))
		return 'i';
	return op[0]; /* open rename link unlink truncate chdir */
}

static int on_event(const struct graphq_event *r, void *ctx)
{
	struct loader *L = ctx;
	struct graph *g = L->g;
	struct graph_event *e;

	if (grow((void **)&g->e, &L->cap, g->ne, sizeof(*g->e)))
		return -ENOMEM;
	e = &g->e[g->ne];
	memset(e, 0, sizeof(*e));
	e->id = r->id;
	e->proc = idx_of(&L->pid, r->process_id);
	e->op = op_code(r->op);
	e->access = r->access ? r->access[0] : 'n';
	e->noise = r->noise != NULL;
	e->flags = r->flags;
	e->result = r->result;
	e->version = idx_of(&L->vid, r->version_id);
	e->src = -1;
	if ((e->op == 'r' || e->op == 'l' || e->op == 'u') && r->path &&
	    !(e->path = strdup(r->path)))
		return -ENOMEM;
	if (e->version >= 0 && g->v[e->version].first_ev < 0)
		g->v[e->version].first_ev = (int)g->ne;
	if (e->proc >= 0 && graph_ivec_push(&g->p[e->proc].ev, (int)g->ne))
		return -ENOMEM;
	g->ne++;
	return 0;
}

/* The version of path that was current at event ei (the newest first named before it). */
static int version_at(const struct graph *g, const char *path, int ei)
{
	int v = graph_latest(g, path);

	while (v >= 0 && g->v[v].first_ev >= ei)
		v = g->v[v].prev_same;
	return v;
}

#define GRAPH_V_REMOVED 0x100 /* unlinked or renamed away after it was current */

/* Sources of renames and links; versions removed later; temporaries. */
static void mark_moves(struct graph *g)
{
	for (size_t i = 0; i < g->ne; i++) {
		struct graph_event *e = &g->e[i];
		int v;

		if (!e->path || e->result < 0)
			continue;
		v = version_at(g, e->path, (int)i);
		if (e->op == 'r' || e->op == 'l')
			e->src = v;
		if (v >= 0 && (e->op == 'u' || e->op == 'r'))
			g->v[v].flags |= GRAPH_V_REMOVED;
	}
	for (size_t i = 0; i < g->nv; i++) {
		struct graph_version *v = &g->v[i];
		int last = graph_latest(g, v->path) == (int)i;

		if ((v->flags & GRAPH_V_WRITTEN) &&
		    (!strcmp(v->state, "vanished") || (last && (v->flags & GRAPH_V_REMOVED))))
			v->flags |= GRAPH_V_TEMP;
		/* a read of a build temporary that was gone before it could be hashed (the
		 * eBPF backend cannot make gcc wait): a temporary too, not an outside input */
		else if (!strcmp(v->state, "vanished") &&
			 (g->v[graph_latest(g, v->path)].flags & GRAPH_V_WRITTEN))
			v->flags |= GRAPH_V_TEMP;
	}
}

/* --- edges ------------------------------------------------------------------------ */

/* The version read at event ei.  A read of a temporary that vanished before it could be
 * hashed and matched no written version (under eBPF, `as` reading cc1's /tmp/ccX.s after
 * the collector found it gone), or that changed before it could be hashed in a file the
 * build removed later (configure's conftest.err, rewritten by the next test at once),
 * stands for the version the build wrote last before the read, so that the chain through
 * it reaches the sources. */
static int read_version(const struct graph *g, int ei)
{
	int v = g->e[ei].version, best = -1;

	if ((g->v[v].flags & GRAPH_V_WRITTEN) ||
	    (strcmp(g->v[v].state, "vanished") &&
	     (strcmp(g->v[v].state, "changed") || !(g->v[v].flags & GRAPH_V_REMOVED))))
		return v;
	for (int w = graph_latest(g, g->v[v].path); w >= 0; w = g->v[w].prev_same)
		if ((g->v[w].flags & GRAPH_V_WRITTEN) && g->v[w].first_ev >= 0 &&
		    g->v[w].first_ev < ei && (best < 0 || g->v[w].first_ev > g->v[best].first_ev))
			best = w;
	return best >= 0 ? best : v;
}

/* Reads of image pi that are inputs. */
static int image_reads(const struct graph *g, int pi, struct graph_ivec *out)
{
	const struct graph_proc *p = &g->p[pi];

	for (size_t k = 0; k < p->ev.n; k++) {
		const struct graph_event *e = &g->e[p->ev.v[k]];

		if (e->role == GRAPH_INPUT && graph_ivec_add(out, read_version(g, p->ev.v[k])))
			return -ENOMEM;
	}
	return 0;
}

/* Adds the reads of the images that the k-th image of step s exec'd into (the same
 * process later: `sed ... | awk -f x.awk > out` opens out in the shell's child, which
 * then execs awk). */
static int successor_reads(const struct graph *g, const struct graph_step *s, size_t k,
			   struct graph_ivec *out)
{
	int cur = s->procs.v[k];

	for (size_t j = k + 1; j < s->procs.n; j++) {
		if (g->p[s->procs.v[j]].prev != cur)
			continue;
		cur = s->procs.v[j];
		if (image_reads(g, cur, out))
			return -ENOMEM;
	}
	return 0;
}

/* Pass 1: step in/out/tools and, for every output, the raw inputs of its writer (or, when
 * it read nothing, of what it exec'd into, or else of every image of the step). */
static int step_raw(struct graph *g, int si)
{
	struct graph_step *s = &g->s[si];
	struct graph_ivec all = { 0 }, mine = { 0 };
	int rc = -ENOMEM;

	for (size_t k = 0; k < s->procs.n; k++)
		if (image_reads(g, s->procs.v[k], &all))
			goto out;
	for (size_t k = 0; k < s->procs.n; k++) {
		const struct graph_proc *p = &g->p[s->procs.v[k]];

		mine.n = 0;
		if (image_reads(g, s->procs.v[k], &mine) ||
		    (!mine.n && successor_reads(g, s, k, &mine)))
			goto out;
		for (size_t j = 0; j < p->ev.n; j++) {
			const struct graph_event *e = &g->e[p->ev.v[j]];
			struct graph_version *w;
			const struct graph_ivec *raw = mine.n ? &mine : &all;

			if (e->role == GRAPH_TOOL && graph_ivec_add(&s->tools, e->version))
				goto out;
			if (e->role != GRAPH_OUTPUT)
				continue;
			w = &g->v[e->version];
			w->step = si;
			if (graph_ivec_add(&s->out, e->version))
				goto out;
			if (e->op == 'r' || e->op == 'l') {
				if (e->src >= 0 && graph_ivec_add(&w->in, e->src))
					goto out;
				continue;
			}
			for (size_t r = 0; r < raw->n; r++)
				if (raw->v[r] != e->version && graph_ivec_add(&w->in, raw->v[r]))
					goto out;
		}
	}
	for (size_t k = 0; k < all.n; k++)
		if (g->v[all.v[k]].step != si && graph_ivec_add(&s->in, all.v[k]))
			goto out;
	rc = 0;
out:
	graph_ivec_release(&all);
	graph_ivec_release(&mine);
	return rc;
}

/* Adds to out the inputs of x, replacing versions step si wrote by their own inputs. */
static int expand_internal(const struct graph *g, int si, int x, int root, char *seen,
			   struct graph_ivec *touched, struct graph_ivec *out)
{
	const struct graph_version *v = &g->v[x];

	for (size_t k = 0; k < v->in.n; k++) {
		int y = v->in.v[k];

		if (y == root || seen[y])
			continue;
		seen[y] = 1;
		if (graph_ivec_push(touched, y))
			return -ENOMEM;
		if (g->v[y].step == si && (g->v[y].flags & GRAPH_V_WRITTEN)) {
			if (expand_internal(g, si, y, root, seen, touched, out))
				return -ENOMEM;
		} else if (graph_ivec_push(out, y)) {
			return -ENOMEM;
		}
	}
	return 0;
}

/* Pass 2: inputs of each output expanded through the step's own intermediate files. */
static int step_expand(struct graph *g, int si, char *seen)
{
	struct graph_step *s = &g->s[si];
	struct graph_ivec *tmp = calloc(s->out.n + 1, sizeof(*tmp));
	struct graph_ivec touched = { 0 };
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	for (size_t k = 0; k < s->out.n && !rc; k++) {
		rc = expand_internal(g, si, s->out.v[k], s->out.v[k], seen, &touched, &tmp[k]);
		for (size_t j = 0; j < touched.n; j++)
			seen[touched.v[j]] = 0;
		touched.n = 0;
	}
	graph_ivec_release(&touched);
	for (size_t k = 0; k < s->out.n; k++) {
		if (!rc) {
			graph_ivec_release(&g->v[s->out.v[k]].in);
			g->v[s->out.v[k]].in = tmp[k];
		} else {
			graph_ivec_release(&tmp[k]);
		}
	}
	free(tmp);
	return rc;
}

/* In-place rewrites (strip, objcopy, ar r, ranlib, libtool relink): the new version of a
 * path comes from the previous one, unless that one was removed in between. */
static int inplace_links(struct graph *g)
{
	for (size_t i = 0; i < g->nv; i++) {
		struct graph_version *w = &g->v[i];
		int p = w->prev_same;
		int kind;

		if (w->step < 0 || p < 0 || (g->v[p].flags & (GRAPH_V_REMOVED | GRAPH_V_DIR)))
			continue;
		kind = g->s[w->step].kind;
		if (kind != STEPS_STRIP && kind != STEPS_ARCHIVE)
			continue;
		if (graph_ivec_add(&w->in, p))
			return -ENOMEM;
	}
	return 0;
}

static int finish_steps(struct graph *g)
{
	for (size_t i = 0; i < g->ns; i++) {
		struct graph_step *s = &g->s[i];

		for (size_t k = 0; k < s->tools.n; k++)
			g->v[s->tools.v[k]].flags |= GRAPH_V_CONSUMED;
		for (size_t k = 0; k < s->in.n; k++)
			g->v[s->in.v[k]].flags |= GRAPH_V_CONSUMED;
	}
	for (size_t i = 0; i < g->nv; i++) /* the old version of an in-place rewrite */
		for (size_t k = 0; k < g->v[i].in.n; k++)
			if (g->v[g->v[i].in.v[k]].step != g->v[i].step)
				g->v[g->v[i].in.v[k]].flags |= GRAPH_V_CONSUMED;
	for (size_t i = 0; i < g->ne; i++) /* a built program run by an orchestrator */
		if (g->e[i].role == GRAPH_TOOL)
			g->v[g->e[i].version].flags |= GRAPH_V_CONSUMED;
	return 0;
}

static int build_edges(struct graph *g)
{
	char *seen;
	int rc = 0;

	mark_moves(g);
	rc = steps_assign(g);
	if (rc)
		return rc;
	seen = calloc(g->nv + 1, 1);
	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < g->ns && !rc; i++)
		rc = step_raw(g, (int)i);
	for (size_t i = 0; i < g->ns && !rc; i++)
		rc = step_expand(g, (int)i, seen);
	free(seen);
	if (rc)
		return rc;
	for (size_t i = 0; i < g->ns; i++) /* btools first: codegen needs them */
		for (size_t k = 0; k < g->s[i].tools.n; k++)
			if ((g->v[g->s[i].tools.v[k]].flags & GRAPH_V_WRITTEN) &&
			    graph_ivec_add(&g->s[i].btools, g->s[i].tools.v[k]))
				return -ENOMEM;
	steps_classify(g);
	rc = inplace_links(g);
	return rc ? rc : finish_steps(g);
}

int graph_load(struct store *st, int64_t build_id, struct graph **out)
{
	struct graph *g = calloc(1, sizeof(*g));
	struct loader L = { .g = g };
	int rc;

	if (!g)
		return -ENOMEM;
	g->build_id = build_id;
	rc = graphq_build_get(st, build_id, &g->cwd, &g->state);
	if (!rc)
		rc = graphq_each_version(st, build_id, on_version, &L);
	L.cap = 0;
	if (!rc && !(g->fclass = calloc(g->nv + 1, 1)))
		rc = -ENOMEM;
	if (!rc)
		rc = graphq_each_process(st, build_id, on_process, &L);
	L.cap = 0;
	if (!rc)
		rc = graphq_each_event(st, build_id, on_event, &L);
	if (!rc)
		rc = build_edges(g);
	u64map_release(&L.vid);
	u64map_release(&L.pid);
	if (rc) {
		graph_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void graph_free(struct graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->ns; i++) {
		graph_ivec_release(&g->s[i].procs);
		graph_ivec_release(&g->s[i].in);
		graph_ivec_release(&g->s[i].out);
		graph_ivec_release(&g->s[i].tools);
		graph_ivec_release(&g->s[i].btools);
	}
	for (size_t i = 0; i < g->ne; i++)
		free(g->e[i].path);
	for (size_t i = 0; i < g->np; i++) {
		free(g->p[i].exe);
		free(g->p[i].argv);
		free(g->p[i].cwd);
		graph_ivec_release(&g->p[i].ev);
	}
	for (size_t i = 0; i < g->nv; i++) {
		free(g->v[i].path);
		free(g->v[i].sha256);
		graph_ivec_release(&g->v[i].in);
	}
	strmap_release(&g->last);
	free(g->s);
	free(g->e);
	free(g->p);
	free(g->v);
	free(g->fclass);
	free(g->cwd);
	free(g->state);
	free(g);
}

int graph_latest(const struct graph *g, const char *path)
{
	return (int)(intptr_t)strmap_get(&g->last, path) - 1;
}

/* --- queries ------------------------------------------------------------------------ */

static int direct_rec(const struct graph *g, int x, char *seen, struct graph_ivec *out)
{
	for (size_t k = 0; k < g->v[x].in.n; k++) {
		int y = g->v[x].in.v[k];

		if (seen[y])
			continue;
		seen[y] = 1;
		if ((g->v[y].flags & GRAPH_V_TEMP) && g->v[y].step >= 0) {
			if (direct_rec(g, y, seen, out))
				return -ENOMEM;
		} else if (graph_ivec_push(out, y)) {
			return -ENOMEM;
		}
	}
	return 0;
}

int graph_direct(const struct graph *g, int vi, struct graph_ivec *out)
{
	char *seen = calloc(g->nv + 1, 1);
	int rc;

	if (!seen)
		return -ENOMEM;
	seen[vi] = 1;
	for (size_t k = 0; k < out->n; k++)
		seen[out->v[k]] = 1;
	rc = direct_rec(g, vi, seen, out);
	free(seen);
	return rc;
}

int graph_closure(const struct graph *g, int vi, struct graph_ivec *out)
{
	char *seen = calloc(g->nv + 1, 1);
	struct graph_ivec q = { 0 };
	int rc = -ENOMEM;

	if (!seen)
		return -ENOMEM;
	for (size_t k = 0; k < out->n; k++)
		seen[out->v[k]] = 2;
	seen[vi] = 1;
	if (graph_ivec_push(&q, vi))
		goto out;
	for (size_t h = 0; h < q.n; h++) {
		const struct graph_version *v = &g->v[q.v[h]];
		const struct graph_ivec *bt = v->step >= 0 ? &g->s[v->step].btools : NULL;
		size_t nin = v->in.n, nb = bt ? bt->n : 0;

		for (size_t k = 0; k < nin + nb; k++) {
			int y = k < nin ? v->in.v[k] : bt->v[k - nin];

			if (seen[y] == 1 || (g->v[y].flags & GRAPH_V_PROBE))
				continue;
			if (!seen[y] && !(g->v[y].flags & GRAPH_V_TEMP) && graph_ivec_push(out, y))
				goto out;
			seen[y] = 1;
			if (graph_ivec_push(&q, y))
				goto out;
		}
	}
	rc = 0;
out:
	graph_ivec_release(&q);
	free(seen);
	return rc;
}

char *graph_step_cmdline(const struct graph *g, int step)
{
	const struct graph_proc *p = NULL;
	size_t len;
	char *s;

	if (step < 0)
		return NULL;
	p = &g->p[g->s[step].root];
	for (size_t k = 0; !p->argv && k < g->s[step].procs.n; k++)
		p = &g->p[g->s[step].procs.v[k]];
	if (!p->argv)
		return strdup(p->exe ? p->exe : "?");
	len = p->argv_len;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, p->argv, len);
	while (len && s[len - 1] == 0)
		len--;
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			s[i] = ' ';
	s[len] = 0;
	return s;
}

static const struct graph *sort_g;

static int by_path(const void *a, const void *b)
{
	const struct graph_version *x = &sort_g->v[*(const int *)a];
	const struct graph_version *y = &sort_g->v[*(const int *)b];
	int c = strcmp(x->path, y->path);

	return c ? c : (x->vseq > y->vseq) - (x->vseq < y->vseq);
}

void graph_sort_by_path(const struct graph *g, struct graph_ivec *a)
{
	sort_g = g;
	qsort(a->v, a->n, sizeof(*a->v), by_path);
}
