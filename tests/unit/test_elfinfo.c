/* Unit tests of elfinfo.c: small programs, libraries, objects and archives compiled with gcc
 * into a temporary directory; build-ids checked against what `readelf -n` prints. */
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/elfinfo.h"

static char dir[] = "/tmp/asbuilt-elfinfo-XXXXXX";
static char pathbuf[PATH_MAX];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TestSuite(elfinfo, .init = setup, .fini = teardown);

/* Runs a shell command in the temporary directory; fails the test unless it succeeds. */
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* Returns dir/name (a static buffer). */
static const char *at(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", dir, name);
	return pathbuf;
}

/* Writes text to name in the temporary directory. */
static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* The build-id `readelf -n` prints for name, in a static buffer ("" when none). */
static const char *readelf_build_id(const char *name)
{
	static char id[256];
	char cmd[PATH_MAX + 32], line[512];
	FILE *p;

	id[0] = '\0';
	snprintf(cmd, sizeof(cmd), "readelf -n '%s'", at(name));
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, "Build ID: ");

		if (s)
			sscanf(s + 10, "%255s", id);
	}
	pclose(p);
	return id;
}

/* libt.so.1 (soname, sha1 build-id) and prog, which calls printf and t_func and finds the
 * library through $ORIGIN. */
static void build_lib_and_prog(void)
{
	put("t.c", "int t_data = 3;\nint t_func(int x) { return x + t_data; }\n");
	put("main.c", "#include <stdio.h>\nint t_func(int);\n"
		      "int main(int argc, char **argv) { printf(\"%d\\n\", t_func(argc)); return 0; }\n");
	sh("gcc -shared -fPIC -Wl,-soname,libt.so.1 -Wl,--build-id=sha1 -o libt.so.1 t.c");
	sh("gcc -Wl,--build-id=sha1 -o prog main.c -L. -l:libt.so.1 -Wl,-rpath,'$ORIGIN'");
}

static struct elfinfo *read_ok(const char *name)
{
	struct elfinfo *e = NULL;
	int rc = elfinfo_read(at(name), &e);

	cr_assert_eq(rc, 0, "elfinfo_read(%s) = %d", name, rc);
	cr_assert_not_null(e);
	return e;
}

Test(elfinfo, shared_library_has_soname_build_id_and_exports)
{
	struct elfinfo *e;
	const struct elfinfo_sym *s;

	build_lib_and_prog();
	e = read_ok("libt.so.1");
	cr_assert_eq(e->type, ELFINFO_DYN);
	cr_assert_str_eq(elfinfo_type_name(e->type), "dyn");
	cr_assert_eq(e->machine, EM_X86_64);
	cr_assert_eq(e->elfclass, ELFCLASS64);
	cr_assert_not(e->is_static);
	cr_assert_null(e->interp);
	cr_assert_str_eq(e->soname, "libt.so.1");
	cr_assert_not_null(e->build_id);
	cr_assert_eq(strlen(e->build_id), 40); /* sha1 */
	cr_assert_str_eq(e->build_id, readelf_build_id("libt.so.1"));
	s = elfinfo_sym_find(e->exports, e->n_exports, "t_func");
	cr_assert_not_null(s);
	cr_assert_eq(s->type, STT_FUNC);
	cr_assert_eq(s->bind, STB_GLOBAL);
	s = elfinfo_sym_find(e->exports, e->n_exports, "t_data");
	cr_assert_not_null(s);
	cr_assert_eq(s->type, STT_OBJECT);
	cr_assert_null(elfinfo_sym_find(e->imports, e->n_imports, "t_func"));
	elfinfo_free(e);
}

Test(elfinfo, executable_lists_needed_in_order_with_interp_and_origin)
{
	struct elfinfo *e;

	build_lib_and_prog();
	e = read_ok("prog");
	cr_assert(e->type == ELFINFO_PIE || e->type == ELFINFO_EXEC);
	cr_assert_not(e->is_static);
	cr_assert_not_null(e->interp);
	cr_assert_str_eq(e->interp, "/lib64/ld-linux-x86-64.so.2");
	cr_assert_null(e->soname);
	cr_assert_eq(e->n_needed, 2);
	cr_assert_str_eq(e->needed[0], "libt.so.1");
	cr_assert_str_eq(e->needed[1], "libc.so.6");
	cr_assert_str_eq(e->runpath ? e->runpath : e->rpath, "$ORIGIN");
	cr_assert_str_eq(e->build_id, readelf_build_id("prog"));
	elfinfo_free(e);
}

