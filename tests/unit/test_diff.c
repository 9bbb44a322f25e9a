/* Unit tests of diff (src/audit/diff*.c): two hand-made builds of one project in different
 * directories - a header changed, a new compiler flag, a compiler upgrade (cc1 moved from
 * gcc 12 to 13), a library upgraded, one added - compare to exactly those differences;
 * a build compared with itself is identical; the JSON says the same. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/diff.h"
#include "asbuilt/hash.h"
#include "asbuilt/sbom.h"

struct build {
	const char *root, *greet_h, *main_o, *hello, *libc_version, *libc_so, *cc1_dir, *cc1;
	const char *cpp_name, *cpp_version, *extra_flag;
	int zlib;
};

static const struct build A = {
	.root = "/src/a",
	.greet_h = "void greet(void);\n",
	.main_o = "obj A",
	.hello = "exe A",
	.libc_version = "2.36-9",
	.libc_so = "libc 2.36",
	.cc1_dir = "12",
	.cc1 = "cc1 12",
	.cpp_name = "cpp-12",
	.cpp_version = "12.2.0-14",
};

static const struct build B = {
	.root = "/src/b",
	.greet_h = "void greet(int);\n",
	.main_o = "obj B",
	.hello = "exe B",
	.libc_version = "2.37-1",
	.libc_so = "libc 2.37",
	.cc1_dir = "13",
	.cc1 = "cc1 13",
	.cpp_name = "cpp-13",
	.cpp_version = "13.1.0-1",
	.extra_flag = "-DEXTRA",
	.zlib = 1,
};

static int add_file(struct sbom_doc *d, const char *path, const char *content, int comp,
		    bool artifact)
{
	struct hash_result h;
	struct sbom_file f = { .path = path, .component = comp, .is_artifact = artifact };
	int i;

	hash_buf(content, strlen(content), &h);
	f.sha256 = h.sha256;
	i = sbom_add_file(d, &f);
	cr_assert_geq(i, 0, "%s", path);
	return i;
}

static int add_comp(struct sbom_doc *d, enum sbom_comp_kind k, const char *name,
		    const char *version)
{
	struct sbom_component c = { .kind = k, .name = name, .version = version };
	int i = sbom_add_component(d, &c);

	cr_assert_geq(i, 0);
	return i;
}

static struct sbom_doc *make(const struct build *b)
{
	struct sbom_doc *d = sbom_doc_new("hello", NULL);
	char p[6][128];
	const char *cc_argv[8] = { "cc", "-O2", "-c", p[5], "-o", "main.o", NULL, NULL };
	const char *ld_argv[] = { "cc", "-o", "hello", "main.o", "-lc" };
	int proj = add_comp(d, SBOM_COMP_PROJECT, b->root + 5, NULL);
	int libc = add_comp(d, SBOM_COMP_DEB, "libc6", b->libc_version);
	int cpp = add_comp(d, SBOM_COMP_DEB, b->cpp_name, b->cpp_version);
	int main_c, greet_h, main_o, hello, libc_so, cc1;
	size_t cc_argc = 6;

	snprintf(p[0], 128, "%s/main.c", b->root);
	snprintf(p[1], 128, "%s/greet.h", b->root);
	snprintf(p[2], 128, "%s/main.o", b->root);
	snprintf(p[3], 128, "%s/hello", b->root);
	snprintf(p[4], 128, "/usr/lib/gcc/x86_64-linux-gnu/%s/cc1", b->cc1_dir);
	snprintf(p[5], 128, "-I%s/include", b->root);
	main_c = add_file(d, p[0], "int main(void){}\n", proj, false);
	greet_h = add_file(d, p[1], b->greet_h, proj, false);
	main_o = add_file(d, p[2], b->main_o, -1, false);
	hello = add_file(d, p[3], b->hello, -1, true);
	libc_so = add_file(d, "/usr/lib/x86_64-linux-gnu/libc.so.6", b->libc_so, libc, false);
	cc1 = add_file(d, p[4], b->cc1, cpp, false);
	if (b->zlib)
		add_file(d, "/usr/lib/x86_64-linux-gnu/libz.so.1", "zlib",
			 add_comp(d, SBOM_COMP_DEB, "zlib1g", "1.2.13"), false);
	if (b->extra_flag)
		cc_argv[cc_argc++] = b->extra_flag;
	int cc_in[] = { main_c, greet_h }, cc_out[] = { main_o }, tools[] = { cc1 };
	int ld_in[] = { main_o, libc_so }, ld_out[] = { hello };
	struct sbom_step cc = { .kind = "compile",
				.argv = cc_argv,
				.argc = cc_argc,
				.cwd = b->root,
				.inputs = cc_in,
				.n_inputs = 2,
				.outputs = cc_out,
				.n_outputs = 1,
				.tool_files = tools,
				.n_tool_files = 1 };
	struct sbom_step ld = { .kind = "link",
				.argv = ld_argv,
				.argc = 5,
				.cwd = b->root,
				.inputs = ld_in,
				.n_inputs = 2,
				.outputs = ld_out,
				.n_outputs = 1 };
	cr_assert_geq(sbom_add_step(d, &cc), 0);
	cr_assert_geq(sbom_add_step(d, &ld), 0);
	return d;
}

static struct diff_result *compare(const struct build *x, const struct build *y)
{
	struct sbom_doc *a = make(x), *b = make(y);
	struct diff_side *sa, *sb;
	struct diff_result *r;

	cr_assert_eq(diff_side_new(a, NULL, &sa), 0);
	cr_assert_eq(diff_side_new(b, NULL, &sb), 0);
	cr_assert_str_eq(diff_side_root(sa), x->root, "the root is the steps' directory");
	cr_assert_eq(diff_compare(sa, sb, &r), 0);
	diff_side_free(sa);
	diff_side_free(sb);
	sbom_doc_free(a);
	sbom_doc_free(b);
	return r;
}

/* The entries as "change section key [what]" lines, in order. */
static char *lines(const struct diff_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "%s %s %s [%s]\n", diff_change_name(r->e[i].change),
			diff_section_name(r->e[i].section), r->e[i].key,
			r->e[i].what ? r->e[i].what : "");
	fclose(f);
	return buf;
}

