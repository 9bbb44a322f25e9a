/* Unit tests of the symbols module: name sets, package URL patterns, and the ELF reading of
 * archives, objects, binaries and shared libraries compiled with gcc into a temporary
 * directory; what libelf gave is compared with what nm and readelf print. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/elfq.h"
#include "asbuilt/store.h"
#include "asbuilt/symbols.h"

static char dir[] = "/tmp/asbuilt-symbols-XXXXXX";
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

TestSuite(symbols, .init = setup, .fini = teardown);

/* Runs a shell command in the temporary directory; fails the test unless it succeeds. */
static void sh(const char *fmt, ...)
{
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* The output of a shell command run in the temporary directory, one line per word, in a
 * static buffer. */
static const char *out(const char *fmt, ...)
{
	static char buf[8192];
	char cmd[4096];
	int n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	size_t len;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	pclose(p);
	return buf;
}

static const char *at(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", dir, name);
	return pathbuf;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* The names of s joined with newlines (each followed by one), in a static buffer. */
static const char *joined(const struct symbols_names *s)
{
	static char buf[8192];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", s->v[i]);
	return buf;
}

/* The functions of m as "name[ static]\n" lines, in a static buffer. */
static const char *funcs_of(const struct symbols_member *m)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->n_funcs; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s\n", m->funcs[i].name,
				      m->funcs[i].local ? " static" : "");
	return buf;
}

/* --- name sets ---------------------------------------------------------------------- */

Test(symbols, names_sort_drops_duplicates_and_finds)
{
	struct symbols_names s = { 0 };
	const char *in[] = { "inflate", "crc32", "inflate", "adler32", "crc32", "zz" };

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		cr_assert_eq(symbols_names_add(&s, in[i]), 0);
	symbols_names_sort(&s);
	cr_assert_str_eq(joined(&s), "adler32\ncrc32\ninflate\nzz\n");
	cr_assert(symbols_names_has(&s, "crc32"));
	cr_assert(symbols_names_has(&s, "zz"));
	cr_assert_not(symbols_names_has(&s, "crc3"));
	symbols_names_release(&s);
	cr_assert_eq(s.n, 0);
	cr_assert_not(symbols_names_has(&s, "crc32"));
}

/* --- package URLs ------------------------------------------------------------------- */

Test(symbols, purl_parse_reads_every_part_decoded)
{
	struct symbols_purl p;

	cr_assert_eq(symbols_purl_parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64"
					"&Distro=debian-12#sub/dir",
					&p),
		     0);
	cr_assert_str_eq(p.type, "deb");
	cr_assert_str_eq(p.ns, "debian");
	cr_assert_str_eq(p.name, "libc6");
	cr_assert_str_eq(p.version, "2.36-9+deb12u4");
	cr_assert_eq(p.n_quals, 2);
	cr_assert_str_eq(p.qkey[0], "arch");
	cr_assert_str_eq(p.qval[0], "amd64");
	cr_assert_str_eq(p.qkey[1], "distro"); /* keys are lowercased */
	cr_assert_str_eq(p.qval[1], "debian-12");
	symbols_purl_release(&p);

	cr_assert_eq(symbols_purl_parse("PKG:npm/%40scope%2Fname@1.0.0", &p), 0);
	cr_assert_str_eq(p.type, "npm");
	cr_assert_null(p.ns);
	cr_assert_str_eq(p.name, "@scope/name");
	cr_assert_str_eq(p.version, "1.0.0");
	symbols_purl_release(&p);

	cr_assert_eq(symbols_purl_parse("pkg:golang/github.com/a/b", &p), 0);
	cr_assert_str_eq(p.ns, "github.com/a");
	cr_assert_str_eq(p.name, "b");
	cr_assert_null(p.version);
	symbols_purl_release(&p);
}

Test(symbols, purl_parse_refuses_what_is_not_a_purl)
{
	const char *bad[] = { "deb/debian/zlib1g",
			      "pkg:",
			      "pkg:deb",
			      "pkg:deb/",
			      "pkg:/zlib",
			      "pkg:deb//",
			      "pkg:deb/x?=1",
			      "pkg:deb/x%zz",
			      "pkg:deb/x%4",
			      "zlib1g",
			      "" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct symbols_purl p;

		cr_assert_eq(symbols_purl_parse(bad[i], &p), -EINVAL, "'%s' was accepted", bad[i]);
	}
}

static int matches(const char *pattern, const char *purl)
{
	struct symbols_purl p;
	int m;

	cr_assert_eq(symbols_purl_parse(pattern, &p), 0, "pattern %s", pattern);
	m = symbols_purl_match(&p, purl);
	symbols_purl_release(&p);
	return m;
}

