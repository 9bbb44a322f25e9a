/* layout.c - a layered left-to-right layout of the report's graph (see report_layout). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/report.h"

#define SWEEPS 4

/* The graph as adjacency lists (edge indices), with the edges that close a cycle marked. */
struct lay {
	struct report *r;
	size_t n, m;
	int *out_off, *out_e; /* out_e[out_off[u] .. out_off[u+1]): edges leaving u */
	int *in_off, *in_e;   /* the same for edges entering u */
	char *back;	      /* per edge: ignored (closes a cycle, or a self loop) */
	int *topo;	      /* nodes in DFS post-order: every node after its successors */
	int *size;	      /* per layer: number of nodes */
	int64_t *key;	      /* per node: sort key of the current sweep */
};

/* Fills the out and in lists from the offsets (both in edge order). */
static int lists(struct lay *l)
{
	const struct report_edge *e = l->r->edges;
	int *oc = malloc((l->n + 1) * sizeof(int)), *ic = malloc((l->n + 1) * sizeof(int));

	if (!oc || !ic) {
		free(oc);
		free(ic);
		return -ENOMEM;
	}
	memcpy(oc, l->out_off, (l->n + 1) * sizeof(int));
	memcpy(ic, l->in_off, (l->n + 1) * sizeof(int));
	for (size_t i = 0; i < l->m; i++) {
		l->out_e[oc[e[i].from]++] = (int)i;
		l->in_e[ic[e[i].to]++] = (int)i;
	}
	free(oc);
	free(ic);
	return 0;
}

static int adjacency(struct lay *l)
{
	const struct report_edge *e = l->r->edges;

	l->out_off = calloc(l->n + 1, sizeof(int));
	l->in_off = calloc(l->n + 1, sizeof(int));
	l->out_e = malloc((l->m + 1) * sizeof(int));
	l->in_e = malloc((l->m + 1) * sizeof(int));
	l->back = calloc(l->m + 1, 1);
	if (!l->out_off || !l->in_off || !l->out_e || !l->in_e || !l->back)
		return -ENOMEM;
	for (size_t i = 0; i < l->m; i++) {
		l->out_off[e[i].from + 1]++;
		l->in_off[e[i].to + 1]++;
	}
	for (size_t u = 0; u < l->n; u++) {
		l->out_off[u + 1] += l->out_off[u];
		l->in_off[u + 1] += l->in_off[u];
	}
	return lists(l);
	return 0;
}

/* Depth-first from every node in index order: post-order into l->topo; an edge to a node
 * still on the stack closes a cycle and is marked back. */
static int dfs(struct lay *l)
{
	char *state = calloc(l->n + 1, 1); /* 0 new, 1 on the stack, 2 done */
	int *stack = malloc((l->n + 1) * sizeof(int)), *next = malloc((l->n + 1) * sizeof(int));
	size_t nt = 0;

	l->topo = malloc((l->n + 1) * sizeof(int));
	if (!state || !stack || !next || !l->topo) {
		free(state);
		free(stack);
		free(next);
		return -ENOMEM;
	}
	for (size_t s = 0; s < l->n; s++) {
		size_t sp = 0;

		if (state[s])
			continue;
		stack[sp++] = (int)s, next[s] = l->out_off[s], state[s] = 1;
		while (sp) {
			int u = stack[sp - 1];

			if (next[u] == l->out_off[u + 1]) {
				state[u] = 2;
				l->topo[nt++] = u;
				sp--;
				continue;
			}
			int e = l->out_e[next[u]++], v = l->r->edges[e].to;
			if (state[v] == 1)
				l->back[e] = 1;
			else if (!state[v])
				stack[sp++] = v, next[v] = l->out_off[v], state[v] = 1;
		}
	}
	free(state);
	free(stack);
	free(next);
	return 0;
}

/* Longest path from the sources, then every source moved right next to its first user. */
static void layers(struct lay *l)
{
	struct report_node *nd = l->r->nodes;

	for (size_t i = 0; i < l->n; i++)
		nd[i].layer = 0;
	for (size_t k = l->n; k-- > 0;) {
		int u = l->topo[k];
		for (int j = l->out_off[u]; j < l->out_off[u + 1]; j++) {
			int e = l->out_e[j], v = l->r->edges[e].to;
			if (!l->back[e] && nd[v].layer < nd[u].layer + 1)
				nd[v].layer = nd[u].layer + 1;
		}
	}
	for (size_t k = 0; k < l->n; k++) {
		int u = l->topo[k], has_in = 0, min = -1;
		for (int j = l->in_off[u]; j < l->in_off[u + 1]; j++)
			has_in |= !l->back[l->in_e[j]];
		for (int j = l->out_off[u]; j < l->out_off[u + 1]; j++) {
			int e = l->out_e[j], v = l->r->edges[e].to;
			if (!l->back[e] && (min < 0 || nd[v].layer < min))
				min = nd[v].layer;
		}
		if (!has_in && min > 0)
			nd[u].layer = min - 1;
	}
}

