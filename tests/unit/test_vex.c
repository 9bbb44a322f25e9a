/* Unit tests of vex.c and vex_write.c: verdicts from symbols reports made by hand (one per
 * branch of the rule in vex.h), and the CycloneDX / OpenVEX documents read back with
 * cJSON. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/symbols.h"
#include "asbuilt/vex.h"

#define ZLIB "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64"
#define ZDEV "pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1?arch=amd64"

/* --- building reports ------------------------------------------------------------------- */

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Adds the space-separated words of list to s, sorted. */
static void names(struct symbols_names *s, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		cr_assert_eq(symbols_names_add(s, w), 0);
	free(copy);
	symbols_names_sort(s);
}

static struct symbols_report *report(void)
{
	struct symbols_report *r = calloc(1, sizeof(*r));

	r->path = dup("/src/prog");
	r->sha256 = dup("aa11");
	r->type = dup("pie");
	r->comps = calloc(8, sizeof(*r->comps));
	r->libs = calloc(8, sizeof(*r->libs));
	r->archives = calloc(8, sizeof(*r->archives));
	r->objects = calloc(8, sizeof(*r->objects));
	return r;
}

static int comp(struct symbols_report *r, const char *name, const char *purl)
{
	struct symbols_component *c = &r->comps[r->n_comps];

	c->kind = dup("deb");
	c->name = dup(name);
	c->purl = dup(purl);
	return (int)r->n_comps++;
}

static struct symbols_archive *archive(struct symbols_report *r, int c, int read,
				       const char *all_funcs)
{
	struct symbols_archive *a = &r->archives[r->n_archives++];

	a->path = dup("/usr/lib/libz.a");
	a->sha256 = dup("bb22");
	a->component = c;
	a->read = read;
	a->members = calloc(8, sizeof(*a->members));
	names(&a->all_funcs, all_funcs);
	return a;
}

/* A pulled member: the link referenced refs; funcs are "name" or "name:local", sorted. */
static struct symbols_member *member(struct symbols_archive *a, const char *name, const char *refs,
				     const char *funcs, const char *relrefs)
{
	struct symbols_member *m = &a->members[a->n_members++];
	struct symbols_names f = { 0 };

	m->name = dup(name);
	names(&m->referenced, refs);
	names(&m->relrefs, relrefs);
	names(&f, funcs);
	m->funcs = calloc(f.n + 1, sizeof(*m->funcs));
	for (size_t i = 0; i < f.n; i++) {
		char *colon = strchr(f.v[i], ':');

		m->funcs[i].local = colon != NULL;
		if (colon)
			*colon = '\0';
		m->funcs[m->n_funcs++].name = dup(f.v[i]);
	}
	symbols_names_release(&f);
	return m;
}

