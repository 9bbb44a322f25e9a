/* dot.c - the report as a Graphviz digraph (see report_write_dot). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/report.h"
#include "asbuilt/report_esc.h"
#include "asbuilt/sbuf.h"

static void put_fmt(struct sb *b, const char *fmt, long long v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), fmt, v);
	sb_puts(b, buf);
}

/* key="value" with value escaped; a leading ", " unless first. */
static void put_attr(struct sb *b, const char *key, const char *value, int first)
{
	if (!first)
		sb_puts(b, ", ");
	sb_puts(b, key);
	sb_puts(b, "=\"");
	report_esc_dot(b, value);
	sb_puts(b, "\"");
}

/* Whether node n is drawn inside a cluster, and which: a component index, -2 for the
 * unresolved inputs, -1 for none. */
static int cluster_of(const struct report_node *n)
{
	if (n->type != REPORT_FILE)
		return -1;
	if (n->comp >= 0)
		return n->comp;
	return n->written ? -1 : -2;
}

static const char *node_style(const struct report_node *n)
{
	switch (n->type) {
	case REPORT_COMPONENT:
		return "shape=folder, style=filled, fillcolor=\"#fff3d6\"";
	case REPORT_STEP:
		return "shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", fontsize=9";
	case REPORT_FILE:
		break;
	}
	if (n->artifact)
		return "shape=box, style=\"filled,bold\", peripheries=2, fillcolor=\"#d9f2d9\"";
	if (n->written)
		return "shape=box, style=filled, fillcolor=\"#e3ecfb\"";
	if (n->comp < 0)
		return "shape=note, style=filled, fillcolor=\"#fde2e1\"";
	return "shape=note, style=filled, fillcolor=white";
}

static void put_node(struct sb *b, const struct report *r, int i, const char *indent)
{
	const struct report_node *n = &r->nodes[i];

	sb_puts(b, indent);
	put_fmt(b, "n%lld [", i);
	sb_puts(b, "label=\"");
	report_esc_dot(b, n->label);
	if (n->type == REPORT_COMPONENT) { /* a second line, "\n12 files" */
		put_fmt(b, "\\n%lld file", (long long)r->comps[n->comp].n_files);
		sb_puts(b, r->comps[n->comp].n_files == 1 ? "" : "s");
	}
	sb_puts(b, "\"");
	if (n->detail)
		put_attr(b, "tooltip", n->detail, 0);
	sb_puts(b, ", ");
	sb_puts(b, node_style(n));
	sb_puts(b, "];\n");
}

static void put_cluster(struct sb *b, const struct report *r, int c)
{
	struct sb label = { 0 };
	char *l;

	if (c >= 0) {
		sb_puts(&label, r->comps[c].kind);
		sb_puts(&label, " ");
		sb_puts(&label, r->comps[c].name);
		if (r->comps[c].version) {
			sb_puts(&label, " ");
			sb_puts(&label, r->comps[c].version);
		}
		sb_puts(b, "\tsubgraph \"cluster_c");
		put_fmt(b, "%lld\" {\n\t\t", c);
	} else {
		sb_puts(&label, "unresolved inputs");
		sb_puts(b, "\tsubgraph \"cluster_unresolved\" {\n\t\t");
	}
	l = sb_done(&label);
	put_attr(b, "label", l ? l : "", 1);
	sb_puts(b, c >= 0 ? "; style=\"rounded\"; color=\"#5b7db1\";\n"
			  : "; style=\"rounded\"; color=\"#c0392b\";\n");
	for (size_t i = 0; i < r->n_nodes; i++)
		if (cluster_of(&r->nodes[i]) == c)
			put_node(b, r, (int)i, "\t\t");
	sb_puts(b, "\t}\n");
	free(l);
}

static const char *edge_style(unsigned uses)
{
	if (uses == REPORT_TOOL)
		return ", style=dashed, color=\"#999999\"";
	if (uses & REPORT_DYNAMIC)
		return ", color=\"#2b6cb0\"";
	if (uses & REPORT_STATIC)
		return ", color=\"#8a5a00\"";
	return "";
}

static void put_header(struct sb *b, const struct report *r)
{
	struct sb t = { 0 };
	char *title;

	sb_puts(&t, r->title);
	if (r->build_id > 0)
		put_fmt(&t, ": build %lld", (long long)r->build_id);
	if (r->cwd) {
		sb_puts(&t, " in ");
		sb_puts(&t, r->cwd);
	}
	sb_puts(&t, r->n_incomplete ? " (record incomplete)" : "");
	title = sb_done(&t);
	sb_puts(b, "digraph \"asbuilt\" {\n\tgraph [");
	put_attr(b, "label", title ? title : r->title, 1);
	sb_puts(b, ", labelloc=t, labeljust=l, rankdir=LR, fontname=\"Helvetica\", "
		   "fontsize=12, nodesep=0.15, ranksep=0.5];\n"
		   "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
		   "\tedge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n");
	free(title);
}

int report_write_dot(const struct report *r, FILE *out)
{
	struct sb b = { 0 };
	char *text;
	int unresolved = 0, rc = 0;

	put_header(&b, r);
	for (size_t c = 0; c < r->n_comps; c++) {
		int used = 0;
		for (size_t i = 0; i < r->n_nodes && !used; i++)
			used = cluster_of(&r->nodes[i]) == (int)c;
		if (used)
			put_cluster(&b, r, (int)c);
	}
	for (size_t i = 0; i < r->n_nodes; i++)
		unresolved |= cluster_of(&r->nodes[i]) == -2;
	if (unresolved)
		put_cluster(&b, r, -2);
	for (size_t i = 0; i < r->n_nodes; i++)
		if (cluster_of(&r->nodes[i]) == -1)
			put_node(&b, r, (int)i, "\t");
	for (size_t i = 0; i < r->n_edges; i++) {
		const struct report_edge *e = &r->edges[i];
		char label[192];

		report_edge_label(e->uses, label, sizeof(label));
		put_fmt(&b, "\tn%lld -> ", e->from);
		put_fmt(&b, "n%lld [", e->to);
		put_attr(&b, "label", label, 1);
		sb_puts(&b, edge_style(e->uses));
		sb_puts(&b, "];\n");
	}
	sb_puts(&b, "}\n");
	if (!(text = sb_done(&b)))
		return -ENOMEM;
	if (fputs(text, out) == EOF)
		rc = -EIO;
	free(text);
	return rc;
}
