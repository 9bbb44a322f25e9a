/* test_elffacts.c - ELF facts of a recorded link, computed from real files made with cc/ar. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/elffacts.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/hash.h"
#include "asbuilt/store.h"

static char dir[] = "/tmp/asbuilt-test-elffacts-XXXXXX";
static char dbpath[600];
static struct store *st;
static int64_t bid;

static void sh(const char *fmt, const char *arg)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg, arg, arg);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

/* main.o calls greet() (g.o of libg.a), g.o calls helper() (k.o: pulled only through g.o);
 * h.o is in the archive and pulled by nothing; weak_ref() is a weak undefined reference of
 * main.o that w.o would define: a weak reference pulls nothing in. */
static void setup(void)
{
	char err[256];

	cr_assert(mkdtemp(dir));
	sh("cd %s && printf 'int greet(void);\\n__attribute__((weak)) int weak_ref(void);\\n"
	   "#include <stdio.h>\\nint main(void){ puts(\"hi\");"
	   " return greet() + (weak_ref ? weak_ref() : 0); }\\n' > main.c"
	   " && printf 'int helper(void);\\nint greet(void){ return helper() + 1; }\\n' > g.c"
	   " && printf 'int helper(void){ return 41; }\\n' > k.c"
	   " && printf 'int unused(void){ return 0; }\\n' > h.c"
	   " && printf 'int weak_ref(void){ return 7; }\\n' > w.c",
	   dir);
	sh("cd %s && cc -O2 -c main.c g.c k.c h.c w.c && ar rcs libg.a h.o g.o w.o k.o"
	   " && cc -o prog main.o libg.a",
	   dir);
	snprintf(dbpath, sizeof(dbpath), "%s/asbuilt.db", dir);
	cr_assert_eq(store_open(dbpath, 1, &st, err, sizeof(err)), 0, "%s", err);
	struct store_build b = { .started_ns = 1, .cwd = dir, .backend = "preload",
				 .argv = { "make", 4 } };
	bid = store_build_new(st, &b);
	cr_assert(bid > 0);
	cr_assert_eq(store_build_finish(st, bid, 2, 0, "finished", 1, 0, 0), 0);
}

static void teardown(void)
{
	store_close(st);
	sh("rm -rf %s", dir);
}

TestSuite(elffacts, .init = setup, .fini = teardown);

/* A version of dir/name with the file's real hash and identity. */
static int64_t version(const char *name, const char *origin, int64_t writer)
{
	char path[700];
	struct stat sb;
	struct hash_result h;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(hash_path(path, &sb, &h), 0, "%s", path);
	struct store_version v = {
		.build_id = bid, .path = path, .vseq = 1, .sha256 = h.sha256,
		.size = sb.st_size, .dev = (int64_t)sb.st_dev, .ino = (int64_t)sb.st_ino,
		.mtime_ns = sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec,
		.ctime_ns = sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec,
		.origin = origin, .state = "ok", .writer_id = writer,
	};
	int64_t id = store_version_add(st, &v);

	cr_assert(id > 0);
	return id;
}

static void ev(int64_t p, const char *acc, const char *name, int64_t ver)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct store_event e = { .build_id = bid, .process_id = p, .op = "open", .access = acc,
				 .path = path, .abspath = path, .realpath = path, .result = 3,
				 .version_id = ver };
	cr_assert(store_event_add(st, &e) > 0);
}

/* make -> gcc links prog from main.o and libg.a (the objects and the archive as if the
 * build had made them: origin 'written' by an earlier ar step). */
static int64_t record_link(int64_t *archive)
{
	struct store_process mk = { .build_id = bid, .pid = 1, .exe = "/usr/bin/make",
				    .argv = { "make", 4 }, .cwd = dir, .source = "preload" };
	int64_t make = store_process_new(st, &mk);
	struct store_process a = { .build_id = bid, .pid = 2, .parent_id = make,
				   .exe = "/usr/bin/ar", .argv = { "ar\0rcs\0libg.a", 13 },
				   .cwd = dir, .source = "preload" };
	int64_t ar = store_process_new(st, &a);
	int64_t lib = version("libg.a", "written", ar);
	struct store_process l = { .build_id = bid, .pid = 3, .parent_id = make,
				   .exe = "/usr/bin/x86_64-linux-gnu-gcc-12",
				   .argv = { "gcc\0-o\0prog\0main.o\0libg.a", 26 }, .cwd = dir,
				   .source = "preload" };
	int64_t gcc = store_process_new(st, &l);
	int64_t mo = version("main.o", "preexisting", 0);
	int64_t prog = version("prog", "written", gcc);

	ev(ar, "write", "libg.a", lib);
	ev(gcc, "read", "main.o", mo);
	ev(gcc, "read", "libg.a", lib);
	ev(gcc, "write", "prog", prog);
	*archive = lib;
	return prog;
}

