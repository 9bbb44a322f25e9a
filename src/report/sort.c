/* sort.c - the report's deterministic order: nodes, edges (one per pair of nodes, their uses
 * merged), folded files (see internal.h); and edge labels. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const use_names[] = {
	"compiled from", "linked", "static link", "dynamic link", "archived", "generated from",
	"copied from", "stripped from", "input", "tool", "output",
};

void report_edge_label(unsigned uses, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof(use_names) / sizeof(use_names[0]); i++)
		if (uses & (1u << i)) {
			int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", use_names[i]);
			if (n < 0 || (size_t)n >= size - len)
				return;
			len += (size_t)n;
		}
}

struct sort_ctx {
	const struct report *r;
	const struct rep_key *k;
};

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_nodes(const void *a, const void *b, void *ctx)
{
	const struct sort_ctx *c = ctx;
	int i = *(const int *)a, j = *(const int *)b, r;
	const struct rep_key *x = &c->k[i], *y = &c->k[j];

	if (c->r->nodes[i].type != c->r->nodes[j].type)
		return (int)c->r->nodes[i].type - (int)c->r->nodes[j].type;
	if ((r = cmp_str(x->path, y->path)))
		return r;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if ((r = cmp_str(x->sha256, y->sha256)))
		return r;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return i - j;
}

static int cmp_edges(const void *a, const void *b)
{
	const struct report_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return 0;
}

static int cmp_files(const void *a, const void *b)
{
	const struct report_file *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	return r ? r : cmp_str(x->sha256, y->sha256);
}

static void sort_edges(struct report *r, const int *newpos)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_edges; i++) {
		r->edges[i].from = newpos[r->edges[i].from];
		r->edges[i].to = newpos[r->edges[i].to];
	}
	if (r->n_edges > 1)
		qsort(r->edges, r->n_edges, sizeof(*r->edges), cmp_edges);
	for (size_t i = 0; i < r->n_edges; i++)
		if (n && !cmp_edges(&r->edges[n - 1], &r->edges[i]))
			r->edges[n - 1].uses |= r->edges[i].uses;
		else
			r->edges[n++] = r->edges[i];
	r->n_edges = n;
}

int rep_sort(struct report *r, const struct rep_key *keys)
{
	struct sort_ctx c = { r, keys };
	int *order = malloc((r->n_nodes + 1) * sizeof(int));
	int *newpos = malloc((r->n_nodes + 1) * sizeof(int));
	struct report_node *nodes = malloc((r->n_nodes + 1) * sizeof(*nodes));

	if (!order || !newpos || !nodes) {
		free(order);
		free(newpos);
		free(nodes);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n_nodes; i++)
		order[i] = (int)i;
	qsort_r(order, r->n_nodes, sizeof(int), cmp_nodes, &c);
	for (size_t i = 0; i < r->n_nodes; i++) {
		newpos[order[i]] = (int)i;
		nodes[i] = r->nodes[order[i]];
		if (nodes[i].n_files > 1)
			qsort(nodes[i].files, nodes[i].n_files, sizeof(*nodes[i].files), cmp_files);
	}
	free(r->nodes);
	r->nodes = nodes;
	for (size_t i = 0; i < r->n_comps; i++)
		if (r->comps[i].node >= 0)
			r->comps[i].node = newpos[r->comps[i].node];
	sort_edges(r, newpos);
	free(order);
	free(newpos);
	return 0;
}