Test(symbols, purl_match_compares_what_the_pattern_gives)
{
	const char *z = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12";

	cr_assert(matches("pkg:deb/debian/zlib1g", z));
	cr_assert(matches("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1", z));
	cr_assert(matches("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1", z));
	cr_assert(matches("pkg:deb/debian/zlib1g?arch=amd64", z));
	cr_assert(matches("pkg:deb/Debian/ZLIB1G", z)); /* deb names are case-insensitive */
	cr_assert_not(matches("pkg:deb/debian/zlib1g@1.2.11", z));
	cr_assert_not(matches("pkg:deb/debian/zlib1g?arch=i386", z));
	cr_assert_not(matches("pkg:deb/debian/zlib1g?foo=bar", z));
	cr_assert_not(matches("pkg:deb/debian/zlib1g-dev", z));
	cr_assert_not(matches("pkg:deb/ubuntu/zlib1g", z));
	cr_assert_not(matches("pkg:rpm/debian/zlib1g", z));
	cr_assert_not(matches("pkg:deb/zlib1g", z)); /* no namespace is another package */
	cr_assert_not(matches("pkg:deb/debian/zlib1g", NULL));
	cr_assert_not(matches("pkg:deb/debian/zlib1g", "not a purl"));
	cr_assert(matches("pkg:generic/Foo", "pkg:generic/Foo@1"));
	cr_assert_not(matches("pkg:generic/foo", "pkg:generic/Foo@1"));
}

/* --- ELF ------------------------------------------------------------------------------- */

static const char a_c[] = "static int helper(int x) { return x * 3; }\n"
			  "int f1(int x) { return helper(x) + 1; }\n"
			  "int f2(int x) { return f1(x) * 2; }\n"
			  "int (*fp)(int) = f2;\n"
			  "int data_only = 7;\n";
static const char b_c[] = "extern int ext(int);\nint g(int x) { return ext(x); }\n";