static int cmp_rank(const void *a, const void *b, void *ctx)
{
	const struct lay *l = ctx;
	int i = *(const int *)a, j = *(const int *)b;
	const struct report_node *nd = l->r->nodes;

	if (l->key[i] != l->key[j])
		return l->key[i] < l->key[j] ? -1 : 1;
	if (nd[i].rank != nd[j].rank)
		return nd[i].rank < nd[j].rank ? -1 : 1;
	return i - j;
}

/* The centred position of node u in its layer, doubled to stay an integer. */
static int64_t pos(const struct lay *l, int u)
{
	const struct report_node *nd = &l->r->nodes[u];

	return 2 * (int64_t)nd->rank - l->size[nd->layer];
}

/* The key of node u in a sweep: the mean position of its neighbours in earlier layers
 * (down) or in later layers (up); without such neighbours, its own place. */
static int64_t sweep_key(const struct lay *l, int u, int down)
{
	const struct report_node *nd = l->r->nodes;
	const int *off = down ? l->in_off : l->out_off, *es = down ? l->in_e : l->out_e;
	int64_t sum = 0, cnt = 0;

	for (int j = off[u]; j < off[u + 1]; j++) {
		const struct report_edge *e = &l->r->edges[es[j]];
		int v = down ? e->from : e->to;
		if (down ? nd[v].layer < nd[u].layer : nd[v].layer > nd[u].layer)
			sum += pos(l, v), cnt++;
	}
	return cnt ? sum * 1024 / cnt : pos(l, u) * 1024;
}

/* Reorders the nodes of one layer (order[0..n), all of that layer) by their sweep keys. */
static void sweep_layer(struct lay *l, int *order, size_t n, int down)
{
	for (size_t k = 0; k < n; k++)
		l->key[order[k]] = sweep_key(l, order[k], down);
	qsort_r(order, n, sizeof(int), cmp_rank, l);
	for (size_t k = 0; k < n; k++)
		l->r->nodes[order[k]].rank = (int)k;
}

/* Ranks in index order, then barycentre sweeps down and up, one layer after the other so
 * that each layer follows the new order of the one before. */
static int ranks(struct lay *l)
{
	struct report_node *nd = l->r->nodes;
	int maxl = 0, *order = malloc((l->n + 1) * sizeof(int)), *start;

	for (size_t u = 0; u < l->n; u++)
		maxl = nd[u].layer > maxl ? nd[u].layer : maxl;
	l->size = calloc((size_t)maxl + 2, sizeof(int));
	l->key = calloc(l->n + 1, sizeof(int64_t));
	start = calloc((size_t)maxl + 2, sizeof(int));
	if (!order || !l->size || !l->key || !start) {
		free(order);
		free(start);
		return -ENOMEM;
	}
	for (size_t u = 0; u < l->n; u++)
		nd[u].rank = l->size[nd[u].layer]++;
	for (int i = 1; i <= maxl; i++)
		start[i] = start[i - 1] + l->size[i - 1];
	for (size_t u = 0; u < l->n; u++)
		order[start[nd[u].layer] + nd[u].rank] = (int)u;
	for (int s = 0; s <= 2 * SWEEPS; s++) {
		int down = s % 2 == 0;
		for (int i = 0; i <= maxl; i++) {
			int L = down ? i : maxl - i;
			sweep_layer(l, order + start[L], (size_t)l->size[L], down);
		}
	}
	free(order);
	free(start);
	return 0;
}

int report_layout(struct report *r)
{
	struct lay l = { .r = r, .n = r->n_nodes, .m = r->n_edges };
	int rc;

	for (size_t i = 0; i < r->n_edges; i++)
		if (r->edges[i].from < 0 || r->edges[i].to < 0 || (size_t)r->edges[i].from >= l.n ||
		    (size_t)r->edges[i].to >= l.n)
			return -EINVAL;
	if (!(rc = adjacency(&l)) && !(rc = dfs(&l))) {
		layers(&l);
		rc = ranks(&l);
	}
	free(l.out_off);
	free(l.out_e);
	free(l.in_off);
	free(l.in_e);
	free(l.back);
	free(l.topo);
	free(l.size);
	free(l.key);
	return rc;
}
