/* Unit tests of the SBOM reader (src/audit/sbomread*.c): a hand-made build written by each
 * of asbuilt's writers is read back with its files, hashes, artifacts, components, file
 * relationships and steps; truncated, foreign and malformed documents are refused with the
 * right error. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/hash.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"

enum { MAIN_C, GREET_H, MAIN_O, HELLO, LIBC_SO, CC1, NFILES };

static const struct {
	const char *path, *content;
	enum sbom_file_role role;
} sample[NFILES] = {
	[MAIN_C] = { "/src/hello/main.c", "int main(void){return 0;}\n", SBOM_ROLE_SOURCE },
	[GREET_H] = { "/src/hello/greet.h", "void greet(void);\n", SBOM_ROLE_HEADER },
	[MAIN_O] = { "/src/hello/main.o", "\177ELF main.o", SBOM_ROLE_OBJECT },
	[HELLO] = { "/src/hello/hello", "\177ELF hello", SBOM_ROLE_EXECUTABLE },
	[LIBC_SO] = { "/usr/lib/x86_64-linux-gnu/libc.so.6", "\177ELF libc",
		      SBOM_ROLE_SHARED_LIBRARY },
	[CC1] = { "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "\177ELF cc1", SBOM_ROLE_EXECUTABLE },
};

static char sha[NFILES][65];
static int fidx[NFILES];

/* The sample: project (main.c, greet.h), libc6 (libc.so.6), cpp-12 (cc1), a compile step
 * with an argument that needs quoting, a link step; hello is the artifact. */
static struct sbom_doc *sample_doc(void)
{
	struct sbom_doc *d = sbom_doc_new("hello", "1.0");
	struct sbom_component proj = { .kind = SBOM_COMP_PROJECT, .name = "hello" };
	struct sbom_component libc = { .kind = SBOM_COMP_DEB,
				       .name = "libc6",
				       .version = "2.36-9",
				       .license_declared = "LGPL-2.1-or-later",
				       .purl = "pkg:deb/debian/libc6@2.36-9?arch=amd64" };
	struct sbom_component cpp = { .kind = SBOM_COMP_DEB,
				      .name = "cpp-12",
				      .version = "12.2.0-14",
				      .purl = "pkg:deb/debian/cpp-12@12.2.0-14?arch=amd64" };
	static const char *const cc_argv[] = { "cc", "-O2",   "-DMSG=\"hi there\"", "-c", "main.c",
					       "-o", "main.o" };
	static const char *const ld_argv[] = { "cc", "-o", "hello", "main.o" };
	int comp[NFILES], p, l, c;

	cr_assert_not_null(d);
	p = sbom_add_component(d, &proj);
	l = sbom_add_component(d, &libc);
	c = sbom_add_component(d, &cpp);
	comp[MAIN_C] = comp[GREET_H] = p;
	comp[MAIN_O] = comp[HELLO] = -1;
	comp[LIBC_SO] = l;
	comp[CC1] = c;
	for (int i = 0; i < NFILES; i++) {
		struct hash_result h;
		struct sbom_file f = { .path = sample[i].path,
				       .role = sample[i].role,
				       .component = comp[i],
				       .is_artifact = i == HELLO };
		hash_buf(sample[i].content, strlen(sample[i].content), &h);
		strcpy(sha[i], h.sha256);
		f.sha256 = h.sha256;
		f.sha1 = h.sha1;
		f.gitoid_sha1 = h.gitoid_sha1;
		fidx[i] = sbom_add_file(d, &f);
		cr_assert_geq(fidx[i], 0);
	}
	cr_assert_eq(sbom_add_rel(d, SBOM_NODE_FILE, fidx[MAIN_O], SBOM_NODE_FILE, fidx[MAIN_C],
				  SBOM_REL_GENERATED_FROM),
		     0);
	cr_assert_eq(sbom_add_rel(d, SBOM_NODE_FILE, fidx[HELLO], SBOM_NODE_FILE, fidx[MAIN_O],
				  SBOM_REL_GENERATED_FROM),
		     0);
	cr_assert_eq(sbom_add_rel(d, SBOM_NODE_FILE, fidx[HELLO], SBOM_NODE_FILE, fidx[LIBC_SO],
				  SBOM_REL_DYNAMIC_LINK),
		     0);
	int cc_in[] = { fidx[MAIN_C], fidx[GREET_H] }, cc_out[] = { fidx[MAIN_O] };
	int ld_in[] = { fidx[MAIN_O], fidx[LIBC_SO] }, ld_out[] = { fidx[HELLO] };
	int tools[] = { fidx[CC1] };
	struct sbom_step cc = { .kind = "compile",
				.argv = cc_argv,
				.argc = 7,
				.cwd = "/src/hello",
				.inputs = cc_in,
				.n_inputs = 2,
				.outputs = cc_out,
				.n_outputs = 1,
				.tool_files = tools,
				.n_tool_files = 1,
				.tool_components = &c,
				.n_tool_components = 1,
				.start_ns = 1700000000000000000LL };
	struct sbom_step ld = { .kind = "link",
				.argv = ld_argv,
				.argc = 4,
				.cwd = "/src/hello",
				.inputs = ld_in,
				.n_inputs = 2,
				.outputs = ld_out,
				.n_outputs = 1,
				.start_ns = 1700000001000000000LL };
	cr_assert_geq(sbom_add_step(d, &cc), 0);
	cr_assert_geq(sbom_add_step(d, &ld), 0);
	return d;
}

