/* Unit tests of the graph reports (src/report/): escaping for display text, Graphviz, HTML and
 * <script> JSON; the grouping of a hand-made as-built document into file, component and
 * step nodes with labelled edges; the layered layout; and deterministic DOT and HTML. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/report.h"
#include "asbuilt/report_esc.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbuf.h"

/* --- escaping ----------------------------------------------------------------------------- */

static void text_is(const char *in, const char *want)
{
	char *got = report_esc_text(in);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want, "report_esc_text(%s)", want);
	free(got);
}

Test(report, text_keeps_valid_utf8)
{
	text_is("main.c", "main.c");
	text_is("caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80.h", "caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x98\x80.h");
	cr_assert_null(report_esc_text(NULL));
}

Test(report, text_escapes_every_byte_that_is_not_text)
{
	text_is("a\xff" "b", "a\\xffb");
	text_is("\xc0\xaf", "\\xc0\\xaf");		/* overlong '/' */
	text_is("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* a UTF-16 surrogate */
	text_is("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	text_is("x\xe2\x82", "x\\xe2\\x82");		/* cut short at the end */
	text_is("a\nb\tc\x7f", "a\\x0ab\\x09c\\x7f");
	text_is("\xc2\x85", "\\xc2\\x85"); /* U+0085, a C1 control */
	text_is("a\\xffb", "a\\\\xffb");   /* a real backslash cannot pass for an escape */
}

static char *with(void (*fn)(struct sb *, const char *), const char *s)
{
	struct sb b = { 0 };

	fn(&b, s);
	return sb_done(&b);
}

Test(report, dot_html_script_escaping)
{
	char *dot = with(report_esc_dot, "say \"hi\" C:\\x");
	char *html = with(report_esc_html, "<a href=\"x\">&'");
	char *js = with(report_esc_script, "{\"p\":\"</script><!--x\"}");
	cJSON *j;

	cr_assert_str_eq(dot, "say \\\"hi\\\" C:\\\\x");
	cr_assert_str_eq(html, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	cr_assert_null(strchr(js, '<'), "a '<' left in %s", js);
	j = cJSON_Parse(js);
	cr_assert_not_null(j);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "p")->valuestring, "</script><!--x");
	cJSON_Delete(j);
	free(dot);
	free(html);
	free(js);
}

/* --- a hand-made document ----------------------------------------------------------------- */

enum { C_PROJ, C_DEV, C_GCC, C_LIBC, C_GCCS, NCOMP };
enum { MAIN_C, GREET_C, STDIO_H, STDLIB_H, MAIN_O, GREET_O, LIBGREET_A, BLOB_O, LIBC_SO,
       LIBGCC_S, GCC, HELLO, ODD, SCRT1_O, NONSHARED_A, NFILE };

static const struct {
	enum sbom_comp_kind kind;
	const char *name, *version, *purl, *license;
} comps[NCOMP] = {
	[C_PROJ] = { SBOM_COMP_PROJECT, "hello", NULL, NULL, NULL },
	[C_DEV] = { SBOM_COMP_DEB, "libc6-dev", "2.36-9", "pkg:deb/debian/libc6-dev@2.36-9",
		    "LGPL-2.1-or-later" },
	[C_GCC] = { SBOM_COMP_DEB, "gcc-12", "12.2.0", "pkg:deb/debian/gcc-12@12.2.0", NULL },
	[C_LIBC] = { SBOM_COMP_DEB, "libc6", "2.36-9", "pkg:deb/debian/libc6@2.36-9", NULL },
	[C_GCCS] = { SBOM_COMP_DEB, "libgcc-s1", "12.2.0", "pkg:deb/debian/libgcc-s1@12.2.0",
		     NULL },
};

static const struct {
	const char *path;
	int comp; /* -1: none */
	enum sbom_file_role role;
} files[NFILE] = {
	[MAIN_C] = { "/src/hello/main.c", C_PROJ, SBOM_ROLE_SOURCE },
	[GREET_C] = { "/src/hello/greet.c", C_PROJ, SBOM_ROLE_SOURCE },
	[STDIO_H] = { "/usr/include/stdio.h", C_DEV, SBOM_ROLE_HEADER },
	[STDLIB_H] = { "/usr/include/stdlib.h", C_DEV, SBOM_ROLE_HEADER },
	[MAIN_O] = { "/src/hello/main.o", -1, SBOM_ROLE_OBJECT },
	[GREET_O] = { "/src/hello/greet.o", -1, SBOM_ROLE_OBJECT },
	[LIBGREET_A] = { "/src/hello/libgreet.a", -1, SBOM_ROLE_ARCHIVE },
	[BLOB_O] = { "/src/hello/vendor/blob.o", -1, SBOM_ROLE_OBJECT },
	[LIBC_SO] = { "/usr/lib/libc.so.6", C_LIBC, SBOM_ROLE_SHARED_LIBRARY },
	[LIBGCC_S] = { "/usr/lib/libgcc_s.so.1", C_GCCS, SBOM_ROLE_SHARED_LIBRARY },
	[GCC] = { "/usr/bin/gcc-12", C_GCC, SBOM_ROLE_EXECUTABLE },
	[HELLO] = { "/src/hello/hello", -1, SBOM_ROLE_EXECUTABLE },
	[ODD] = { "/src/hello/gen/</script>\xff\".h", C_PROJ, SBOM_ROLE_HEADER },
	[SCRT1_O] = { "/usr/lib/Scrt1.o", C_DEV, SBOM_ROLE_OBJECT },
	[NONSHARED_A] = { "/usr/lib/libc_nonshared.a", C_DEV, SBOM_ROLE_ARCHIVE },
};

/* The document of the hello build; reverse adds everything in the opposite order. */
static struct sbom_doc *make_doc(int reverse)
{
	struct sbom_doc *d = sbom_doc_new("hello", NULL);
	int ci[NCOMP], fi[NFILE];
	char sha[65];

	cr_assert_not_null(d);
	for (int k = 0; k < NCOMP; k++) {
		int i = reverse ? NCOMP - 1 - k : k;
		struct sbom_component c = { .kind = comps[i].kind, .name = comps[i].name,
					    .version = comps[i].version, .purl = comps[i].purl,
					    .license_declared = comps[i].license };
		ci[i] = sbom_add_component(d, &c);
		cr_assert_geq(ci[i], 0);
	}
	for (int k = 0; k < NFILE; k++) {
		int i = reverse ? NFILE - 1 - k : k;
		struct sbom_file f = { .path = files[i].path, .role = files[i].role,
				       .sha256 = sha, .is_artifact = i == HELLO,
				       .component = files[i].comp >= 0 ? ci[files[i].comp] : -1 };
		snprintf(sha, sizeof(sha), "%064d", i + 1);
		fi[i] = sbom_add_file(d, &f);
		cr_assert_geq(fi[i], 0);
	}
	{
		static const char *const cc_main[] = { "gcc-12", "-c", "-o", "main.o", "main.c" };
		static const char *const cc_greet[] = { "gcc-12", "-c", "-o", "greet.o", "greet.c" };
		static const char *const ar[] = { "ar", "rcs", "libgreet.a", "greet.o" };
		static const char *const ld[] = { "gcc-12", "-o", "hello", "main.o", "libgreet.a" };
		int in_main[] = { fi[MAIN_C], fi[STDIO_H], fi[STDLIB_H], fi[ODD] }, out_main[] = { fi[MAIN_O] };
		int in_greet[] = { fi[GREET_C], fi[STDIO_H] }, out_greet[] = { fi[GREET_O] };
		int in_ar[] = { fi[GREET_O] }, out_ar[] = { fi[LIBGREET_A] };
		int in_ld[] = { fi[MAIN_O], fi[LIBGREET_A], fi[BLOB_O], fi[LIBC_SO], fi[SCRT1_O],
				fi[NONSHARED_A] };
		int out_ld[] = { fi[HELLO] }, tf[] = { fi[GCC] }, tc[] = { ci[C_GCC] };
		struct sbom_step s[4] = {
			{ .kind = "compile", .argv = cc_main, .argc = 5, .cwd = "/src/hello",
			  .inputs = in_main, .n_inputs = 4, .outputs = out_main, .n_outputs = 1,
			  .tool_files = tf, .n_tool_files = 1, .tool_components = tc,
			  .n_tool_components = 1 },
			{ .kind = "compile", .argv = cc_greet, .argc = 5, .cwd = "/src/hello",
			  .inputs = in_greet, .n_inputs = 2, .outputs = out_greet, .n_outputs = 1,
			  .tool_components = tc, .n_tool_components = 1 },
			{ .kind = "archive", .argv = ar, .argc = 4, .inputs = in_ar, .n_inputs = 1,
			  .outputs = out_ar, .n_outputs = 1 },
			{ .kind = "link", .argv = ld, .argc = 5, .inputs = in_ld, .n_inputs = 6,
			  .outputs = out_ld, .n_outputs = 1, .tool_components = tc,
			  .n_tool_components = 1 },
		};
		for (int k = 0; k < 4; k++)
			cr_assert_geq(sbom_add_step(d, &s[reverse ? 3 - k : k]), 0);
	}
	/* DT_NEEDED: libc.so.6 (the link read it too) and libgcc_s.so.1 (only at run time) */
	cr_assert_eq(sbom_add_rel(d, SBOM_NODE_FILE, fi[HELLO], SBOM_NODE_FILE, fi[LIBC_SO],
				  SBOM_REL_DYNAMIC_LINK), 0);
	cr_assert_eq(sbom_add_rel(d, SBOM_NODE_FILE, fi[HELLO], SBOM_NODE_FILE, fi[LIBGCC_S],
				  SBOM_REL_DYNAMIC_LINK), 0);
	return d;
}

static struct report *make_report(int reverse)
{
	struct sbom_doc *d = make_doc(reverse);
	struct report *r = NULL;

	cr_assert_eq(report_from_doc(d, NULL, &r), 0);
	sbom_doc_free(d);
	return r;
}

/* The node whose label is label (exactly one), or fails. */
static int node(const struct report *r, const char *label)
{
	int found = -1;

	for (size_t i = 0; i < r->n_nodes; i++)
		if (!strcmp(r->nodes[i].label, label)) {
			cr_assert_eq(found, -1, "two nodes labelled '%s'", label);
			found = (int)i;
		}
	cr_assert_geq(found, 0, "no node labelled '%s'", label);
	return found;
}

/* The number of edges from -> to labelled label. */
static int edges(const struct report *r, int from, int to, const char *label)
{
	char buf[192];
	int n = 0;

	for (size_t i = 0; i < r->n_edges; i++) {
		report_edge_label(r->edges[i].uses, buf, sizeof(buf));
		n += r->edges[i].from == from && r->edges[i].to == to && !strcmp(buf, label);
	}
	return n;
}

/* The step node that wrote output (the one step whose edge leads to it). */
static int writer(const struct report *r, int output)
{
	int s = -1;

	for (size_t i = 0; i < r->n_edges; i++)
		if (r->edges[i].to == output && r->edges[i].uses == REPORT_OUTPUT) {
			cr_assert_eq(s, -1);
			s = r->edges[i].from;
		}
	cr_assert_geq(s, 0, "nothing wrote node %d", output);
	return s;
}

Test(report, project_files_one_by_one_packages_folded)
{
	struct report *r = make_report(0);
	int main_c = node(r, "main.c"), dev = node(r, "libc6-dev 2.36-9");
	int proj = r->nodes[main_c].comp;

	cr_assert_eq(r->nodes[main_c].type, REPORT_FILE);
	cr_assert_str_eq(r->nodes[main_c].detail, "/src/hello/main.c");
	cr_assert_geq(proj, 0);
	cr_assert_str_eq(r->comps[proj].name, "hello");
	cr_assert_str_eq(r->comps[proj].kind, "project");
	cr_assert_eq(r->comps[proj].node, -1, "the project is not folded");
	cr_assert_eq(r->comps[proj].n_files, 3);
	/* the headers, crt object and archive of libc6-dev are in its one node */
	cr_assert_eq(r->nodes[dev].type, REPORT_COMPONENT);
	cr_assert_eq(r->nodes[dev].n_files, 4);
	cr_assert_str_eq(r->nodes[dev].files[0].path, "/usr/include/stdio.h");
	cr_assert_str_eq(r->nodes[dev].files[1].path, "/usr/include/stdlib.h");
	cr_assert_str_eq(r->nodes[dev].files[3].path, "/usr/lib/libc_nonshared.a");
	cr_assert_str_eq(r->nodes[dev].detail, "pkg:deb/debian/libc6-dev@2.36-9");
	cr_assert_eq(r->comps[r->nodes[dev].comp].node, dev);
	cr_assert_eq(r->comps[r->nodes[dev].comp].n_files, 4);
	cr_assert_str_eq(r->comps[r->nodes[dev].comp].license, "LGPL-2.1-or-later");
	for (size_t i = 0; i < r->n_nodes; i++)
		cr_assert(!r->nodes[i].detail || strcmp(r->nodes[i].detail, "/usr/include/stdio.h"),
			  "stdio.h has a node of its own");
	/* components sorted by name */
	for (size_t i = 1; i < r->n_comps; i++)
		cr_assert_lt(strcmp(r->comps[i - 1].name, r->comps[i].name), 0);
	report_free(r);
}

Test(report, outputs_artifacts_and_unresolved)
{
	struct report *r = make_report(0);
	int hello = node(r, "hello"), main_o = node(r, "main.o"), blob = node(r, "blob.o");

	cr_assert(r->nodes[hello].artifact && r->nodes[hello].written);
	cr_assert_str_eq(r->nodes[hello].kind, "executable");
	cr_assert(!r->nodes[main_o].artifact && r->nodes[main_o].written);
	cr_assert_eq(r->nodes[main_o].comp, -1);
	cr_assert(!r->nodes[blob].written && r->nodes[blob].comp == -1);
	cr_assert_eq(r->n_unresolved, 1);
	cr_assert_str_eq(r->title, "hello"); /* the document's name */
	cr_assert_eq(r->build_id, 0);
	cr_assert_null(r->cwd);
	cr_assert_eq(r->n_incomplete, 0);
	report_free(r);
}

Test(report, edges_say_how_each_input_was_used)
{
	struct report *r = make_report(0);
	int hello = node(r, "hello"), main_o = node(r, "main.o"), lib = node(r, "libgreet.a");
	int greet_o = node(r, "greet.o"), main_c = node(r, "main.c");
	int dev = node(r, "libc6-dev 2.36-9"), gcc = node(r, "gcc-12 12.2.0");
	int libc = node(r, "libc6 2.36-9"), gccs = node(r, "libgcc-s1 12.2.0");
	int link = writer(r, hello), cc = writer(r, main_o), ar = writer(r, lib);

	cr_assert_str_eq(r->nodes[link].label, "link: gcc-12");
	cr_assert_str_eq(r->nodes[link].kind, "link");
	cr_assert_str_eq(r->nodes[cc].detail, "gcc-12 -c -o main.o main.c");
	cr_assert_str_eq(r->nodes[cc].cwd, "/src/hello");
	cr_assert_eq(edges(r, main_c, cc, "compiled from"), 1);
	cr_assert_eq(edges(r, dev, cc, "compiled from"), 1, "two headers, one edge");
	cr_assert_eq(edges(r, dev, link, "linked, static link"), 1, "one edge, both uses");
	cr_assert_eq(edges(r, gcc, cc, "tool"), 1, "the tool file and package fold into one");
	cr_assert_eq(edges(r, greet_o, ar, "archived"), 1);
	cr_assert_eq(edges(r, main_o, link, "linked"), 1);
	cr_assert_eq(edges(r, lib, link, "static link"), 1);
	cr_assert_eq(edges(r, libc, link, "dynamic link"), 1);
	cr_assert_eq(edges(r, libc, hello, "dynamic link"), 0, "the link step says it already");
	cr_assert_eq(edges(r, gccs, hello, "dynamic link"), 1, "run time only: drawn");
	cr_assert_eq(edges(r, link, hello, "output"), 1);
	for (size_t i = 1; i < r->n_edges; i++) {
		const struct report_edge *a = &r->edges[i - 1], *b = &r->edges[i];
		cr_assert(a->from < b->from || (a->from == b->from && a->to < b->to),
			  "edges not sorted, one per pair, at %zu", i);
	}
	report_free(r);
}

Test(report, layout_is_layered_left_to_right)
{
	struct report *r = make_report(0);
	int hello = node(r, "hello"), gccs = node(r, "libgcc-s1 12.2.0");

	for (size_t i = 0; i < r->n_edges; i++)
		cr_assert_lt(r->nodes[r->edges[i].from].layer, r->nodes[r->edges[i].to].layer,
			     "edge %s -> %s goes backwards", r->nodes[r->edges[i].from].label,
			     r->nodes[r->edges[i].to].label);
	cr_assert_eq(r->nodes[gccs].layer, r->nodes[hello].layer - 1,
		     "a run-time library sits next to its user");
	for (size_t i = 0; i < r->n_nodes; i++)
		for (size_t j = i + 1; j < r->n_nodes; j++)
			cr_assert(r->nodes[i].layer != r->nodes[j].layer ||
					  r->nodes[i].rank != r->nodes[j].rank,
				  "two nodes at one place");
	report_free(r);
}

Test(report, layout_breaks_cycles)
{
	struct report_node nodes[3] = { { .label = "a" }, { .label = "b" }, { .label = "c" } };
	struct report_edge e[3] = { { 0, 1, REPORT_INPUT }, { 1, 2, REPORT_INPUT },
				    { 2, 0, REPORT_INPUT } };
	struct report r = { .nodes = nodes, .n_nodes = 3, .edges = e, .n_edges = 3 };

	cr_assert_eq(report_layout(&r), 0);
	cr_assert_eq(nodes[0].layer, 0);
	cr_assert_eq(nodes[1].layer, 1);
	cr_assert_eq(nodes[2].layer, 2);
	e[2].to = 7;
	cr_assert_eq(report_layout(&r), -EINVAL);
}

/* --- the writers -------------------------------------------------------------------------- */

static char *write(struct report *r, int (*fn)(const struct report *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(r, f), 0);
	fclose(f);
	return buf;
}

Test(report, dot_has_clusters_labels_and_escapes)
{
	struct report *r = make_report(0);
	char *dot = write(r, report_write_dot), want[128];
	const char *cl = strstr(dot, "subgraph \"cluster_c"), *end;
	int hello = node(r, "hello"), lib = node(r, "libgreet.a"), link = writer(r, hello);

	cr_assert(!strncmp(dot, "digraph \"asbuilt\" {\n", 20));
	cr_assert_not_null(cl, "no cluster in\n%s", dot);
	end = strstr(cl, "\n\t}\n");
	cr_assert_not_null(end);
	cr_assert_not_null(memmem(cl, (size_t)(end - cl), "label=\"project hello\"", 21));
	cr_assert_not_null(memmem(cl, (size_t)(end - cl), "label=\"main.c\"", 14),
			   "main.c is not in the project's cluster");
	cr_assert_not_null(strstr(dot, "subgraph \"cluster_unresolved\""));
	cr_assert_not_null(strstr(dot, "label=\"libc6-dev 2.36-9\\n4 files\""));
	snprintf(want, sizeof(want), "\tn%d -> n%d [label=\"static link\"", lib, link);
	cr_assert_not_null(strstr(dot, want), "no '%s' in\n%s", want, dot);
	/* the odd path: the quote escaped, the 0xff byte shown as \xff (backslash doubled) */
	cr_assert_not_null(strstr(dot, "tooltip=\"/src/hello/gen/</script>\\\\xff\\\".h\""), "%s",
			   dot);
	report_free(r);
	free(dot);
}

Test(report, same_record_same_bytes)
{
	struct report *a = make_report(0), *b = make_report(1);
	char *da = write(a, report_write_dot), *db = write(b, report_write_dot);
	char *ha = write(a, report_write_html), *hb = write(b, report_write_html);

	cr_assert_str_eq(da, db, "DOT depends on the order the document was filled in");
	cr_assert_str_eq(ha, hb, "HTML depends on the order the document was filled in");
	report_free(a);
	report_free(b);
	free(da);
	free(db);
	free(ha);
	free(hb);
}

Test(report, html_is_one_page_with_safe_data)
{
	struct report *r = make_report(0);
	char *html = write(r, report_write_html);
	const char *open = "<script type=\"application/json\" id=\"asbuilt-data\">", *p, *q;
	cJSON *j, *nodes, *n;
	char *data;
	int found = 0;

	cr_assert(!strncmp(html, "<!DOCTYPE html>", 15));
	cr_assert_null(strstr(html, "src=\"http"), "something loaded from the network");
	cr_assert_null(strstr(html, "href=\"http"), "something loaded from the network");
	cr_assert_null(strstr(html, "<script src"), "an external script");
	cr_assert_null(strstr(html, "<link "), "an external style sheet");
	p = strstr(html, open);
	cr_assert_not_null(p);
	p += strlen(open);
	q = strstr(p, "</script>");
	cr_assert_not_null(q);
	data = strndup(p, (size_t)(q - p));
	j = cJSON_Parse(data);
	cr_assert_not_null(j, "the embedded data is not JSON: %.200s", data);
	nodes = cJSON_GetObjectItem(j, "nodes");
	cr_assert_eq((size_t)cJSON_GetArraySize(nodes), r->n_nodes);
	cr_assert_eq((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(j, "edges")), r->n_edges);
	cJSON_ArrayForEach(n, nodes)
		if (cJSON_IsString(cJSON_GetObjectItem(n, "detail")) &&
		    !strcmp(cJSON_GetObjectItem(n, "detail")->valuestring,
			    "/src/hello/gen/</script>\\xff\".h"))
			found = 1;
	cr_assert(found, "the odd path did not survive the embedding");
	cr_assert_not_null(strstr(html, "<td class=\"name\">libc6-dev</td><td class=\"version\">"
					"2.36-9</td><td class=\"kind\">deb</td><td class=\"license\">"
					"LGPL-2.1-or-later</td><td class=\"purl\"><code>"
					"pkg:deb/debian/libc6-dev@2.36-9</code></td>"
					"<td class=\"files\">4</td><td class=\"uses\">compiled from, "
					"linked, static link</td>"));
	cr_assert_not_null(strstr(html, "<td class=\"name\">gcc-12</td>"));
	cr_assert_not_null(strstr(html, "<td class=\"uses\">tool</td>"));
	cJSON_Delete(j);
	free(data);
	free(html);
	report_free(r);
}
