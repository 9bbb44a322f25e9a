/* html.c - the report as one self-contained HTML page (see report_write_html): a static
 * skeleton with the component table, the graph's data as JSON, and the script that draws
 * it (html_asset.c). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/report.h"
#include "asbuilt/report_esc.h"
#include "asbuilt/sbuf.h"
#include "internal.h"

static void put_num(struct sb *b, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	sb_puts(b, buf);
}

/* <tag>text</tag> with text escaped. */
static void put_elem(struct sb *b, const char *open, const char *text, const char *close)
{
	sb_puts(b, open);
	report_esc_html(b, text ? text : "");
	sb_puts(b, close);
}

/* --- the data --------------------------------------------------------------------------- */

static const char *type_name(enum report_ntype t)
{
	return t == REPORT_COMPONENT ? "component" : t == REPORT_FILE ? "file" : "step";
}

/* cJSON returns NULL when it cannot allocate: remember it. */
static void ok(int *bad, const void *p)
{
	if (!p)
		*bad = 1;
}

static void add_str(cJSON *o, const char *k, const char *v, int *bad)
{
	ok(bad, v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k));
}

static void add_item(cJSON *a, cJSON *x, int *bad)
{
	if (!x || !cJSON_AddItemToArray(a, x)) {
		cJSON_Delete(x);
		*bad = 1;
	}
}

static cJSON *json_files(const struct report_node *n, int *bad)
{
	cJSON *files = cJSON_CreateArray();

	for (size_t k = 0; files && k < n->n_files; k++) {
		cJSON *f = cJSON_CreateArray();
		if (f) {
			add_item(f, cJSON_CreateString(n->files[k].path), bad);
			add_item(f, n->files[k].sha256 ? cJSON_CreateString(n->files[k].sha256)
						       : cJSON_CreateNull(),
				 bad);
		}
		add_item(files, f, bad);
	}
	ok(bad, files);
	return files;
}

static cJSON *json_node(const struct report_node *n, int *bad)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_str(o, "type", type_name(n->type), bad);
	add_str(o, "label", n->label, bad);
	add_str(o, "detail", n->detail, bad);
	add_str(o, "kind", n->kind, bad);
	ok(bad, cJSON_AddNumberToObject(o, "comp", n->comp));
	ok(bad, cJSON_AddBoolToObject(o, "artifact", n->artifact));
	ok(bad, cJSON_AddBoolToObject(o, "written", n->written));
	if (n->type == REPORT_STEP)
		add_str(o, "cwd", n->cwd, bad);
	ok(bad, cJSON_AddNumberToObject(o, "layer", n->layer));
	ok(bad, cJSON_AddNumberToObject(o, "rank", n->rank));
	if (!cJSON_AddItemToObject(o, "files", json_files(n, bad)))
		*bad = 1;
	return o;
}

static cJSON *json_comp(const struct report_comp *c, int *bad)
{
	cJSON *o = cJSON_CreateObject();
	char uses[192];

	if (!o)
		return NULL;
	add_str(o, "name", c->name, bad);
	add_str(o, "version", c->version, bad);
	add_str(o, "kind", c->kind, bad);
	add_str(o, "purl", c->purl, bad);
	add_str(o, "license", c->license, bad);
	ok(bad, cJSON_AddNumberToObject(o, "files", (double)c->n_files));
	ok(bad, cJSON_AddNumberToObject(o, "node", c->node));
	report_edge_label(c->uses, uses, sizeof(uses));
	add_str(o, "uses", uses, bad);
	return o;
}

static cJSON *json_edge(const struct report_edge *e, int *bad)
{
	cJSON *a = cJSON_CreateArray();
	char label[192];

	if (!a)
		return NULL;
	report_edge_label(e->uses, label, sizeof(label));
	add_item(a, cJSON_CreateNumber(e->from), bad);
	add_item(a, cJSON_CreateNumber(e->to), bad);
	add_item(a, cJSON_CreateString(label), bad);
	return a;
}

