/* Unit tests of store.c: creation, schema checks, appending builds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "asbuilt/compcache.h"
#include "asbuilt/store.h"

static char path[64];
static char err[512];

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/asbuilt-store-%d.db", getpid());
	unlink(path);
}

static void teardown(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

TestSuite(store, .init = setup, .fini = teardown);

static int64_t add_build(struct store *st)
{
	struct store_build b = { .started_ns = 1, .argv = { "make\0-j8", 8 }, .cwd = "/src",
				 .backend = "preload" };
	return store_build_new(st, &b);
}

Test(store, creates_schema_and_appends_builds)
{
	struct store *st;

	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(add_build(st), 1);
	store_close(st);
	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(add_build(st), 2, "a second record appends, never overwrites");
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), "SELECT hex(argv) FROM builds WHERE id=1", -1, &s, NULL);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "6D616B65002D6A38");
	sqlite3_finalize(s);
	store_close(st);
}

Test(store, refuses_missing_foreign_and_newer_databases)
{
	struct store *st;
	FILE *f;

	cr_assert_eq(store_open(path, 0, &st, err, sizeof(err)), -ENOENT);
	f = fopen(path, "w");
	fputs("this is not a database, just text that is long enough to look at\n", f);
	fclose(f);
	cr_assert_lt(store_open(path, 1, &st, err, sizeof(err)), 0);
	cr_assert(strstr(err, path), "the message names the file: %s", err);
	unlink(path);

	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), 0);
	sqlite3_exec(store_db(st), "UPDATE meta SET value='99' WHERE key='schema_version'", NULL,
		     NULL, NULL);
	store_close(st);
	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "schema version 99 is newer"), "%s", err);
}

Test(store, other_sqlite_database_is_not_ours)
{
	sqlite3 *db;
	struct store *st;

	sqlite3_open(path, &db);
	sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_close(db);
	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "not an asbuilt database"), "%s", err);
}

/* A version 1 database as asbuilt 0.1 wrote it. */
#include "asbuilt/version.h"
#include "../../src/store/schema.sql.h"

static void make_v1(void)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, store_schema_v1, NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db,
				  "INSERT INTO builds (id, started_ns, argv, cwd, backend, state)"
				  " VALUES (1, 5, 'make', '/src', 'preload', 'finished');"
				  "INSERT INTO file_versions (build_id, path, vseq, sha256, origin,"
				  " state) VALUES (1, '/src/a.c', 1, 'ab', 'preexisting', 'ok');",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	sqlite3_close(db);
}

static const char *one(struct store *st, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *s;

	buf[0] = 0;
	cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

Test(store, migrates_a_version_1_database_keeping_its_data)
{
	struct store *st;

	make_v1();
	cr_assert_eq(store_open(path, 0, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(one(st, "SELECT value FROM meta WHERE key='schema_version'"), "2");
	cr_assert_str_eq(one(st, "SELECT cwd || state FROM builds WHERE id=1"), "/srcfinished");
	cr_assert_str_eq(one(st, "SELECT path || sha256 FROM file_versions"), "/src/a.cab");
	cr_assert_str_eq(one(st, "SELECT count(*) FROM sqlite_master WHERE name IN ('elf_info',"
				 " 'elf_needed', 'elf_imports', 'elf_link_members',"
				 " 'components_cache')"),
			 "5");
	cr_assert_str_eq(one(st, "SELECT count(*) FROM elf_info"), "0");
	cr_assert_eq(add_build(st), 2, "the migrated database takes new builds");
	store_close(st);
	cr_assert_eq(store_open(path, 0, &st, err, sizeof(err)), 0, "opening it again: %s", err);
	cr_assert_str_eq(one(st, "SELECT count(*) FROM builds"), "2");
	store_close(st);
	(void)store_schema_v2_add;
}

Test(store, newer_than_version_2_is_refused_and_left_alone)
{
	struct store *st;

	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), 0);
	sqlite3_exec(store_db(st), "UPDATE meta SET value='3' WHERE key='schema_version'", NULL,
		     NULL, NULL);
	store_close(st);
	cr_assert_eq(store_open(path, 0, &st, err, sizeof(err)), -EPROTO);
	char want[600];
	snprintf(want, sizeof(want),
		 "cannot open database '%s': schema version 3 is newer than this asbuilt "
		 "supports (2)",
		 path);
	cr_assert_str_eq(err, want);
	sqlite3 *db;
	sqlite3_stmt *s;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &s, NULL);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "3", "left as it was");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static int copy_entry(const struct compcache_entry *e, void *ctx)
{
	snprintf(ctx, 256, "%s|%s|%s|%s|%s|%s|%s|%s|%s", e->path, e->sha256 ? e->sha256 : "-",
		 e->kind, e->name ? e->name : "-", e->version ? e->version : "-",
		 e->purl ? e->purl : "-", e->cpe ? e->cpe : "-", e->license ? e->license : "-",
		 e->identified_by ? e->identified_by : "-");
	return 0;
}

static int count_entry(const struct compcache_entry *e, void *ctx)
{
	(void)e;
	++*(int *)ctx;
	return 0;
}

Test(store, components_cache_put_get_each_clear)
{
	struct store *st;
	char got[256];
	int n = 0;
	struct compcache_entry zlib = { .path = "/usr/include/zlib.h", .sha256 = "aa",
					 .kind = "deb", .name = "zlib1g-dev",
					 .version = "1:1.2.13.dfsg-1",
					 .purl = "pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1",
					 .license = "Zlib",
					 .identified_by = "dpkg database owns /usr/include/zlib.h" };
	struct compcache_entry loc = { .path = "/usr/local/include/x.h", .kind = "unresolved" };

	cr_assert_eq(store_open(path, 1, &st, err, sizeof(err)), 0);
	cr_assert_eq(add_build(st), 1);
	cr_assert_eq(compcache_get(st, 1, zlib.path, "aa", copy_entry, got), -ENOENT);
	cr_assert_eq(compcache_put(st, 1, &zlib), 0);
	cr_assert_eq(compcache_put(st, 1, &loc), 0);
	cr_assert_eq(compcache_get(st, 1, zlib.path, "aa", copy_entry, got), 0);
	cr_assert_str_eq(got, "/usr/include/zlib.h|aa|deb|zlib1g-dev|1:1.2.13.dfsg-1|"
			      "pkg:deb/debian/zlib1g-dev@1:1.2.13.dfsg-1|-|Zlib|"
			      "dpkg database owns /usr/include/zlib.h");
	cr_assert_eq(compcache_get(st, 1, zlib.path, "bb", copy_entry, got), -ENOENT,
		     "another content of the path is another entry");
	cr_assert_eq(compcache_get(st, 1, loc.path, NULL, copy_entry, got), 0);
	cr_assert_str_eq(got, "/usr/local/include/x.h|-|unresolved|-|-|-|-|-|-");
	zlib.license = "Zlib AND BSD-3-Clause";
	cr_assert_eq(compcache_put(st, 1, &zlib), 0, "a put replaces");
	cr_assert_eq(compcache_each(st, 1, count_entry, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(compcache_clear(st, 1), 0);
	n = 0;
	cr_assert_eq(compcache_each(st, 1, count_entry, &n), 0);
	cr_assert_eq(n, 0);
	loc.kind = NULL;
	cr_assert_eq(compcache_put(st, 1, &loc), -EINVAL);
	store_close(st);
}