typedef int (*writer_fn)(const struct sbom_doc *, FILE *);

/* d written by fn, as a new string (*len bytes). */
static char *written(writer_fn fn, size_t *len)
{
	struct sbom_doc *d = sample_doc();
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(d, f), 0);
	cr_assert_eq(fclose(f), 0);
	sbom_doc_free(d);
	return buf;
}

static struct sbomread *read_back(writer_fn fn, enum sbomread_format want)
{
	struct sbomread *r = NULL;
	char err[256];
	size_t len;
	char *text = written(fn, &len);
	int rc = sbomread_parse(text, len, &r, err, sizeof(err));

	cr_assert_eq(rc, 0, "parse: %d %s", rc, err);
	cr_assert_eq(r->format, want);
	free(text);
	return r;
}

static int file_at(const struct sbom_doc *d, const char *path)
{
	for (size_t i = 0; i < d->n_files; i++)
		if (!strcmp(d->files[i].path, path))
			return (int)i;
	return -1;
}

static int comp_named(const struct sbom_doc *d, const char *name)
{
	for (size_t i = 0; i < d->n_comps; i++)
		if (!strcmp(d->comps[i].name, name))
			return (int)i;
	return -1;
}

static void check_files(const struct sbom_doc *d)
{
	cr_assert_eq(d->n_files, NFILES);
	for (int i = 0; i < NFILES; i++) {
		int k = file_at(d, sample[i].path);
		cr_assert_geq(k, 0, "%s not read back", sample[i].path);
		cr_assert_str_eq(d->files[k].sha256, sha[i]);
		cr_assert_eq(d->files[k].is_artifact, i == HELLO, "%s artifact flag",
			     sample[i].path);
		cr_assert_eq(d->files[k].role, sample[i].role, "%s role", sample[i].path);
	}
	cr_assert_str_eq(d->name, "hello");
}

static void check_comps(const struct sbom_doc *d)
{
	int libc = comp_named(d, "libc6"), proj = comp_named(d, "hello");

	cr_assert_eq(d->n_comps, 3, "components (the product is not one): %zu", d->n_comps);
	cr_assert_geq(libc, 0);
	cr_assert_geq(proj, 0);
	cr_assert_str_eq(d->comps[libc].version, "2.36-9");
	cr_assert_str_eq(d->comps[libc].purl, "pkg:deb/debian/libc6@2.36-9?arch=amd64");
	cr_assert_eq(d->comps[libc].kind, SBOM_COMP_DEB);
	cr_assert_str_eq(d->comps[libc].license_declared, "LGPL-2.1-or-later");
	cr_assert_eq(d->comps[proj].kind, SBOM_COMP_PROJECT);
	cr_assert_eq(d->files[file_at(d, sample[LIBC_SO].path)].component, libc);
	cr_assert_eq(d->files[file_at(d, sample[GREET_H].path)].component, proj);
	cr_assert_eq(d->files[file_at(d, sample[HELLO].path)].component, -1);
}