static char *q1(const char *sql, int64_t id)
{
	sqlite3_stmt *s;
	char *r = NULL;

	cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		r = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return r;
}

Test(elffacts, pulled_members_to_a_fixpoint_weak_refs_pull_nothing)
{
	int64_t lib, prog = record_link(&lib);
	struct elffacts_stats s;
	char *m;

	cr_assert_eq(elffacts_compute(st, bid, NULL, &s), 0, "%s", store_errmsg(st));
	m = q1("SELECT group_concat(member || ':' || symbols, ',') FROM (SELECT * FROM"
	       " elf_link_members WHERE link_version_id = ?1 ORDER BY member)",
	       prog);
	cr_assert_str_eq(m, "g.o:greet,k.o:helper");
	free(m);
	m = q1("SELECT count(*) FROM elf_link_members WHERE archive_version_id = ?1", lib);
	cr_assert_str_eq(m, "2");
	free(m);
	cr_assert_eq(s.links, 1);
	cr_assert_eq(s.members, 2);
}

Test(elffacts, info_needed_and_imports_of_the_program)
{
	int64_t lib, prog = record_link(&lib);
	struct elfinfo *e;
	char path[700], *m;

	cr_assert_eq(elffacts_compute(st, bid, NULL, NULL), 0);
	snprintf(path, sizeof(path), "%s/prog", dir);
	cr_assert_eq(elfinfo_read(path, &e), 0);
	m = q1("SELECT type || '|' || machine || '|' || coalesce(build_id, '-') || '|' ||"
	       " is_static FROM elf_info WHERE version_id = ?1",
	       prog);
	char want[200];
	snprintf(want, sizeof(want), "%s|62|%s|0", elfinfo_type_name(e->type),
		 e->build_id ? e->build_id : "-");
	cr_assert_str_eq(m, want);
	free(m);
	elfinfo_free(e);
	m = q1("SELECT type FROM elf_info WHERE version_id = ?1", lib);
	cr_assert_str_eq(m, "ar");
	free(m);
	m = q1("SELECT name || '|' || (resolved_path LIKE '%/libc.so.6') FROM elf_needed"
	       " WHERE version_id = ?1 AND idx = 0",
	       prog);
	cr_assert_str_eq(m, "libc.so.6|1");
	free(m);
	m = q1("SELECT library || '|' || (version LIKE 'GLIBC_%') FROM elf_imports"
	       " WHERE version_id = ?1 AND name = 'puts'",
	       prog);
	cr_assert_str_eq(m, "libc.so.6|1");
	free(m);
}

Test(elffacts, idempotent_and_skips_changed_files)
{
	int64_t lib, prog = record_link(&lib);
	struct elffacts_stats s;
	char *m;

	sh("cd %s && echo 'not the recorded content' >> main.o", dir);
	cr_assert_eq(elffacts_compute(st, bid, NULL, &s), 0);
	cr_assert_eq(s.changed, 1, "main.o changed after the record");
	cr_assert_eq(s.stored, 2, "prog and libg.a");
	cr_assert_eq(elffacts_compute(st, bid, NULL, &s), 0);
	cr_assert_eq(s.stored, 0);
	cr_assert_eq(s.members, 0);
	cr_assert_eq(s.known, 2);
	m = q1("SELECT count(*) FROM elf_info WHERE version_id != ?1", prog);
	cr_assert_str_eq(m, "1");
	free(m);
	m = q1("SELECT count(*) FROM elf_imports WHERE version_id = ?1 AND name = 'puts'", prog);
	cr_assert_str_eq(m, "1", "a second run adds no rows");
	free(m);
}
