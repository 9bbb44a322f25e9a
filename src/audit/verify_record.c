/* verify_record.c - what a recorded build says its artifacts, inputs and tools were
 * (verify.h: verify_from_graph, verify_graph_named, verify_graph_known). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/verify.h"

/* Paths the build removed (unlink, rename away) after their newest version appeared. */
static int removed_paths(const struct graph *g, struct strmap *out)
{
	for (size_t i = 0; i < g->ne; i++) {
		const struct graph_event *e = &g->e[i];
		int v;

		if (!e->path || e->result < 0 || (e->op != 'u' && e->op != 'r'))
			continue;
		v = graph_latest(g, e->path);
		if (v >= 0 && g->v[v].first_ev < (int)i && strmap_put(out, e->path, (void *)1))
			return -ENOMEM;
	}
	return 0;
}

struct walk {
	struct verify_set *s;
	const struct graph *g;
	struct strmap removed;
	char *seen_step; /* by step index */
	char *seen_temp; /* by version index: temporaries already counted */
};

/* Expects the content version vi's path had at the end of the build. */
static int expect_version(struct walk *w, int vi, enum verify_role role)
{
	const struct graph *g = w->g;
	const char *path = g->v[vi].path;
	int last = graph_latest(g, path);

	if (last < 0)
		last = vi;
	if ((g->v[last].flags & (GRAPH_V_TEMP | GRAPH_V_DIR)) || strmap_get(&w->removed, path)) {
		if (!(g->v[last].flags & GRAPH_V_DIR) && !w->seen_temp[last]) {
			w->seen_temp[last] = 1;
			w->s->n_temporary++;
		}
		return 0;
	}
	if (!g->v[last].sha256) {
		w->s->n_unhashed++;
		return 0;
	}
	return verify_expect(w->s, path, g->v[last].sha256, role);
}

/* Counts the temporaries of a (distinct) */
static void count_temps(struct walk *w, const struct graph_ivec *a)
{
	for (size_t k = 0; k < a->n; k++) {
		int y = a->v[k];
		if ((w->g->v[y].flags & GRAPH_V_TEMP) && !w->seen_temp[y]) {
			w->seen_temp[y] = 1;
			w->s->n_temporary++;
		}
	}
}

/* The tools of the step that wrote vi, once per step; its temporaries are counted. */
static int expect_tools(struct walk *w, int vi)
{
	int st = w->g->v[vi].step, rc = 0;
	const struct graph_step *s;

	if (st < 0 || w->seen_step[st])
		return 0;
	w->seen_step[st] = 1;
	s = &w->g->s[st];
	count_temps(w, &s->in);
	count_temps(w, &s->out);
	for (size_t k = 0; k < s->tools.n && !rc; k++)
		rc = expect_version(w, s->tools.v[k], VERIFY_TOOL);
	return rc;
}

static int walk(struct walk *w, const struct graph_ivec *arts)
{
	const struct graph *g = w->g;
	struct graph_ivec cl = { 0 };
	int rc = 0;

	for (size_t i = 0; i < arts->n && !rc; i++)
		rc = graph_closure(g, arts->v[i], &cl);
	for (size_t i = 0; i < arts->n && !rc; i++) {
		int a = arts->v[i];
		rc = g->v[a].sha256
			     ? verify_expect(w->s, g->v[a].path, g->v[a].sha256, VERIFY_ARTIFACT)
			     : (w->s->n_unhashed++, 0);
		if (!rc)
			rc = expect_tools(w, a);
	}
	for (size_t i = 0; i < cl.n && !rc; i++) {
		int y = cl.v[i];
		rc = expect_version(w, y,
				    (g->v[y].flags & GRAPH_V_WRITTEN) ? VERIFY_INTERMEDIATE
								      : VERIFY_INPUT);
		if (!rc)
			rc = expect_tools(w, y);
	}
	graph_ivec_release(&cl);
	return rc;
}

int verify_from_graph(struct verify_set *s, const struct graph *g, const struct graph_ivec *arts)
{
	struct walk w = { .s = s, .g = g };
	int rc = -ENOMEM;

	w.seen_step = calloc(g->ns + 1, 1);
	w.seen_temp = calloc(g->nv + 1, 1);
	if (w.seen_step && w.seen_temp && !removed_paths(g, &w.removed))
		rc = walk(&w, arts);
	strmap_release(&w.removed);
	free(w.seen_temp);
	free(w.seen_step);
	return rc;
}

int verify_graph_named(struct verify_set *s, const struct graph *g, const char *path,
		       struct graph_ivec *arts)
{
	int v = graph_latest(g, path), w = v;

	while (w >= 0 && !(g->v[w].flags & GRAPH_V_WRITTEN))
		w = g->v[w].prev_same;
	if (w >= 0)
		return graph_ivec_add(arts, w) ? -ENOMEM : 1;
	if (v < 0 || (g->v[v].flags & GRAPH_V_DIR))
		return 0;
	if (!g->v[v].sha256) {
		s->n_unhashed++;
		return 1;
	}
	return verify_expect(s, path, g->v[v].sha256, VERIFY_INPUT) ? -ENOMEM : 1;
}

int verify_graph_known(const struct graph *g, struct strmap *known)
{
	/* versions the build wrote first: the same content read elsewhere names the output */
	for (int written = 1; written >= 0; written--)
		for (size_t i = 0; i < g->nv; i++) {
			const struct graph_version *v = &g->v[i];

			if (!(v->flags & GRAPH_V_WRITTEN) != !written || !v->sha256 ||
			    strmap_get(known, v->sha256))
				continue;
			if (strmap_put(known, v->sha256, v->path)) {
				strmap_release(known);
				return -ENOMEM;
			}
		}
	return 0;
}