static void check_steps(const struct sbom_doc *d)
{
	const struct sbom_step *cc = NULL;

	cr_assert_eq(d->n_steps, 2);
	for (size_t i = 0; i < d->n_steps; i++)
		if (!strcmp(d->steps[i].kind, "compile"))
			cc = &d->steps[i];
	cr_assert_not_null(cc);
	cr_assert_eq(cc->argc, 7);
	cr_assert_str_eq(cc->argv[2], "-DMSG=\"hi there\"");
	cr_assert_str_eq(cc->argv[6], "main.o");
	cr_assert_str_eq(cc->cwd, "/src/hello");
	cr_assert_eq(cc->n_outputs, 1);
	cr_assert_str_eq(d->files[cc->outputs[0]].path, sample[MAIN_O].path);
	cr_assert_eq(cc->n_inputs, 2);
	cr_assert_eq(cc->n_tool_files, 1);
	cr_assert_str_eq(d->files[cc->tool_files[0]].path, sample[CC1].path);
	cr_assert_eq(cc->n_tool_components, 1);
	cr_assert_str_eq(d->comps[cc->tool_components[0]].name, "cpp-12");
}

static int has_rel(const struct sbom_doc *d, int from, int to, enum sbom_rel_type t)
{
	int a = file_at(d, sample[from].path), b = file_at(d, sample[to].path);

	for (size_t i = 0; i < d->n_rels; i++)
		if (d->rels[i].from_kind == SBOM_NODE_FILE && d->rels[i].from == a &&
		    d->rels[i].to_kind == SBOM_NODE_FILE && d->rels[i].to == b &&
		    d->rels[i].type == t)
			return 1;
	return 0;
}

Test(sbomread, spdx2_round_trip)
{
	struct sbomread *r = read_back(sbom_write_spdx2, SBOMREAD_SPDX2);

	check_files(r->doc);
	check_comps(r->doc);
	cr_assert_eq(r->doc->n_steps, 0, "SPDX 2.3 has no steps");
	cr_assert(has_rel(r->doc, MAIN_O, MAIN_C, SBOM_REL_GENERATED_FROM));
	cr_assert(has_rel(r->doc, HELLO, LIBC_SO, SBOM_REL_DYNAMIC_LINK));
	cr_assert_str_eq(r->doc->version, "1.0");
	sbomread_free(r);
}

Test(sbomread, spdx3_round_trip)
{
	struct sbomread *r = read_back(sbom_write_spdx3, SBOMREAD_SPDX3);

	check_files(r->doc);
	check_comps(r->doc);
	check_steps(r->doc);
	cr_assert(has_rel(r->doc, MAIN_O, MAIN_C, SBOM_REL_GENERATED_FROM));
	cr_assert(has_rel(r->doc, HELLO, LIBC_SO, SBOM_REL_DYNAMIC_LINK));
	sbomread_free(r);
}

Test(sbomread, cyclonedx_round_trip)
{
	struct sbomread *r = read_back(sbom_write_cyclonedx, SBOMREAD_CYCLONEDX);

	check_files(r->doc);
	check_comps(r->doc);
	check_steps(r->doc);
	cr_assert(has_rel(r->doc, HELLO, MAIN_O, SBOM_REL_DEPENDS_ON));
	sbomread_free(r);
}

Test(sbomread, classify_by_steps_and_relationships)
{
	writer_fn fns[] = { sbom_write_spdx2, sbom_write_spdx3, sbom_write_cyclonedx };
	enum sbomread_format fmts[] = { SBOMREAD_SPDX2, SBOMREAD_SPDX3, SBOMREAD_CYCLONEDX };

	for (int k = 0; k < 3; k++) {
		struct sbomread *r = read_back(fns[k], fmts[k]);
		enum sbomread_class *c = sbomread_classify(r->doc);
		const struct sbom_doc *d = r->doc;

		cr_assert_not_null(c);
		cr_assert_eq(c[file_at(d, sample[HELLO].path)], SBOMREAD_ARTIFACT);
		cr_assert_eq(c[file_at(d, sample[MAIN_O].path)], SBOMREAD_INTERMEDIATE);
		cr_assert_eq(c[file_at(d, sample[MAIN_C].path)], SBOMREAD_INPUT);
		/* SPDX 2.3 has no steps: a tool file is an input there */
		cr_assert_eq(c[file_at(d, sample[CC1].path)],
			     k == 0 ? SBOMREAD_INPUT : SBOMREAD_TOOL, "format %d", k);
		free(c);
		sbomread_free(r);
	}
}