Test(diff, identical_to_itself)
{
	struct diff_result *r = compare(&A, &A);

	cr_assert_eq(r->n, 0);
	cr_assert_eq(r->same[DIFF_INPUT], 3, "main.c, greet.h, libc.so.6");
	cr_assert_eq(r->same[DIFF_TOOL], 1);
	cr_assert_eq(r->same[DIFF_STEP], 2);
	cr_assert_eq(r->same[DIFF_INTERMEDIATE], 1);
	cr_assert_eq(r->same[DIFF_ARTIFACT], 1);
	cr_assert_eq(r->same[DIFF_COMPONENT], 3);
	diff_result_free(r);
}

Test(diff, two_checkouts_compare_by_relative_path)
{
	struct build b = A;
	struct diff_result *r;

	b.root = "/elsewhere/b";
	r = compare(&A, &b);
	cr_assert_eq(r->n, 0, "moving the checkout changes nothing:\n%s", lines(r));
	diff_result_free(r);
}

Test(diff, rebuild_differences)
{
	struct diff_result *r = compare(&A, &B);
	char *got = lines(r);
	const char *want = "removed component deb cpp-12 []\n"
			   "added component deb cpp-13 []\n"
			   "changed component deb libc6 [version, files]\n"
			   "added component deb zlib1g []\n"
			   "changed component project [files]\n"
			   "changed tool cc1 [sha256, path]\n"
			   "changed input /usr/lib/x86_64-linux-gnu/libc.so.6 [sha256]\n"
			   "added input /usr/lib/x86_64-linux-gnu/libz.so.1 []\n"
			   "changed input greet.h [sha256]\n"
			   "changed step main.o [command]\n"
			   "changed intermediate main.o [sha256]\n"
			   "changed artifact hello [sha256]\n";

	cr_assert_str_eq(got, want);
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_entry *e = &r->e[i];
		if (e->section == DIFF_STEP) {
			cr_assert_eq(e->nplus, 1);
			cr_assert_str_eq(e->plus[0], "-DEXTRA");
			cr_assert_eq(e->nminus, 0,
				     "-I<root>/include is the same relative to the root");
			cr_assert_str_eq(e->b, "cc -O2 -c -Iinclude -o main.o -DEXTRA");
		}
		if (e->section == DIFF_TOOL) {
			cr_assert(strstr(e->a_more, "/12/cc1 cpp-12 12.2.0-14"), "%s", e->a_more);
			cr_assert(strstr(e->b_more, "/13/cc1 cpp-13 13.1.0-1"), "%s", e->b_more);
		}
		if (e->section == DIFF_COMPONENT && !strcmp(e->key, "deb libc6")) {
			cr_assert_str_eq(e->a, "2.36-9");
			cr_assert_str_eq(e->b, "2.37-1");
		}
	}
	cr_assert_eq(r->count[DIFF_COMPONENT][DIFF_ADDED], 2);
	cr_assert_eq(r->count[DIFF_TOOL][DIFF_CHANGED], 1);
	cr_assert_eq(r->count[DIFF_TOOL][DIFF_ADDED], 0);
	cr_assert_eq(r->same[DIFF_INPUT], 1, "main.c");
	cr_assert_eq(r->same[DIFF_STEP], 1, "the link");
	free(got);
	diff_result_free(r);
}

Test(diff, json)
{
	struct diff_result *r = compare(&A, &B);
	cJSON *j = diff_json(r), *d, *e, *step = NULL;

	cr_assert_not_null(j);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "identical")));
	d = cJSON_GetObjectItem(j, "differences");
	cr_assert_eq(cJSON_GetArraySize(d), (int)r->n);
	cJSON_ArrayForEach(
		e, d) if (!strcmp(cJSON_GetObjectItem(e, "section")->valuestring, "step")) step = e;
	cr_assert_not_null(step);
	cr_assert_str_eq(cJSON_GetObjectItem(step, "key")->valuestring, "main.o");
	cr_assert_str_eq(
		cJSON_GetArrayItem(cJSON_GetObjectItem(step, "argv_added"), 0)->valuestring,
		"-DEXTRA");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(step, "a"), "kind")->valuestring,
			 "compile");
	cr_assert_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "summary"), "input"),
				    "changed")
			->valueint,
		2);
	cJSON_Delete(j);
	diff_result_free(r);
}

Test(diff, root_from_artifacts_without_steps)
{
	struct sbom_doc *d = sbom_doc_new("x", NULL);
	struct diff_side *s;

	add_file(d, "/w/proj/out/bin/prog", "p", -1, true);
	add_file(d, "/w/proj/out/lib/libp.so", "l", -1, true);
	add_file(d, "/w/proj/src/p.c", "c", -1, false);
	cr_assert_eq(diff_side_new(d, NULL, &s), 0);
	cr_assert_str_eq(diff_side_root(s), "/w/proj/out");
	diff_side_free(s);
	sbom_doc_free(d);
}
