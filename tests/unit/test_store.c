/* Unit tests of store.c: creation, schema checks, appending builds. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

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