Test(elfinfo, imports_carry_binding_type_and_version)
{
	struct elfinfo *e;
	const struct elfinfo_sym *s;

	build_lib_and_prog();
	e = read_ok("prog");
	s = elfinfo_sym_find(e->imports, e->n_imports, "printf");
	cr_assert_not_null(s, "printf not imported");
	cr_assert_eq(s->bind, STB_GLOBAL);
	cr_assert_eq(s->type, STT_FUNC);
	cr_assert_not_null(s->version);
	cr_assert_eq(strncmp(s->version, "GLIBC_", 6), 0, "version %s", s->version);
	cr_assert_str_eq(s->vfile, "libc.so.6");
	s = elfinfo_sym_find(e->imports, e->n_imports, "t_func");
	cr_assert_not_null(s, "t_func not imported");
	cr_assert_eq(s->bind, STB_GLOBAL);
	cr_assert_null(s->version);
	for (size_t i = 0; i < e->n_imports; i++)
		cr_assert_neq(e->imports[i].name[0], '\0');
	cr_assert_null(elfinfo_sym_find(e->exports, e->n_exports, "printf"));
	elfinfo_free(e);
}

Test(elfinfo, resolve_needed_finds_origin_lib_and_libc)
{
	struct elfinfo *e;
	char **paths = NULL, *want;

	build_lib_and_prog();
	e = read_ok("prog");
	cr_assert_eq(elfinfo_resolve_needed(e, at("prog"), &paths), 0);
	want = realpath(at("libt.so.1"), NULL);
	cr_assert_not_null(paths[0]);
	cr_assert_str_eq(paths[0], want);
	cr_assert_not_null(paths[1]);
	cr_assert_str_eq(paths[1], "/usr/lib/x86_64-linux-gnu/libc.so.6");
	free(want);
	elfinfo_paths_free(paths, e->n_needed);
	elfinfo_free(e);
}

Test(elfinfo, resolve_needed_gives_null_for_missing_or_non_elf)
{
	struct elfinfo *e;
	char **paths = NULL;

	build_lib_and_prog();
	e = read_ok("prog");
	put("libt.so.1", "not a library\n"); /* found by name, but the loader would skip it */
	cr_assert_eq(elfinfo_resolve_needed(e, at("prog"), &paths), 0);
	cr_assert_null(paths[0]);
	cr_assert_str_eq(paths[1], "/usr/lib/x86_64-linux-gnu/libc.so.6");
	elfinfo_paths_free(paths, e->n_needed);
	unlink(at("libt.so.1"));
	cr_assert_eq(elfinfo_resolve_needed(e, at("prog"), &paths), 0);
	cr_assert_null(paths[0]);
	elfinfo_paths_free(paths, e->n_needed);
	elfinfo_free(e);
}

Test(elfinfo, resolve_needed_expands_origin_in_rpath)
{
	struct elfinfo *e;
	char **paths = NULL, *want;

	build_lib_and_prog();
	sh("mkdir bin lib && mv libt.so.1 lib/ && "
	   "gcc -o bin/prog main.c -Llib -l:libt.so.1 -Wl,--disable-new-dtags,-rpath,'${ORIGIN}/../lib'");
	e = read_ok("bin/prog");
	cr_assert_str_eq(e->rpath, "${ORIGIN}/../lib");
	cr_assert_null(e->runpath);
	cr_assert_eq(elfinfo_resolve_needed(e, at("bin/prog"), &paths), 0);
	want = realpath(at("lib/libt.so.1"), NULL);
	cr_assert_not_null(paths[0]);
	cr_assert_str_eq(paths[0], want);
	free(want);
	elfinfo_paths_free(paths, e->n_needed);
	elfinfo_free(e);
}

Test(elfinfo, static_binary_is_static_without_interp)
{
	struct elfinfo *e;

	put("s.c", "#include <stdio.h>\nint main(int c, char **v) { printf(\"%d\\n\", c); return 0; }\n");
	sh("gcc -static -o s s.c");
	e = read_ok("s");
	cr_assert(e->is_static);
	cr_assert_null(e->interp);
	cr_assert_eq(e->type, ELFINFO_EXEC);
	cr_assert_eq(e->n_needed, 0);
	cr_assert_eq(e->n_imports, 0);
	if (*readelf_build_id("s"))
		cr_assert_str_eq(e->build_id, readelf_build_id("s"));
	elfinfo_free(e);
}

