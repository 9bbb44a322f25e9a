/* Unit tests of hashstore.c, the persistent hash cache, and of its use by
 * hashcache.c. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/hash.h"
#include "asbuilt/hashcache.h"
#include "asbuilt/hashstore.h"

static char dir[32]; /* the test's temporary directory, removed after it */

/* A fresh cache path in a new temporary directory (which does not exist yet
 * below). */
static void tmp_cache(char *path, size_t len)
{
	strcpy(dir, "/tmp/asbuilt-hs.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, len, "%s/sub/dir/hashes.sqlite", dir);
}

static void remove_dir(void)
{
	char cmd[64];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(hashstore, .fini = remove_dir);

static void fake_hash(struct hash_result *h, char c)
{
	memset(h, 0, sizeof(*h));
	memset(h->sha256, c, 64);
	memset(h->sha1, c, 40);
	memset(h->gitoid_sha1, c, 40);
	memset(h->gitoid_sha256, c, 64);
	h->size = 1234;
}

Test(hashstore, entries_survive_close_and_need_the_whole_identity)
{
	struct hc_key k = { 1, 2, 1234, 5, 6 }, other = k;
	struct hash_result h, got;
	struct hashstore *hs;
	char path[256];
	struct stat st;
	uint64_t hits, puts;

	tmp_cache(path, sizeof(path));
	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	fake_hash(&h, 'a');
	hashstore_put(hs, &k, "/usr/lib/x.so", &h);
	hashstore_put(hs, &k, "/home/u/project/x.c", &h); /* not a system file: not kept */
	hashstore_counts(hs, &hits, &puts);
	cr_assert_eq(puts, 1);
	cr_assert_eq(hashstore_close(hs), 0);

	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(hashstore_get(hs, &k, &got), 1);
	cr_assert_str_eq(got.sha256, h.sha256);
	cr_assert_str_eq(got.gitoid_sha1, h.gitoid_sha1);
	cr_assert_eq(got.size, 1234);
	other.ctime_ns++; /* a changed file: ctime moved */
	cr_assert_eq(hashstore_get(hs, &other, &got), 0);
	other = k;
	other.dev++;
	cr_assert_eq(hashstore_get(hs, &other, &got), 0);
	hashstore_counts(hs, &hits, &puts);
	cr_assert_eq(hits, 1);
	cr_assert_eq(hashstore_close(hs), 0);
}

/* Runs sql on the cache file, outside the store; returns the first column of the first row
 * (or -1). */
static long long cache_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s: %s", sql,
		     sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	cr_assert_eq(sqlite3_close(db), SQLITE_OK);
	return v;
}

/* A cache holding the entries a (used now) and b (used_s set below), pruned at pruned_s. */
static void two_entries(const char *path, long long used_b, long long pruned)
{
	struct hc_key a = { 1, 2, 1234, 5, 6 }, b = { 1, 3, 1234, 5, 6 };
	struct hash_result h;
	struct hashstore *hs;
	char sql[160];

	cr_assert_eq(hashstore_open(path, &hs), 0);
	fake_hash(&h, 'a');
	hashstore_put(hs, &a, "/usr/lib/a.so", &h);
	fake_hash(&h, 'b');
	hashstore_put(hs, &b, "/usr/lib/b.so", &h);
	cr_assert_eq(hashstore_close(hs), 0);
	snprintf(sql, sizeof(sql), "UPDATE hashes SET used_s = %lld WHERE ino = 3 RETURNING 1",
		 used_b);
	cr_assert_eq(cache_sql(path, sql), 1);
	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO meta VALUES ('pruned_s', %lld) RETURNING 1", pruned);
	cr_assert_eq(cache_sql(path, sql), 1);
}

/* A rebuild that finds its hashes writes nothing: an entry's last use is noted to the
 * day, and the stale entries are looked for once a day. */
Test(hashstore, a_rebuild_writes_only_what_a_day_changed)
{
	struct hc_key b = { 1, 3, 1234, 5, 6 };
	struct hash_result got;
	struct hashstore *hs;
	char path[256];
	long long now = (long long)time(NULL), old = now - HASHSTORE_MAX_AGE_DAYS * 86400LL - 10;

	tmp_cache(path, sizeof(path));

	/* used an hour ago: not written again */
	two_entries(path, now - 3600, now);
	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(hashstore_get(hs, &b, &got), 1);
	cr_assert_eq(hashstore_close(hs), 0);
	cr_assert_eq(cache_sql(path, "SELECT used_s FROM hashes WHERE ino = 3"), now - 3600);

	/* used two days ago: its use is noted */
	two_entries(path, now - 2 * 86400, now);
	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(hashstore_get(hs, &b, &got), 1);
	cr_assert_eq(hashstore_close(hs), 0);
	cr_assert_geq(cache_sql(path, "SELECT used_s FROM hashes WHERE ino = 3"), now);

	/* unused for longer than the cache keeps entries, but the cache was pruned an hour
	 * ago: kept until the next day's prune */
	two_entries(path, old, now - 3600);
	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(hashstore_close(hs), 0);
	cr_assert_eq(cache_sql(path, "SELECT count(*) FROM hashes"), 2);

	/* the last prune was two days ago: forgotten now, and the prune noted */
	two_entries(path, old, now - 2 * 86400);
	cr_assert_eq(hashstore_open(path, &hs), 0);
	cr_assert_eq(hashstore_close(hs), 0);
	cr_assert_eq(cache_sql(path, "SELECT count(*) FROM hashes"), 1);
	cr_assert_eq(cache_sql(path, "SELECT count(*) FROM hashes WHERE ino = 3"), 0);
	cr_assert_geq(cache_sql(path, "SELECT value FROM meta WHERE key = 'pruned_s'"), now);
}

Test(hashstore, only_system_directories_are_eligible)
{
	cr_assert(hashstore_eligible("/usr/include/stdio.h"));
	cr_assert(hashstore_eligible("/lib/x86_64-linux-gnu/libc.so.6"));
	cr_assert(hashstore_eligible("/etc/ld.so.cache"));
	cr_assert_not(hashstore_eligible("/home/u/src/main.c"));
	cr_assert_not(hashstore_eligible("/tmp/cc1234.s"));
	cr_assert_not(hashstore_eligible("/usrlocal/x"));
}

Test(hashstore, default_path_follows_the_environment)
{
	char buf[4096];

	setenv("ASBUILT_HASH_CACHE", "off", 1);
	cr_assert_null(hashstore_default_path(buf, sizeof(buf)));
	setenv("ASBUILT_HASH_CACHE", "", 1);
	cr_assert_null(hashstore_default_path(buf, sizeof(buf)));
	setenv("ASBUILT_HASH_CACHE", "/x/y.sqlite", 1);
	cr_assert_str_eq(hashstore_default_path(buf, sizeof(buf)), "/x/y.sqlite");
	unsetenv("ASBUILT_HASH_CACHE");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	cr_assert_str_eq(hashstore_default_path(buf, sizeof(buf)), "/xdg/asbuilt/hashes.sqlite");
	unsetenv("XDG_CACHE_HOME");
	cr_assert_not_null(hashstore_default_path(buf, sizeof(buf)));
	cr_assert(strstr(buf, "/.cache/asbuilt/hashes.sqlite"));
}

Test(hashstore, not_a_cache_file_is_an_error)
{
	char path[256];
	FILE *f;
	struct hashstore *hs;

	tmp_cache(path, sizeof(path));
	cr_assert_eq(hashstore_open(path, &hs), 0); /* makes the directories */
	cr_assert_eq(hashstore_close(hs), 0);
	f = fopen(path, "w");
	fputs("this is not a database, it is text and more text to fill a page", f);
	fclose(f);
	cr_assert_lt(hashstore_open(path, &hs), 0);
}

/* The second build's hashcache takes a system header's hash from the store
 * without reading it, and it is the hash the first one computed. */
Test(hashstore, hashcache_reuses_a_system_file_hash_across_builds)
{
	const char *file = "/usr/include/stdio.h";
	struct hashcache hc = { 0 };
	struct hash_result h1, h2;
	struct hashstore *hs;
	char path[256];

	if (access(file, R_OK))
		cr_skip_test("%s is not installed", file);
	tmp_cache(path, sizeof(path));
	cr_assert_eq(hashstore_open(path, &hs), 0);
	hc.persist = hs;
	cr_assert_eq(hashcache_get(&hc, file, NULL, NULL, &h1), HC_OK);
	cr_assert_gt(hc.bytes_hashed, 0);
	cr_assert_eq(hc.persist_hits, 0);
	hashcache_release(&hc);
	cr_assert_eq(hashstore_close(hs), 0);

	cr_assert_eq(hashstore_open(path, &hs), 0);
	hc.persist = hs;
	cr_assert_eq(hashcache_get(&hc, file, NULL, NULL, &h2), HC_OK);
	cr_assert_eq(hc.bytes_hashed, 0, "read again although the store had it");
	cr_assert_eq(hc.persist_hits, 1);
	cr_assert_str_eq(h1.sha256, h2.sha256);
	cr_assert_str_eq(h1.sha1, h2.sha1);
	cr_assert_str_eq(h1.gitoid_sha256, h2.gitoid_sha256);
	cr_assert_eq(h1.size, h2.size);
	hashcache_release(&hc);
	cr_assert_eq(hashstore_close(hs), 0);
}

/* A file whose identity at use was `want`: written to path with content c. */
static void file_with_identity(const char *path, const char *c, struct hc_key *want)
{
	struct stat st;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(c, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(stat(path, &st), 0);
	hc_key_from_stat(want, &st);
}

/* Only the change time moved since the use (chmod): the content is the one used, hashed
 * as it is; a modification time that moved, or a change time that went back, is a
 * change. */
Test(hashstore, hashcache_accepts_a_metadata_change_after_use)
{
	struct hashcache hc = { 0 };
	struct hash_result h, ref;
	struct hc_key want, back;
	char path[256], file[300];

	tmp_cache(path, sizeof(path));
	snprintf(file, sizeof(file), "%s/f.txt", dir);
	file_with_identity(file, "used content\n", &want);
	usleep(20000); /* past the timestamps' granularity */
	cr_assert_eq(chmod(file, 0600), 0);
	hash_buf("used content\n", 13, &ref);
	cr_assert_eq(hashcache_get(&hc, file, &want, NULL, &h), HC_OK, "a chmod after the use");
	cr_assert_str_eq(h.sha256, ref.sha256);
	hashcache_release(&hc);

	back = want;
	back.ctime_ns += 1000000000; /* the change time seen at use is later than now's */
	cr_assert_eq(hashcache_get(&hc, file, &back, NULL, &h), HC_CHANGED);
	hashcache_release(&hc);

	usleep(20000);
	file_with_identity(file, "USED CONTENT\n", &back); /* same size, written again */
	cr_assert_eq(hashcache_get(&hc, file, &want, NULL, &h), HC_CHANGED, "a rewrite");
	hashcache_release(&hc);
}

/* The hash of a version, taken before a chmod, serves a read after it: the content is the
 * same, though the file may have changed again by the time the read is hashed (strip
 * rewriting what dh_strip's first reads saw). */
Test(hashstore, hashcache_serves_a_read_after_a_chmod_from_the_version_before)
{
	struct hashcache hc = { 0 };
	struct hash_result h, first;
	struct hc_key written, read;
	struct stat st;
	char path[256], file[300];

	tmp_cache(path, sizeof(path));
	snprintf(file, sizeof(file), "%s/lib.a", dir);
	file_with_identity(file, "archive as written\n", &written);
	cr_assert_eq(hashcache_get(&hc, file, &written, NULL, &first), HC_OK);
	usleep(20000);
	cr_assert_eq(chmod(file, 0600), 0); /* dh_fixperms */
	cr_assert_eq(stat(file, &st), 0);
	hc_key_from_stat(&read, &st); /* the identity the reader saw */
	usleep(20000);
	file_with_identity(file, "ARCHIVE STRIPPED\n", &written); /* rewritten before hashing */
	cr_assert_eq(hashcache_get(&hc, file, &read, NULL, &h), HC_OK);
	cr_assert_str_eq(h.sha256, first.sha256);
	hashcache_release(&hc);
}

/* A hash the caller took itself (the collector, a slice at a time) and kept with
 * hashcache_put is what hashcache_get then gives for that identity, without reading the
 * file (a made-up hash shows it was not read); hashcache_known says so beforehand, and
 * finds a system file's hash in the user's cache too. */
Test(hashstore, hashcache_put_is_known_and_not_read_again)
{
	const char *sys = "/usr/include/stdio.h";
	struct hashcache hc = { 0 };
	struct hash_result fake = { .size = 5 }, h;
	struct hashstore *hs;
	struct hc_key want;
	char path[256], file[256];

	snprintf(file, sizeof(file), "/tmp/asbuilt-hc-put-%d", (int)getpid());
	file_with_identity(file, "five\n", &want);
	strcpy(fake.sha256, "put-by-the-caller");
	cr_assert_eq(hashcache_known(&hc, file, &want), 0);
	hashcache_put(&hc, file, &want, &fake);
	cr_assert_eq(hashcache_known(&hc, file, &want), 1);
	cr_assert_eq(hashcache_get(&hc, file, &want, NULL, &h), HC_OK);
	cr_assert_str_eq(h.sha256, "put-by-the-caller");
	cr_assert_eq(hc.misses, 1);
	cr_assert_eq(hc.bytes_hashed, 5);
	hashcache_release(&hc);
	unlink(file);

	if (access(sys, R_OK))
		cr_skip_test("%s is not installed", sys);
	tmp_cache(path, sizeof(path));
	cr_assert_eq(hashstore_open(path, &hs), 0);
	hc = (struct hashcache){ .persist = hs };
	cr_assert_eq(hashcache_get(&hc, sys, NULL, &want, &h), HC_OK);
	hashcache_release(&hc);
	cr_assert_eq(hashstore_close(hs), 0);
	cr_assert_eq(hashstore_open(path, &hs), 0);
	hc = (struct hashcache){ .persist = hs };
	cr_assert_eq(hashcache_known(&hc, sys, &want), 1);
	cr_assert_eq(hc.persist_hits, 1);
	cr_assert_eq(hc.bytes_hashed, 0);
	hashcache_release(&hc);
	cr_assert_eq(hashstore_close(hs), 0);
}
