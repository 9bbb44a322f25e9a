/* Unit tests of verify (src/audit/verify*.c): expectations against real files in a temporary
 * directory (ok, changed, missing, unreadable, unknown, matched by content), pseudo files,
 * several accepted contents of one path, the order of findings, the JSON, an SBOM model
 * and an in-toto statement as sources. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/hash.h"
#include "asbuilt/sbom.h"
#include "asbuilt/verify.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/asbuilt-verify-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* Writes content to dir/name; returns the path (static per call: copy it). */
static const char *put(const char *name, const char *content)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, 128, "%s/%s", dir, name);
	f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(content, f);
	cr_assert_eq(fclose(f), 0);
	return p;
}

static void sha_of(const char *content, char out[65])
{
	struct hash_result h;

	hash_buf(content, strlen(content), &h);
	strcpy(out, h.sha256);
}

static const struct verify_item *find(const struct verify_set *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].path, path))
			return &s->items[i];
	return NULL;
}

static char *path_of(const char *name)
{
	char *p;

	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

TestSuite(verify, .init = setup, .fini = teardown);

Test(verify, statuses)
{
	struct verify_set s = { 0 };
	char a[65], b_old[65];
	char *pa = strdup(put("a.c", "int a;\n")), *pb = strdup(put("b.h", "now\n"));
	char *pmissing = path_of("gone.o"), *pdir = path_of("adir");

	cr_assert_eq(mkdir(pdir, 0755), 0);
	sha_of("int a;\n", a);
	sha_of("before\n", b_old);
	cr_assert_eq(verify_expect(&s, pa, a, VERIFY_INPUT), 0);
	cr_assert_eq(verify_expect(&s, pb, b_old, VERIFY_INPUT), 0);
	cr_assert_eq(verify_expect(&s, pmissing, a, VERIFY_INTERMEDIATE), 0);
	cr_assert_eq(verify_expect(&s, pdir, a, VERIFY_ARTIFACT), 0);
	cr_assert_eq(verify_expect(&s, "/proc/self/status", a, VERIFY_INPUT), 0);
	cr_assert_eq(verify_expect(&s, "/dev/null", a, VERIFY_TOOL), 0);
	cr_assert_eq(verify_run(&s), 0);

	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.n_pseudo, 2);
	cr_assert_eq(find(&s, pa)->status, VERIFY_OK);
	cr_assert_eq(find(&s, pb)->status, VERIFY_CHANGED);
	cr_assert_str_eq(find(&s, pb)->recorded[0], b_old);
	sha_of("now\n", a);
	cr_assert_str_eq(find(&s, pb)->current, a);
	cr_assert_eq(find(&s, pmissing)->status, VERIFY_MISSING);
	cr_assert_eq(find(&s, pmissing)->err, ENOENT);
	cr_assert_eq(find(&s, pdir)->status, VERIFY_UNREADABLE);
	cr_assert_eq(find(&s, pdir)->err, EISDIR);
	cr_assert_eq(verify_count(&s, VERIFY_OK), 1);
	cr_assert_eq(verify_count(&s, VERIFY_CHANGED), 1);
	/* sorted by role, then path: the artifact first, the intermediate next */
	cr_assert_str_eq(s.items[0].path, pdir);
	cr_assert_str_eq(s.items[1].path, pmissing);
	cr_assert_str_eq(s.items[2].path, pa);
	cr_assert_str_eq(s.items[3].path, pb);
	verify_release(&s);
	free(pa), free(pb), free(pmissing), free(pdir);
}

Test(verify, same_path_accepts_every_recorded_content)
{
	struct verify_set s = { 0 };
	char v1[65], v2[65];
	char *p = strdup(put("version.h", "#define V 2\n"));

	sha_of("#define V 1\n", v1);
	sha_of("#define V 2\n", v2);
	cr_assert_eq(verify_expect(&s, p, v1, VERIFY_INPUT), 0);
	cr_assert_eq(verify_expect(&s, p, v2, VERIFY_ARTIFACT), 0);
	cr_assert_eq(s.n, 1, "one item per path");
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_eq(s.items[0].status, VERIFY_OK);
	cr_assert_eq(s.items[0].role, VERIFY_ARTIFACT, "the stronger role wins");
	cr_assert_str_eq(s.items[0].recorded[0], v2, "the artifact's content is shown");
	cr_assert_eq(s.items[0].nrecorded, 2);
	verify_release(&s);
	free(p);
}