Test(elfinfo, object_lists_undefined_printf_and_defined_globals)
{
	struct elfinfo *e;
	const struct elfinfo_sym *s;

	put("o.c", "#include <stdio.h>\nstatic int hidden_helper(int x) { return x; }\n"
		   "int o_var = 1;\nint o_main(int c) { return printf(\"%d\\n\", hidden_helper(c)); }\n");
	sh("gcc -c -o o.o o.c");
	e = read_ok("o.o");
	cr_assert_eq(e->type, ELFINFO_REL);
	cr_assert_not(e->is_static);
	cr_assert_eq(e->n_needed, 0);
	s = elfinfo_sym_find(e->imports, e->n_imports, "printf");
	cr_assert_not_null(s);
	cr_assert_eq(s->bind, STB_GLOBAL);
	cr_assert_null(s->version);
	cr_assert_not_null(elfinfo_sym_find(e->exports, e->n_exports, "o_main"));
	cr_assert_eq(elfinfo_sym_find(e->exports, e->n_exports, "o_var")->type, STT_OBJECT);
	cr_assert_null(elfinfo_sym_find(e->exports, e->n_exports, "hidden_helper"));
	elfinfo_free(e);
}

/* Checks that m (of n) has a member name defining exactly the symbols sym1 and sym2. */
static void assert_member(struct elfmember *m, size_t n, const char *name, const char *sym1,
			  const char *sym2)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].name, name))
			continue;
		cr_assert_eq(m[i].n_defined, 2, "%s defines %zu", name, m[i].n_defined);
		cr_assert(!strcmp(m[i].defined[0], sym1) || !strcmp(m[i].defined[1], sym1));
		cr_assert(!strcmp(m[i].defined[0], sym2) || !strcmp(m[i].defined[1], sym2));
		cr_assert_not_null(m[i].elf);
		cr_assert_eq(m[i].elf->type, ELFINFO_REL);
		cr_assert_gt(m[i].size, 0);
		return;
	}
	cr_assert_fail("no member %s", name);
}

static void build_objects(void)
{
	put("a.c", "int a_var = 2;\nint a_one(void) { return a_var; }\n");
	put("b_long_member_name_over_sixteen.c",
	    "int a_one(void);\nint b_two(void) { return a_one() + 1; }\nint b_three(void) { return 3; }\n");
	sh("gcc -c a.c b_long_member_name_over_sixteen.c");
}

Test(elfinfo, archive_lists_members_with_their_symbols)
{
	struct elfmember *m = NULL;
	size_t n = 0;

	build_objects();
	sh("ar rcs libab.a a.o b_long_member_name_over_sixteen.o");
	cr_assert_eq(elfinfo_archive_members(at("libab.a"), &m, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(m[0].name, "a.o");
	cr_assert_str_eq(m[1].name, "b_long_member_name_over_sixteen.o");
	cr_assert_lt(m[0].offset, m[1].offset);
	assert_member(m, n, "a.o", "a_one", "a_var");
	assert_member(m, n, "b_long_member_name_over_sixteen.o", "b_two", "b_three");
	cr_assert_not_null(elfinfo_sym_find(m[1].elf->imports, m[1].elf->n_imports, "a_one"));
	elfinfo_members_free(m, n);
}

Test(elfinfo, archive_without_symbol_table_uses_member_symbols)
{
	struct elfmember *m = NULL;
	size_t n = 0;

	build_objects();
	sh("ar rcS libab.a a.o b_long_member_name_over_sixteen.o");
	cr_assert_eq(elfinfo_archive_members(at("libab.a"), &m, &n), 0);
	cr_assert_eq(n, 2);
	assert_member(m, n, "a.o", "a_one", "a_var");
	assert_member(m, n, "b_long_member_name_over_sixteen.o", "b_two", "b_three");
	elfinfo_members_free(m, n);
}

Test(elfinfo, non_elf_and_wrong_kinds_are_enoexec)
{
	struct elfinfo *e = (struct elfinfo *)1;
	struct elfmember *m = (struct elfmember *)1;
	size_t n = 7;

	put("text.txt", "hello, this is not ELF\n");
	put("empty", "");
	cr_assert_eq(elfinfo_read(at("text.txt"), &e), -ENOEXEC);
	cr_assert_null(e);
	cr_assert_eq(elfinfo_read(at("empty"), &e), -ENOEXEC);
	cr_assert_eq(elfinfo_read(at("missing"), &e), -ENOENT);
	cr_assert_eq(elfinfo_read(dir, &e), -EISDIR);
	cr_assert_eq(elfinfo_archive_members(at("text.txt"), &m, &n), -ENOEXEC);
	cr_assert_null(m);
	cr_assert_eq(n, 0);
	build_objects();
	sh("ar rcs libab.a a.o");
	cr_assert_eq(elfinfo_read(at("libab.a"), &e), -ENOEXEC);
	cr_assert_eq(elfinfo_archive_members(at("a.o"), &m, &n), -ENOEXEC);
}

Test(elfinfo, free_functions_accept_null)
{
	elfinfo_free(NULL);
	elfinfo_members_free(NULL, 0);
	elfinfo_paths_free(NULL, 0);
}