static struct symbols_library *lib(struct symbols_report *r, const char *needed, int c, int loader,
				   const char *imports, const char *exports)
{
	struct symbols_library *l = &r->libs[r->n_libs++];
	struct symbols_names im = { 0 };

	l->needed = dup(needed);
	l->path = dup("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
	l->component = c;
	l->loader = loader;
	l->read = 1;
	names(&im, imports);
	l->imports = calloc(im.n + 1, sizeof(*l->imports));
	for (size_t i = 0; i < im.n; i++)
		l->imports[l->n_imports++].name = dup(im.v[i]);
	symbols_names_release(&im);
	names(&l->exports, exports);
	return l;
}

/* The verdict of r for component pattern pat and the comma-less symbol list syms. */
static void assess(const struct symbols_report *r, const char *pat, const char *syms, int strict,
		   struct vex_verdict *v)
{
	struct symbols_purl p;
	struct symbols_names s = { 0 };

	cr_assert_eq(symbols_purl_parse(pat, &p), 0);
	names(&s, syms);
	cr_assert_eq(vex_assess(r, &p, 1, (const char *const *)s.v, s.n, strict, v), 0);
	symbols_purl_release(&p);
	symbols_names_release(&s);
}

/* Asserts the verdict of one symbol: status, OpenVEX justification (or NULL), and a piece
 * of its evidence. */
static void expect(const struct symbols_report *r, const char *sym, enum vex_status st,
		   const char *just, const char *evidence)
{
	struct vex_verdict v;

	assess(r, "pkg:deb/debian/zlib1g-dev", sym, 0, &v);
	cr_assert_eq(v.n_findings, 1);
	cr_assert_eq(v.status, st, "%s: status %s, evidence: %s", sym, vex_status_openvex(v.status),
		     v.findings[0].evidence);
	if (just)
		cr_assert_str_eq(vex_justification_openvex(v.justification), just, "%s: %s", sym,
				 v.findings[0].evidence);
	else
		cr_assert_eq(v.justification, VEX_J_NONE);
	cr_assert_not_null(strstr(v.findings[0].evidence, evidence), "%s: evidence '%s'", sym,
			   v.findings[0].evidence);
	vex_verdict_release(&v);
}

/* A binary linked with members of libz.a: inflate.o (pulled for inflate, also defining
 * inflateGetHeader and the static updatewindow; it calls inflateReset itself), crc32.o. */
static struct symbols_report *static_report(void)
{
	struct symbols_report *r = report();
	int c = comp(r, "zlib1g-dev", ZDEV);
	struct symbols_archive *a =
		archive(r, c, 1, "inflate inflateGetHeader inflateReset updatewindow crc32 gzopen");

	member(a, "inflate.o", "inflate inflateEnd",
	       "inflate inflateEnd inflateGetHeader inflateReset updatewindow:local",
	       "crc32 inflateReset inflate_fast");
	member(a, "crc32.o", "crc32", "crc32 crc32_z", "");
	return r;
}

/* --- the static rule ------------------------------------------------------------------- */

Test(vex, static_member_referenced_is_affected)
{
	struct symbols_report *r = static_report();

	expect(r, "inflate", VEX_AFFECTED, NULL, "member inflate.o of /usr/lib/libz.a");
	expect(r, "inflate", VEX_AFFECTED, NULL, "the link references it");
	symbols_report_free(r);
}

Test(vex, static_member_called_by_relocation_is_affected)
{
	struct symbols_report *r = static_report();

	expect(r, "inflateReset", VEX_AFFECTED, NULL, "a relocation of inflate.o refers to it");
	symbols_report_free(r);
}

Test(vex, static_member_unreferenced_is_not_in_execute_path)
{
	struct symbols_report *r = static_report();

	expect(r, "inflateGetHeader", VEX_NOT_AFFECTED, "vulnerable_code_not_in_execute_path",
	       "nothing references it");
	symbols_report_free(r);
}

Test(vex, static_function_is_under_investigation)
{
	struct symbols_report *r = static_report();

	expect(r, "updatewindow", VEX_UNDER_INVESTIGATION, NULL,
	       "a static function of member "
	       "inflate.o");
	symbols_report_free(r);
}

Test(vex, member_not_pulled_is_code_not_present)
{
	struct symbols_report *r = static_report();

	expect(r, "gzopen", VEX_NOT_AFFECTED, "vulnerable_code_not_present",
	       "a member the link did not pull in does");
	symbols_report_free(r);
}

Test(vex, dropped_by_the_linker_is_code_not_present)
{
	struct symbols_report *r = static_report();

	r->have_symtab = 1;
	names(&r->funcs, "main inflate inflateEnd crc32");
	expect(r, "inflateGetHeader", VEX_NOT_AFFECTED, "vulnerable_code_not_present",
	       "the linker dropped it");
	expect(r, "inflate", VEX_AFFECTED, NULL, "the link references it");
	symbols_report_free(r);
}

Test(vex, changed_archive_is_under_investigation_unless_symtab_says)
{
	struct symbols_report *r = report();
	int c = comp(r, "zlib1g-dev", ZDEV);
	struct symbols_archive *a = archive(r, c, 0, "");

	member(a, "inflate.o", "inflate", "", "");
	expect(r, "inflate", VEX_AFFECTED, NULL, "the link references it");
	expect(r, "inflateGetHeader", VEX_UNDER_INVESTIGATION, NULL, "changed since the build");
	r->have_symtab = 1;
	names(&r->funcs, "main inflate");
	expect(r, "inflateGetHeader", VEX_NOT_AFFECTED, "vulnerable_code_not_present",
	       "symbol table does not hold it");
	symbols_report_free(r);
}

Test(vex, linked_object_counts_like_a_member)
{
	struct symbols_report *r = report();
	int c = comp(r, "zlib1g-dev", ZDEV);
	struct symbols_object *o = &r->objects[r->n_objects++];

	o->path = dup("/src/vendor/zlib/inflate.o");
	o->component = c;
	o->read = 1;
	o->m.name = dup("inflate.o");
	o->m.funcs = calloc(2, sizeof(*o->m.funcs));
	o->m.funcs[o->m.n_funcs++].name = dup("inflate");
	o->m.funcs[o->m.n_funcs++].name = dup("inflateGetHeader");
	expect(r, "inflateGetHeader", VEX_NOT_AFFECTED, "vulnerable_code_not_in_execute_path",
	       "object /src/vendor/zlib/inflate.o");
	names(&o->m.relrefs, "inflateGetHeader");
	expect(r, "inflateGetHeader", VEX_AFFECTED, NULL, "a relocation of inflate.o");
	expect(r, "gzopen", VEX_NOT_AFFECTED, "vulnerable_code_not_present", "no object");
	symbols_report_free(r);
}

Test(vex, component_absent_is_component_not_present)
{
	struct symbols_report *r = static_report();
	struct vex_verdict v;

	assess(r, "pkg:deb/debian/libpng16-16", "inflate", 0, &v);
	cr_assert_eq(v.status, VEX_NOT_AFFECTED);
	cr_assert_eq(v.justification, VEX_J_COMPONENT_NOT_PRESENT);
	cr_assert_not(v.present);
	cr_assert_eq(v.n_subcomponents, 0);
	cr_assert_str_eq(vex_justification_openvex(v.justification), "component_not_present");
	cr_assert_str_eq(vex_justification_cyclonedx(v.justification), "code_not_present");
	vex_verdict_release(&v);
	symbols_report_free(r);
}

/* --- the dynamic rule -------------------------------------------------------------------- */

/* A binary that needs libz.so.1 (imports crc32, gzopen) of zlib1g; libz calls inflate
 * itself through its PLT.  Pattern: zlib1g. */
static struct symbols_report *dynamic_report(void)
{
	struct symbols_report *r = report();
	int c = comp(r, "zlib1g", ZLIB);
	struct symbols_library *l =
		lib(r, "libz.so.1", c, -1, "crc32 gzopen",
		    "crc32 gzopen inflate compress deflate inflateGetHeader compressBound");

	names(&l->relrefs, "inflate deflate malloc");
	l->self_refs = 2;
	return r;
}

static void expect_dyn(const struct symbols_report *r, const char *sym, int strict,
		       enum vex_status st, enum vex_justification j, const char *evidence)
{
	struct vex_verdict v;

	assess(r, "pkg:deb/debian/zlib1g", sym, strict, &v);
	cr_assert_eq(v.status, st, "%s: %s", sym, v.findings[0].evidence);
	cr_assert_eq(v.justification, j, "%s: %s", sym, v.findings[0].evidence);
	cr_assert_not_null(strstr(v.findings[0].evidence, evidence), "%s: '%s'", sym,
			   v.findings[0].evidence);
	cr_assert(v.present);
	cr_assert_eq(v.n_subcomponents, 1);
	cr_assert_str_eq(v.subcomponents[0], ZLIB);
	vex_verdict_release(&v);
}

Test(vex, dynamic_import_is_affected)
{
	struct symbols_report *r = dynamic_report();

	expect_dyn(r, "gzopen", 0, VEX_AFFECTED, VEX_J_NONE,
		   "the binary imports gzopen from libz.so.1");
	symbols_report_free(r);
}

Test(vex, dynamic_import_by_another_library_is_affected)
{
	struct symbols_report *r = dynamic_report();
	struct symbols_library *png = lib(r, "libpng16.so.16", -1, -1, "", "png_read_row");

	names(&png->wants, "inflate inflateReset");
	expect_dyn(r, "inflate", 0, VEX_AFFECTED, VEX_J_NONE,
		   "libpng16.so.16, which the binary loads, imports inflate");
	symbols_report_free(r);
}

Test(vex, dynamic_self_relocation_is_under_investigation)
{
	struct symbols_report *r = dynamic_report();

	expect_dyn(r, "inflate", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE,
		   "refers to it through its own dynamic relocations");
	symbols_report_free(r);
}

Test(vex, dynamic_unimported_is_not_in_execute_path_unless_strict)
{
	struct symbols_report *r = dynamic_report();

	expect_dyn(r, "compress", 0, VEX_NOT_AFFECTED, VEX_J_NOT_IN_EXECUTE_PATH,
		   "names it in no relocation of its own");
	expect_dyn(r, "compress", 1, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "--strict");
	symbols_report_free(r);
}

Test(vex, dynamic_direct_binding_is_under_investigation)
{
	struct symbols_report *r = dynamic_report();

	names(&r->libs[0].protect, "compress");
	expect_dyn(r, "compress", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "protected");
	symbols_names_release(&r->libs[0].protect);
	r->libs[0].self_refs = 0; /* calls itself through hidden aliases, like glibc */
	expect_dyn(r, "compress", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "hidden aliases");
	r->libs[0].self_refs = 2;
	r->libs[0].symbolic = 1;
	expect_dyn(r, "compressBound", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "DT_SYMBOLIC");
	symbols_report_free(r);
}

Test(vex, dynamic_not_exported_is_under_investigation)
{
	struct symbols_report *r = dynamic_report();
	struct vex_verdict v;

	expect_dyn(r, "inflate_fast", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE,
		   "no library of the component that the binary loads exports inflate_fast");
	assess(r, "pkg:deb/debian/zlib1g", "inflate_fast", 0, &v);
	cr_assert_not(v.findings[0].known);
	vex_verdict_release(&v);
	r->libs[0].read = 0;
	expect_dyn(r, "inflate_fast", 0, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "could not be read");
	symbols_report_free(r);
}

/* --- combining ---------------------------------------------------------------------------- */

Test(vex, worst_finding_wins)
{
	struct symbols_report *r = static_report();
	struct vex_verdict v;

	assess(r, "pkg:deb/debian/zlib1g-dev", "gzopen inflateGetHeader", 0, &v);
	cr_assert_eq(v.n_findings, 2);
	cr_assert_eq(v.status, VEX_NOT_AFFECTED);
	cr_assert_eq(v.justification, VEX_J_NOT_IN_EXECUTE_PATH);
	cr_assert(v.findings[0].known && v.findings[1].known);
	vex_verdict_release(&v);
	assess(r, "pkg:deb/debian/zlib1g-dev", "gzopen inflate updatewindow", 0, &v);
	cr_assert_eq(v.status, VEX_AFFECTED);
	cr_assert_eq(v.justification, VEX_J_NONE);
	vex_verdict_release(&v);
	assess(r, "pkg:deb/debian/zlib1g-dev", "gzopen updatewindow", 0, &v);
	cr_assert_eq(v.status, VEX_UNDER_INVESTIGATION);
	vex_verdict_release(&v);
	assess(r, "pkg:deb/debian/zlib1g-dev", "nosuch", 0, &v);
	cr_assert_not(v.findings[0].known);
	vex_verdict_release(&v);
	symbols_report_free(r);
}

Test(vex, vocabularies)
{
	cr_assert_str_eq(vex_status_openvex(VEX_AFFECTED), "affected");
	cr_assert_str_eq(vex_status_openvex(VEX_UNDER_INVESTIGATION), "under_investigation");
	cr_assert_str_eq(vex_status_openvex(VEX_NOT_AFFECTED), "not_affected");
	cr_assert_str_eq(vex_status_cyclonedx(VEX_AFFECTED), "exploitable");
	cr_assert_str_eq(vex_status_cyclonedx(VEX_UNDER_INVESTIGATION), "in_triage");
	cr_assert_str_eq(vex_status_cyclonedx(VEX_NOT_AFFECTED), "not_affected");
	cr_assert_str_eq(vex_justification_openvex(VEX_J_CODE_NOT_PRESENT),
			 "vulnerable_code_not_present");
	cr_assert_str_eq(vex_justification_openvex(VEX_J_NOT_IN_EXECUTE_PATH),
			 "vulnerable_code_not_in_execute_path");
	cr_assert_str_eq(vex_justification_cyclonedx(VEX_J_CODE_NOT_PRESENT), "code_not_present");
	cr_assert_str_eq(vex_justification_cyclonedx(VEX_J_NOT_IN_EXECUTE_PATH),
			 "code_not_reachable");
	cr_assert_null(vex_justification_openvex(VEX_J_NONE));
	cr_assert_null(vex_justification_cyclonedx(VEX_J_NONE));
}

/* --- the documents ------------------------------------------------------------------------- */

/* Writes a document of two binaries (static: inflate affected; dynamic: compress not in
 * execute path) with fn into a new string. */
static char *write_doc(int (*fn)(const struct vex_doc *, FILE *), struct vex_verdict v[2])
{
	struct symbols_report *s = static_report(), *d = dynamic_report();
	static const char *comps[] = { "pkg:deb/debian/zlib1g", "pkg:deb/debian/zlib1g-dev" };
	static const char *syms[] = { "inflate" };
	struct symbols_purl p[2];
	struct vex_product prods[2] = { { "/src/zstatic", "aa11", &v[0] },
					{ "/src/zdynamic", "bb22", &v[1] } };
	struct vex_doc doc = { "CVE-2022-37434", comps, 2, syms, 1, 1700000000, prods, 2 };
	const char *const dsyms[] = { "compress" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(symbols_purl_parse(comps[0], &p[0]), 0);
	cr_assert_eq(symbols_purl_parse(comps[1], &p[1]), 0);
	cr_assert_eq(vex_assess(s, p, 2, syms, 1, 0, &v[0]), 0);
	cr_assert_eq(vex_assess(d, p, 2, dsyms, 1, 0, &v[1]), 0);
	cr_assert_eq(fn(&doc, f), 0);
	fclose(f);
	symbols_purl_release(&p[0]);
	symbols_purl_release(&p[1]);
	symbols_report_free(s);
	symbols_report_free(d);
	return buf;
}

static const char *jstr(const cJSON *o, const char *path)
{
	char copy[256], *save = NULL;
	const cJSON *j = o;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *k = strtok_r(copy, ".", &save); j && k; k = strtok_r(NULL, ".", &save))
		j = (*k >= '0' && *k <= '9') ? cJSON_GetArrayItem(j, atoi(k))
					     : cJSON_GetObjectItemCaseSensitive(j, k);
	cr_assert(cJSON_IsString(j), "no string at %s", path);
	return j->valuestring;
}

Test(vex, cyclonedx_document)
{
	struct vex_verdict v[2];
	char *text = write_doc(vex_write_cyclonedx, v), *again;
	cJSON *o = cJSON_Parse(text);

	cr_assert_not_null(o);
	cr_assert_str_eq(jstr(o, "bomFormat"), "CycloneDX");
	cr_assert_str_eq(jstr(o, "specVersion"), "1.6");
	cr_assert_eq(strncmp(jstr(o, "serialNumber"), "urn:uuid:", 9), 0);
	cr_assert_str_eq(jstr(o, "metadata.timestamp"), "2023-11-14T22:13:20Z");
	cr_assert_str_eq(jstr(o, "components.0.name"), "zstatic");
	cr_assert_str_eq(jstr(o, "components.0.hashes.0.content"), "aa11");
	cr_assert_str_eq(jstr(o, "components.2.purl"), ZDEV);
	cr_assert_str_eq(jstr(o, "components.3.purl"), ZLIB);
	cr_assert_str_eq(jstr(o, "vulnerabilities.0.id"), "CVE-2022-37434");
	cr_assert_str_eq(jstr(o, "vulnerabilities.0.analysis.state"), "exploitable");
	cr_assert_str_eq(jstr(o, "vulnerabilities.0.affects.0.ref"),
			 jstr(o, "components.0.bom-ref"));
	cr_assert_null(cJSON_GetObjectItem(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(o, "vulnerabilities"), 0),
			"analysis"),
		"justification"));
	cr_assert_str_eq(jstr(o, "vulnerabilities.1.analysis.state"), "not_affected");
	cr_assert_str_eq(jstr(o, "vulnerabilities.1.analysis.justification"), "code_not_reachable");
	cr_assert_str_eq(jstr(o, "vulnerabilities.1.affects.0.ref"),
			 jstr(o, "components.1.bom-ref"));
	cr_assert_not_null(strstr(jstr(o, "vulnerabilities.0.analysis.detail"),
				  "inflate: inflate is defined by member inflate.o"));
	vex_verdict_release(&v[0]);
	vex_verdict_release(&v[1]);
	again = write_doc(vex_write_cyclonedx, v);
	cr_assert_str_eq(text, again, "not deterministic");
	vex_verdict_release(&v[0]);
	vex_verdict_release(&v[1]);
	cJSON_Delete(o);
	free(text);
	free(again);
}