Test(symbols, archive_members_functions_and_relocations)
{
	struct symbols_member *m = NULL;
	size_t n = 0;
	char want[1024];

	put("a.c", a_c);
	put("b.c", b_c);
	put("notes.txt", "not an object\n");
	sh("gcc -O0 -g -c a.c b.c && ar rcs libt.a a.o notes.txt b.o");
	cr_assert_eq(symbols_elf_archive(at("libt.a"), &m, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(m[0].name, "a.o");
	cr_assert_str_eq(m[1].name, "notes.txt");
	cr_assert_str_eq(m[2].name, "b.o");
	/* the functions nm lists (T global, t local), sorted like the report */
	snprintf(want, sizeof(want), "%s",
		 out("nm --defined-only a.o | awk '$2 == \"T\" { print $3 } "
		     "$2 == \"t\" { print $3 \" static\" }' | LC_ALL=C sort"));
	cr_assert_str_eq(funcs_of(&m[0]), want);
	cr_assert_str_eq(want, "f1\nf2\nhelper static\n");
	cr_assert_eq(m[1].n_funcs, 0);
	/* f2 calls f1 and fp points at f2: relocations name both; the debug info's do not
	 * count, and data_only is named by none */
	cr_assert(symbols_names_has(&m[0].relrefs, "f1"));
	cr_assert(symbols_names_has(&m[0].relrefs, "f2"));
	cr_assert_not(symbols_names_has(&m[0].relrefs, "data_only"));
	cr_assert(symbols_names_has(&m[2].relrefs, "ext"));
	cr_assert_eq(m[2].n_funcs, 1);
	cr_assert_str_eq(m[2].funcs[0].name, "g");
	cr_assert_not_null(symbols_member_func(&m[0], "helper"));
	cr_assert(symbols_member_func(&m[0], "helper")->local);
	cr_assert_null(symbols_member_func(&m[0], "data_only"));
	symbols_members_free(m, n);
}

Test(symbols, archive_read_refuses_other_files)
{
	struct symbols_member *m = NULL;
	size_t n = 7;

	put("x.c", "int x(void) { return 1; }\n");
	sh("gcc -c x.c");
	cr_assert_eq(symbols_elf_archive(at("x.o"), &m, &n), -ENOEXEC);
	cr_assert_null(m);
	cr_assert_eq(n, 0);
	cr_assert_eq(symbols_elf_archive(at("missing.a"), &m, &n), -ENOENT);
}

Test(symbols, object_read_whole)
{
	struct symbols_member m = { 0 };

	put("a.c", a_c);
	sh("gcc -O0 -c a.c");
	cr_assert_eq(symbols_elf_object(at("a.o"), &m), 0);
	cr_assert_str_eq(m.name, "a.o");
	cr_assert_str_eq(funcs_of(&m), "f1\nf2\nhelper static\n");
	cr_assert(symbols_names_has(&m.relrefs, "f1"));
	symbols_member_release(&m);
	put("t.txt", "text\n");
	cr_assert_eq(symbols_elf_object(at("t.txt"), &m), -ENOEXEC);
	symbols_member_release(&m);
}

Test(symbols, binary_symtab_functions_unless_stripped)
{
	struct symbols_names f = { 0 };
	char want[4096];

	put("a.c", a_c);
	put("m.c", "int f2(int);\nint main(void) { return f2(1) == 8 ? 0 : 1; }\n");
	sh("gcc -O0 -o prog m.c a.c && cp prog prog.stripped && strip prog.stripped");
	cr_assert_eq(symbols_elf_funcs(at("prog"), &f), 0);
	snprintf(want, sizeof(want), "%s",
		 out("readelf -sW prog | awk '/Symbol table .\\.symtab/ { t = 1 } "
		     "t && ($4 == \"FUNC\" || $4 == \"IFUNC\") && $7 != \"UND\" { print $8 }' | "
		     "LC_ALL=C sort -u"));
	cr_assert_str_eq(joined(&f), want);
	cr_assert(symbols_names_has(&f, "main"));
	cr_assert(symbols_names_has(&f, "helper"));
	symbols_names_release(&f);
	cr_assert_eq(symbols_elf_funcs(at("prog.stripped"), &f), -ENODATA);
	cr_assert_eq(f.n, 0);
	symbols_names_release(&f);
}

/* A shared library whose f2 calls its exported f1 (through the PLT, -fPIC without
 * -fno-semantic-interposition), with one protected function. */
static const char lib_c[] =
	"int f1(int x) { return x + 1; }\n"
	"int f2(int x) { return f1(x) * 2; }\n"
	"__attribute__((visibility(\"protected\"))) int p(int x) { return x; }\n"
	"extern int puts(const char *);\n"
	"int say(void) { return puts(\"hi\"); }\n";

Test(symbols, library_exports_relocations_and_binding)
{
	struct symbols_library l = { 0 }, b = { 0 };

	put("lib.c", lib_c);
	sh("gcc -O0 -fPIC -shared -o libt.so lib.c");
	sh("gcc -O0 -fPIC -shared -Wl,-Bsymbolic -o libs.so lib.c");
	cr_assert_eq(symbols_elf_library(at("libt.so"), &l), 0);
	cr_assert(l.read);
	cr_assert(symbols_names_has(&l.exports, "f1"));
	cr_assert(symbols_names_has(&l.exports, "p"));
	cr_assert(symbols_names_has(&l.protect, "p"));
	cr_assert_not(symbols_names_has(&l.protect, "f1"));
	cr_assert(symbols_names_has(&l.wants, "puts"));
	/* readelf shows the PLT relocation against f1 that the library's own f2 goes through */
	cr_assert_str_neq(out("readelf -rW libt.so | awk '$5 == \"f1\"'"), "");
	cr_assert(symbols_names_has(&l.relrefs, "f1"));
	cr_assert(symbols_names_has(&l.relrefs, "puts"));
	cr_assert_geq(l.self_refs, 1);
	cr_assert_not(l.symbolic);
	cr_assert_eq(symbols_elf_library(at("libs.so"), &b), 0);
	cr_assert(b.symbolic);
	cr_assert_not(symbols_names_has(&b.relrefs, "f1"));
	symbols_names_release(&l.exports);
	symbols_names_release(&l.protect);
	symbols_names_release(&l.wants);
	symbols_names_release(&l.relrefs);
	symbols_names_release(&b.exports);
	symbols_names_release(&b.protect);
	symbols_names_release(&b.wants);
	symbols_names_release(&b.relrefs);
}

/* --- reading the ELF facts back (elfq.c) --------------------------------------------- */

static int64_t version(struct store *st, int64_t bid, const char *path, const char *sha,
		       const char *origin)
{
	struct store_version v = { .build_id = bid,
				   .path = path,
				   .vseq = 1,
				   .sha256 = sha,
				   .origin = origin,
				   .state = sha ? "ok" : "vanished" };
	int64_t id = store_version_add(st, &v);

	cr_assert_gt(id, 0);
	return id;
}

struct rows {
	char buf[1024];
	size_t n;
};

static int needed_row(const struct elfq_needed_row *r, void *ctx)
{
	struct rows *w = ctx;

	w->n += (size_t)snprintf(w->buf + w->n, sizeof(w->buf) - w->n, "%d %s %s %lld %s\n", r->idx,
				 r->name, r->resolved_path ? r->resolved_path : "-",
				 (long long)r->resolved_version_id,
				 r->resolved_sha256 ? r->resolved_sha256 : "-");
	return 0;
}

static int import_row(const struct elfq_import_row *r, void *ctx)
{
	struct rows *w = ctx;

	w->n += (size_t)snprintf(w->buf + w->n, sizeof(w->buf) - w->n, "%s %s %s\n", r->name,
				 r->version ? r->version : "-", r->library ? r->library : "-");
	return 0;
}

static int member_row(const struct elfq_member_row *r, void *ctx)
{
	struct rows *w = ctx;

	w->n += (size_t)snprintf(w->buf + w->n, sizeof(w->buf) - w->n, "%s %s %d %s [%s]\n",
				 r->archive_path, r->archive_sha256 ? r->archive_sha256 : "-",
				 r->archive_built, r->member, r->symbols);
	return 0;
}

static int stop_at_first(const struct elfq_member_row *r, void *ctx)
{
	(void)r;
	++*(int *)ctx;
	return 42;
}

Test(symbols, elfq_reads_the_facts_back)
{
	struct store_build b = {
		.started_ns = 1, .cwd = "/src", .backend = "preload", .argv = { "make", 4 }
	};
	struct elfq_info info = { .type = "pie", .machine = 62 };
	struct store *st;
	struct rows w = { .n = 0 };
	char err[256], type[16];
	int64_t bid, prog, libz, za, ga;
	int is_static = 7, calls = 0;

	snprintf(pathbuf, sizeof(pathbuf), "%s/t.db", dir);
	cr_assert_eq(store_open(pathbuf, 1, &st, err, sizeof(err)), 0, "%s", err);
	bid = store_build_new(st, &b);
	prog = version(st, bid, "/src/prog", "aa", "written");
	libz = version(st, bid, "/usr/lib/libz.so.1.2.13", "bb", "preexisting");
	za = version(st, bid, "/usr/lib/libz.a", "cc", "preexisting");
	ga = version(st, bid, "/src/libg.a", NULL, "written");
	info.version_id = prog;
	cr_assert_eq(elfq_info_put(st, &info), 0);
	cr_assert_eq(elfq_needed_put(st, prog, 1, "libc.so.6", NULL, 0), 0);
	cr_assert_eq(elfq_needed_put(st, prog, 0, "libz.so.1", "/usr/lib/libz.so.1.2.13", libz), 0);
	cr_assert_eq(elfq_import_put(st, prog, "puts", "GLIBC_2.2.5", "libc.so.6"), 0);
	cr_assert_eq(elfq_import_put(st, prog, "crc32", NULL, "libz.so.1"), 0);
	cr_assert_eq(elfq_import_put(st, prog, "__gmon_start__", NULL, NULL), 0);
	cr_assert_eq(elfq_link_member_put(st, prog, za, "inflate.o", "inflate inflateEnd"), 0);
	cr_assert_eq(elfq_link_member_put(st, prog, za, "adler32.o", "adler32"), 0);
	cr_assert_eq(elfq_link_member_put(st, prog, ga, "g.o", "greet"), 0);

	cr_assert_eq(elfq_info_get(st, prog, type, sizeof(type), &is_static), 0);
	cr_assert_str_eq(type, "pie");
	cr_assert_eq(is_static, 0);
	cr_assert_eq(elfq_info_get(st, libz, type, sizeof(type), &is_static), -ENOENT);

	cr_assert_eq(elfq_each_needed(st, prog, needed_row, &w), 0);
	snprintf(err, sizeof(err),
		 "0 libz.so.1 /usr/lib/libz.so.1.2.13 %lld bb\n"
		 "1 libc.so.6 - 0 -\n",
		 (long long)libz);
	cr_assert_str_eq(w.buf, err);

	w.n = 0;
	w.buf[0] = '\0';
	cr_assert_eq(elfq_each_import(st, prog, import_row, &w), 0);
	cr_assert_str_eq(w.buf,
			 "__gmon_start__ - -\ncrc32 - libz.so.1\nputs GLIBC_2.2.5 libc.so.6\n");

	w.n = 0;
	w.buf[0] = '\0';
	cr_assert_eq(elfq_each_link_member(st, prog, member_row, &w), 0);
	cr_assert_str_eq(w.buf, "/src/libg.a - 1 g.o [greet]\n"
				"/usr/lib/libz.a cc 0 inflate.o [inflate inflateEnd]\n"
				"/usr/lib/libz.a cc 0 adler32.o [adler32]\n");
	cr_assert_eq(elfq_each_link_member(st, prog, stop_at_first, &calls), 42);
	cr_assert_eq(calls, 1);
	cr_assert_eq(elfq_each_link_member(st, libz, stop_at_first, &calls), 0);
	store_close(st);
}