Test(verify, subjects_are_kept_apart)
{
	struct verify_set s = { 0 };
	char good[65], bad[65];
	char *p = strdup(put("hello", "ELF\n"));

	sha_of("ELF\n", good);
	sha_of("tampered\n", bad);
	cr_assert_eq(verify_expect(&s, p, good, VERIFY_ARTIFACT), 0);
	cr_assert_eq(verify_expect(&s, p, bad, VERIFY_SUBJECT), 0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_eq(s.items[0].role, VERIFY_ARTIFACT);
	cr_assert_eq(s.items[0].status, VERIFY_OK);
	cr_assert_eq(s.items[1].role, VERIFY_SUBJECT);
	cr_assert_eq(s.items[1].status, VERIFY_CHANGED);
	verify_release(&s);
	free(p);
}

Test(verify, named_file_matched_by_content)
{
	struct verify_set s = { 0 };
	struct strmap known = { 0 };
	char sha[65];
	char *copy = strdup(put("copy-of-hello", "ELF hello\n"));
	char *other = strdup(put("other", "something else\n"));
	char *nothere = path_of("nothere");

	sha_of("ELF hello\n", sha);
	cr_assert_eq(strmap_put(&known, sha, "/build/hello"), 0);
	cr_assert_eq(verify_add_named(&s, copy, &known), 0);
	cr_assert_eq(verify_add_named(&s, other, &known), 0);
	cr_assert_eq(verify_add_named(&s, nothere, &known), 0);
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_eq(find(&s, copy)->status, VERIFY_OK);
	cr_assert_str_eq(find(&s, copy)->recorded_as, "/build/hello");
	cr_assert_eq(find(&s, other)->status, VERIFY_UNKNOWN);
	cr_assert_neq(find(&s, other)->current[0], '\0', "its current hash is shown");
	cr_assert_eq(find(&s, nothere)->status, VERIFY_UNKNOWN);
	cr_assert_eq(find(&s, nothere)->err, ENOENT);
	strmap_release(&known);
	verify_release(&s);
	free(copy), free(other), free(nothere);
}

Test(verify, json_lists_findings_and_summary)
{
	struct verify_set s = { 0 };
	char sha[65];
	char *p = strdup(put("x.c", "x\n")), *q = strdup(put("y.c", "y\n"));
	cJSON *j, *files, *sum;

	sha_of("x\n", sha);
	cr_assert_eq(verify_expect(&s, p, sha, VERIFY_INPUT), 0);
	cr_assert_eq(verify_expect(&s, q, sha, VERIFY_INPUT), 0);
	s.n_temporary = 3;
	cr_assert_eq(verify_run(&s), 0);
	j = verify_json(&s, 0);
	cr_assert_not_null(j);
	files = cJSON_GetObjectItem(j, "files");
	cr_assert_eq(cJSON_GetArraySize(files), 1, "ok items left out");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(files, 0), "path")->valuestring, q);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(files, 0), "status")->valuestring,
			 "changed");
	cr_assert_str_eq(
		cJSON_GetObjectItem(cJSON_GetArrayItem(files, 0), "recorded_sha256")->valuestring,
		sha);
	sum = cJSON_GetObjectItem(j, "summary");
	cr_assert_eq(cJSON_GetObjectItem(sum, "checked")->valueint, 2);
	cr_assert_eq(cJSON_GetObjectItem(sum, "ok")->valueint, 1);
	cr_assert_eq(cJSON_GetObjectItem(sum, "changed")->valueint, 1);
	cr_assert_eq(
		cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "not_checked"), "temporary")->valueint,
		3);
	cJSON_Delete(j);
	j = verify_json(&s, 1);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "files")), 2);
	cJSON_Delete(j);
	verify_release(&s);
	free(p), free(q);
}

/* A model with an artifact, an object a step wrote, a source and the step's tool. */
static struct sbom_doc *small_doc(const char *art_content)
{
	struct sbom_doc *d = sbom_doc_new("p", NULL);
	const char *names[] = { "prog", "prog.o", "prog.c", "cc1" };
	const char *contents[] = { art_content, "obj\n", "src\n", "tool\n" };
	int idx[4];