/* Adds a new array named k to o; NULL on ENOMEM. */
static cJSON *add_array(cJSON *o, const char *k)
{
	cJSON *a = cJSON_CreateArray();

	if (a && !cJSON_AddItemToObject(o, k, a)) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* The report as JSON text (you own it), or NULL on ENOMEM. */
static char *json_data(const struct report *r)
{
	cJSON *o = cJSON_CreateObject(), *inc, *nodes, *edges, *comps;
	char *text = NULL;
	int bad = 0;

	if (!o)
		return NULL;
	add_str(o, "title", r->title, &bad);
	ok(&bad, cJSON_AddNumberToObject(o, "build", (double)r->build_id));
	add_str(o, "cwd", r->cwd, &bad);
	inc = add_array(o, "incomplete");
	nodes = add_array(o, "nodes");
	edges = add_array(o, "edges");
	comps = add_array(o, "comps");
	if (!inc || !nodes || !edges || !comps)
		goto out;
	for (size_t i = 0; i < r->n_incomplete; i++)
		add_item(inc, cJSON_CreateString(r->incomplete[i]), &bad);
	for (size_t i = 0; i < r->n_nodes && !bad; i++)
		add_item(nodes, json_node(&r->nodes[i], &bad), &bad);
	for (size_t i = 0; i < r->n_edges && !bad; i++)
		add_item(edges, json_edge(&r->edges[i], &bad), &bad);
	for (size_t i = 0; i < r->n_comps && !bad; i++)
		add_item(comps, json_comp(&r->comps[i], &bad), &bad);
	if (!bad)
		text = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return text;
}

/* --- the page --------------------------------------------------------------------------- */

static void put_summary(struct sb *b, const struct report *r)
{
	size_t arts = 0, steps = 0;

	for (size_t i = 0; i < r->n_nodes; i++) {
		arts += r->nodes[i].artifact;
		steps += r->nodes[i].type == REPORT_STEP;
	}
	sb_puts(b, "<p id=\"summary\">");
	if (r->build_id > 0) {
		sb_puts(b, "Build ");
		put_num(b, r->build_id);
	}
	if (r->cwd)
		put_elem(b, r->build_id > 0 ? " in <code>" : "In <code>", r->cwd, "</code>");
	sb_puts(b, r->build_id > 0 || r->cwd ? ": " : "");
	put_num(b, (long long)arts);
	sb_puts(b, arts == 1 ? " artifact, " : " artifacts, ");
	put_num(b, (long long)steps);
	sb_puts(b, steps == 1 ? " step, " : " steps, ");
	put_num(b, (long long)r->n_comps);
	sb_puts(b, r->n_comps == 1 ? " component, " : " components, ");
	put_num(b, (long long)r->n_unresolved);
	sb_puts(b, " unresolved input");
	sb_puts(b, r->n_unresolved == 1 ? "." : "s.");
	sb_puts(b, "</p>\n");
	if (!r->n_incomplete) {
		sb_puts(b, "<p id=\"complete\" class=\"ok\">The record is complete.</p>\n");
		return;
	}
	sb_puts(b, "<div id=\"complete\" class=\"warn\">The record is incomplete; the graph may "
		   "miss what the recorder could not see:<ul>");
	for (size_t i = 0; i < r->n_incomplete; i++)
		put_elem(b, "<li>", r->incomplete[i], "</li>");
	sb_puts(b, "</ul></div>\n");
}

static void put_table(struct sb *b, const struct report *r)
{
	sb_puts(b, "<section id=\"components\"><h2>Components</h2>\n"
		   "<table id=\"comp-table\"><thead><tr><th>Name</th><th>Version</th><th>Kind</th>"
		   "<th>Licenses</th><th>purl</th><th>Files</th><th>Used as</th></tr></thead>\n"
		   "<tbody>\n");
	for (size_t i = 0; i < r->n_comps; i++) {
		const struct report_comp *c = &r->comps[i];
		char uses[192];

		sb_puts(b, "<tr data-comp=\"");
		put_num(b, (long long)i);
		sb_puts(b, "\">");
		put_elem(b, "<td class=\"name\">", c->name, "</td>");
		put_elem(b, "<td class=\"version\">", c->version, "</td>");
		put_elem(b, "<td class=\"kind\">", c->kind, "</td>");
		put_elem(b, "<td class=\"license\">", c->license ? c->license : "NOASSERTION", "</td>");
		put_elem(b, "<td class=\"purl\"><code>", c->purl, "</code></td>");
		sb_puts(b, "<td class=\"files\">");
		put_num(b, (long long)c->n_files);
		sb_puts(b, "</td>");
		report_edge_label(c->uses, uses, sizeof(uses));
		put_elem(b, "<td class=\"uses\">", uses, "</td></tr>\n");
	}
	sb_puts(b, "</tbody></table>\n");
	if (r->n_unresolved) {
		sb_puts(b, "<p class=\"warn\">");
		put_num(b, (long long)r->n_unresolved);
		sb_puts(b, " input file(s) belong to no component: they are drawn one by one under "
			   "\"unresolved inputs\".</p>\n");
	}
	sb_puts(b, "</section>\n");
}

static void put_body(struct sb *b, const struct report *r)
{
	put_elem(b, "<header><h1>", r->title, "</h1>\n");
	put_summary(b, r);
	sb_puts(b, "<div id=\"tools\"><input id=\"q\" type=\"search\" placeholder=\"search files, "
		   "steps, components\" autocomplete=\"off\"> <span id=\"count\"></span>"
		   " <button id=\"fit\" type=\"button\">fit</button>"
		   " <button id=\"zin\" type=\"button\">+</button>"
		   " <button id=\"zout\" type=\"button\">&minus;</button>"
		   " <span class=\"legend\"><i class=\"lg art\"></i>artifact <i class=\"lg out\"></i>"
		   "intermediate <i class=\"lg src\"></i>source <i class=\"lg unr\"></i>unresolved "
		   "<i class=\"lg cmp\"></i>component <i class=\"lg stp\"></i>step</span>"
		   "<span class=\"hint\">click a node for what it was made from and what used it; "
		   "drag to pan, wheel to zoom</span></div>\n"
		   "</header>\n<main><div id=\"view\"><svg id=\"graph\" "
		   "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"artifact graph\">"
		   "</svg><noscript><p>The graph needs JavaScript; the component table below does "
		   "not.</p></noscript></div>\n<aside id=\"details\"></aside></main>\n");
	put_table(b, r);
}

int report_write_html(const struct report *r, FILE *out)
{
	struct sb b = { 0 };
	char *json = json_data(r), *text;
	int rc = 0;

	if (!json)
		return -ENOMEM;
	sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"generator\" content=\"asbuilt graph\">\n");
	put_elem(&b, "<title>asbuilt graph: ", r->title, "</title>\n");
	sb_puts(&b, "<style>\n");
	sb_puts(&b, rep_html_css);
	sb_puts(&b, "</style>\n</head>\n<body>\n");
	put_body(&b, r);
	sb_puts(&b, "<script type=\"application/json\" id=\"asbuilt-data\">");
	report_esc_script(&b, json);
	sb_puts(&b, "</script>\n<script>\n");
	sb_puts(&b, rep_html_js);
	sb_puts(&b, "</script>\n</body>\n</html>\n");
	free(json);
	if (!(text = sb_done(&b)))
		return -ENOMEM;
	if (fputs(text, out) == EOF)
		rc = -EIO;
	free(text);
	return rc;
}