Test(sbomread, truncated_is_einval)
{
	struct sbomread *r = (struct sbomread *)1;
	char err[256];
	size_t len;
	char *text = written(sbom_write_cyclonedx, &len);

	cr_assert_eq(sbomread_parse(text, len / 2, &r, err, sizeof(err)), -EINVAL);
	cr_assert_null(r);
	cr_assert(strstr(err, "truncated"), "message: %s", err);
	free(text);
}

Test(sbomread, not_json_is_einval)
{
	struct sbomread *r;
	char err[256];
	const char *t = "SQLite format 3 no json here";

	cr_assert_eq(sbomread_parse(t, strlen(t), &r, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "not JSON"), "message: %s", err);
	cr_assert_null(strstr(err, "truncated"), "message: %s", err);
}

Test(sbomread, foreign_json_is_eproto)
{
	struct sbomread *r;
	char err[256];
	const char *a = "{\"_type\": \"https://in-toto.io/Statement/v1\"}";
	const char *b = "{\"spdxVersion\": \"SPDX-2.1\", \"files\": []}";
	const char *c = "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.2\"}";
	const char *e = "[1, 2]";

	cr_assert_eq(sbomread_parse(a, strlen(a), &r, err, sizeof(err)), -EPROTO);
	cr_assert_eq(sbomread_parse(b, strlen(b), &r, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "SPDX-2.1"), "message: %s", err);
	cr_assert_eq(sbomread_parse(c, strlen(c), &r, err, sizeof(err)), -EPROTO);
	cr_assert_eq(sbomread_parse(e, strlen(e), &r, err, sizeof(err)), -EPROTO);
}

Test(sbomread, malformed_is_ebadmsg)
{
	struct sbomread *r;
	char err[256];
	const char *a = "{\"spdxVersion\": \"SPDX-2.3\", \"files\": {\"x\": 1}}";
	const char *b = "{\"spdxVersion\": \"SPDX-2.3\", \"files\": [{\"SPDXID\": \"SPDXRef-a\"}]}";
	const char *c = "{\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}";

	cr_assert_eq(sbomread_parse(a, strlen(a), &r, err, sizeof(err)), -EBADMSG);
	cr_assert_eq(sbomread_parse(b, strlen(b), &r, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "fileName"), "message: %s", err);
	cr_assert_eq(sbomread_parse(c, strlen(c), &r, err, sizeof(err)), -EBADMSG);
}

Test(sbomread, file_without_sha256_is_counted)
{
	struct sbomread *r;
	char err[256];
	const char *t = "{\"spdxVersion\": \"SPDX-2.3\", \"files\": [{\"SPDXID\": \"SPDXRef-a\", "
			"\"fileName\": \"./x/a.c\", \"checksums\": [{\"algorithm\": \"SHA1\", "
			"\"checksumValue\": \"0000000000000000000000000000000000000000\"}]}]}";

	cr_assert_eq(sbomread_parse(t, strlen(t), &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r->doc->n_files, 0);
	cr_assert_eq(r->n_unhashed, 1);
	sbomread_free(r);
}

Test(sbomread, load_names_the_file)
{
	struct sbomread *r;
	char err[512];

	cr_assert_eq(sbomread_load("/nonexistent/x.json", &r, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "/nonexistent/x.json"), "message: %s", err);
}

Test(sbomread, split_shell)
{
	char **v;
	size_t n;

	cr_assert_eq(sbomread_split_shell("cc  -O2 'a b' \"c \\\"d\\\"\" e\\ f ''", &v, &n), 0);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(v[0], "cc");
	cr_assert_str_eq(v[1], "-O2");
	cr_assert_str_eq(v[2], "a b");
	cr_assert_str_eq(v[3], "c \"d\"");
	cr_assert_str_eq(v[4], "e f");
	cr_assert_str_eq(v[5], "");
	cr_assert_null(v[6]);
	free(v);
	cr_assert_eq(sbomread_split_shell("'it'\\''s'", &v, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0], "it's");
	free(v);
	cr_assert_eq(sbomread_split_shell("'open", &v, &n), -EINVAL);
}