	for (int i = 0; i < 4; i++) {
		struct hash_result h;
		struct sbom_file f = { .component = -1, .is_artifact = i == 0 };
		char *path = path_of(names[i]);
		hash_buf(contents[i], strlen(contents[i]), &h);
		f.path = path;
		f.sha256 = h.sha256;
		idx[i] = sbom_add_file(d, &f);
		cr_assert_geq(idx[i], 0);
		free(path);
	}
	int out[] = { idx[1] }, in[] = { idx[2] }, tools[] = { idx[3] };
	struct sbom_step st = { .kind = "compile",
				.outputs = out,
				.n_outputs = 1,
				.inputs = in,
				.n_inputs = 1,
				.tool_files = tools,
				.n_tool_files = 1 };
	cr_assert_geq(sbom_add_step(d, &st), 0);
	return d;
}

Test(verify, from_sbom_roles_and_names)
{
	struct verify_set s = { 0 };
	struct sbom_doc *d = small_doc("prog\n");
	char *prog = strdup(put("prog", "prog changed\n")), *stray = strdup(put("stray", "obj\n"));
	char *names[] = { stray };

	put("prog.o", "obj\n");
	put("prog.c", "src\n");
	cr_assert_eq(verify_from_sbom(&s, d, NULL, 0), 0);
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(find(&s, prog)->role, VERIFY_ARTIFACT);
	cr_assert_eq(find(&s, prog)->status, VERIFY_CHANGED);
	cr_assert_eq(s.items[1].role, VERIFY_INTERMEDIATE);
	cr_assert_eq(s.items[1].status, VERIFY_OK);
	cr_assert_eq(s.items[2].role, VERIFY_INPUT);
	cr_assert_eq(s.items[3].role, VERIFY_TOOL);
	cr_assert_eq(s.items[3].status, VERIFY_MISSING);
	verify_release(&s);

	/* named: only the named file is an artifact; it is not listed, but has the content of
	 * prog.o, so it is ok "recorded as" prog.o */
	cr_assert_eq(verify_from_sbom(&s, d, names, 1), 0);
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_null(find(&s, prog), "an artifact not asked about is not checked");
	cr_assert_eq(find(&s, stray)->status, VERIFY_OK);
	cr_assert(strstr(find(&s, stray)->recorded_as, "/prog.o"));
	verify_release(&s);
	sbom_doc_free(d);
	free(prog), free(stray);
}

Test(verify, from_statement)
{
	struct verify_set s = { 0 };
	char sha[65], err[256], *payload, *dep;
	char *hello = strdup(put("hello", "ELF\n")), *src = strdup(put("a b.c", "src\n"));

	sha_of("ELF\n", sha);
	cr_assert_geq(asprintf(&dep, "file://%s/a%%20b.c", dir), 0);
	cr_assert_geq(asprintf(&payload,
			       "{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": "
			       "[{\"name\": \"hello\", \"digest\": {\"sha256\": \"%s\"}}], "
			       "\"predicate\": {\"buildDefinition\": {\"externalParameters\": "
			       "{\"cwd\": \"%s\"}, \"resolvedDependencies\": [{\"uri\": \"%s\", "
			       "\"digest\": {\"sha256\": \"%s\"}}]}}}",
			       sha, dir, dep, sha),
		      0);
	cr_assert_eq(verify_from_statement(&s, payload, strlen(payload), NULL, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(verify_run(&s), 0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(find(&s, hello)->role, VERIFY_SUBJECT);
	cr_assert_eq(find(&s, hello)->status, VERIFY_OK);
	cr_assert_eq(find(&s, src)->role, VERIFY_INPUT, "the percent-encoded URI is decoded");
	cr_assert_eq(find(&s, src)->status, VERIFY_CHANGED);
	verify_release(&s);
	cr_assert_eq(verify_from_statement(&s, "{\"_type\": \"x\"}", 14, NULL, err, sizeof(err)),
		     -EBADMSG);
	cr_assert(strstr(err, "in-toto"), "%s", err);
	verify_release(&s);
	free(payload), free(dep), free(hello), free(src);
}