Test(vex, openvex_document)
{
	struct vex_verdict v[2];
	char *text = write_doc(vex_write_openvex, v);
	cJSON *o = cJSON_Parse(text), *st;

	cr_assert_not_null(o);
	cr_assert_str_eq(jstr(o, "@context"), "https://openvex.dev/ns/v0.2.0");
	cr_assert_eq(strncmp(jstr(o, "@id"), "urn:uuid:", 9), 0);
	cr_assert_str_eq(jstr(o, "timestamp"), "2023-11-14T22:13:20Z");
	cr_assert_eq(cJSON_GetObjectItem(o, "version")->valueint, 1);
	cr_assert_str_eq(jstr(o, "statements.0.vulnerability.name"), "CVE-2022-37434");
	cr_assert_str_eq(jstr(o, "statements.0.status"), "affected");
	cr_assert_str_eq(jstr(o, "statements.0.products.0.@id"),
			 "pkg:generic/zstatic?checksum=sha256:aa11");
	cr_assert_str_eq(jstr(o, "statements.0.products.0.hashes.sha-256"), "aa11");
	cr_assert_str_eq(jstr(o, "statements.0.products.0.subcomponents.0.@id"), ZDEV);
	cr_assert_not_null(strstr(jstr(o, "statements.0.action_statement"), "CVE-2022-37434"));
	cr_assert_not_null(strstr(jstr(o, "statements.0.status_notes"), "inflate.o"));
	st = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "statements"), 0);
	cr_assert_null(cJSON_GetObjectItem(st, "justification"));
	cr_assert_str_eq(jstr(o, "statements.1.status"), "not_affected");
	cr_assert_str_eq(jstr(o, "statements.1.justification"),
			 "vulnerable_code_not_in_execute_path");
	cr_assert_not_null(strstr(jstr(o, "statements.1.impact_statement"), "compress"));
	cr_assert_str_eq(jstr(o, "statements.1.products.0.subcomponents.0.@id"), ZLIB);
	vex_verdict_release(&v[0]);
	vex_verdict_release(&v[1]);
	cJSON_Delete(o);
	free(text);
}
