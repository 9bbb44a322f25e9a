/* Unit tests of the collector: synthetic wire records in, database rows out. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/collector.h"
#include "asbuilt/hash.h"
#include "asbuilt/store.h"
#include "recbuild.h"

static char dir[64], db[96];
static struct store *st;
static struct collector *col;

static void setup(void)
{
	char err[256];

	snprintf(dir, sizeof(dir), "/tmp/asbuilt-coll-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	cr_assert_eq(store_open(db, 1, &st, err, sizeof(err)), 0, "%s", err);
	struct store_build b = { .started_ns = 1, .argv = { "make", 4 }, .cwd = dir,
				 .backend = "preload" };
	cr_assert_eq(store_build_new(st, &b), 1);
	cr_assert_eq(collector_new(st, 1, "preload", &col), 0);
}

static void teardown(void)
{
	char cmd[128];

	collector_free(col);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(collector, .init = setup, .fini = teardown);

static void write_file(const char *p, const char *content)
{
	FILE *f = fopen(p, "w");
	fputs(content, f);
	fclose(f);
}

static void feed_proc(unsigned pid, unsigned ppid, const char *exe, uint64_t conn)
{
	struct recbuf r;
	struct ab_proc p = { .ppid = ppid, .argv_len = 10 };

	rec_begin(&r, AB_EV_PROC, pid, &p, sizeof(p));
	rec_str(&r, exe);
	rec_str(&r, dir);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
	struct ab_argv a = { .offset = 0 };
	rec_begin(&r, AB_EV_ARGV, pid, &a, sizeof(a));
	rec_strn(&r, "cc\0-c\0a.c\0", 10);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}

/* The tid of the records feed_open_at makes; 0: the pid. */
static unsigned feed_tid;

/* An open of path by pid, its record made at ts_ns (the sender's clock; 0: none); stat
 * taken now (as the interposer does right after open). */
static void feed_open_at(unsigned pid, const char *path, int write, uint64_t conn,
			 uint64_t ts_ns)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3 };
	struct stat s;

	if (stat(path, &s) == 0) {
		f.fflags = AB_F_STAT;
		f.dev = s.st_dev;
		f.ino = s.st_ino;
		f.size = (uint64_t)s.st_size;
		f.mtime_ns = s.st_mtim.tv_sec * 1000000000LL + s.st_mtim.tv_nsec;
		f.ctime_ns = s.st_ctim.tv_sec * 1000000000LL + s.st_ctim.tv_nsec;
	}
	if (write)
		f.fflags |= AB_F_WRITE;
	rec_begin(&r, AB_EV_FILE, pid, &f, sizeof(f));
	((struct ab_hdr *)r.b)->ts_ns = ts_ns;
	if (feed_tid)
		((struct ab_hdr *)r.b)->tid = feed_tid;
	rec_str(&r, strrchr(path, '/') + 1);
	rec_str(&r, path);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}

static void feed_open(unsigned pid, const char *path, int write, uint64_t conn)
{
	feed_open_at(pid, path, write, conn, 0);
}

/* An open of path by pid with the identity the process saw given (not taken now): a
 * record the collector takes in after the file changed.  A write appends. */
static void feed_open_seen(unsigned pid, const char *path, uint64_t conn, const struct stat *seen,
			   int write)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3, .fflags = AB_F_STAT };

	if (write) {
		f.fflags |= AB_F_WRITE;
		f.oflags = O_WRONLY | O_APPEND;
	}
	f.dev = seen->st_dev;
	f.ino = seen->st_ino;
	f.size = (uint64_t)seen->st_size;
	f.mtime_ns = seen->st_mtim.tv_sec * 1000000000LL + seen->st_mtim.tv_nsec;
	f.ctime_ns = seen->st_ctim.tv_sec * 1000000000LL + seen->st_ctim.tv_nsec;
	rec_begin(&r, AB_EV_FILE, pid, &f, sizeof(f));
	rec_str(&r, strrchr(path, '/') + 1);
	rec_str(&r, path);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}
/* An unlink of path by pid, its record made at ts_ns. */
static void feed_unlink_at(unsigned pid, const char *path, uint64_t conn, uint64_t ts_ns)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_UNLINK, .ret = 0 };

	rec_begin(&r, AB_EV_FILE, pid, &f, sizeof(f));
	((struct ab_hdr *)r.b)->ts_ns = ts_ns;
	if (feed_tid)
		((struct ab_hdr *)r.b)->tid = feed_tid;
	rec_str(&r, strrchr(path, '/') + 1);
	rec_str(&r, path);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}

static char *q(const char *sql)
{
	static char out[4096];
	sqlite3_stmt *s;

	collector_tick(col);
	cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK, "%s",
		     sqlite3_errmsg(store_db(st)));
	out[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (out[0])
			strcat(out, "|");
		strcat(out, sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0)
						      : "NULL");
	}
	sqlite3_finalize(s);
	return out;
}

static const char *sha(const char *content)
{
	struct hash_result h;
	hash_buf(content, strlen(content), &h);
	return strdup(h.sha256); /* leaked: a test process */
}

Test(collector, process_rows_and_argv)
{
	feed_proc(10, 1, "/usr/bin/cc", 100);
	/* the row is made at once; its argv is written with its end (one statement fewer per
	 * process on the way to every exit acknowledgement) */
	cr_assert_str_eq(q("SELECT exe || ' ' || pid || ' ' || (argv IS NULL) FROM processes"),
			 "/usr/bin/cc 10 1");
	/* executables are hashed when the collector is idle, not on the hot path: before the
	 * build is over (they once waited for its end, which they made longer) */
	cr_assert_str_eq(q("SELECT exe_sha256 IS NULL FROM processes"), "1");
	struct hash_result h;
	struct stat s;
	int calls = 0;
	cr_assert_eq(hash_path("/usr/bin/cc", &s, &h), 0);
	while (collector_idle(col, 1) && calls < 1000)
		calls++;
	cr_assert_str_eq(q("SELECT exe_sha256 FROM processes"), h.sha256);
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT exe || ' ' || pid || ' ' || hex(argv) FROM processes"),
			 "/usr/bin/cc 10 6363002D6300612E63");
	cr_assert_str_eq(q("SELECT exe_sha256 FROM processes"), h.sha256);
}

/* One packet with PROC, ARGV and ENV back to back (as the interposer sends an image's
 * hello), then a packet whose second record claims more bytes than the packet has. */
Test(collector, packet_of_several_records)
{
	static char pkt[3 * AB_REC_MAX];
	struct recbuf r;
	struct ab_proc p = { .ppid = 1, .argv_len = 6 };
	struct ab_argv a = { .offset = 0 };
	struct ab_env e = { .count = 1 };
	struct collector_stats cs;
	size_t n = 0, plen;

	rec_begin(&r, AB_EV_PROC, 20, &p, sizeof(p));
	rec_str(&r, "/usr/bin/ld");
	rec_str(&r, dir);
	plen = rec_end(&r);
	memcpy(pkt + n, r.b, plen);
	n += plen;
	rec_begin(&r, AB_EV_ARGV, 20, &a, sizeof(a));
	rec_strn(&r, "ld\0-o\0x", 7);
	memcpy(pkt + n, r.b, rec_end(&r));
	n += r.len;
	rec_begin(&r, AB_EV_ENV, 20, &e, sizeof(e));
	rec_str(&r, "LANG=C");
	memcpy(pkt + n, r.b, rec_end(&r));
	n += r.len;
	cr_assert_eq(collector_feed_packet(col, pkt, n, 100), 0);
	collector_get_stats(col, &cs);
	cr_assert_eq(cs.records, 3);
	cr_assert_eq(cs.bad_records, 0);

	/* a whole record, then a header that says 100 bytes more than there are */
	memcpy(pkt + n, pkt, n);
	((struct ab_hdr *)(pkt + n + plen))->size += 100; /* the ARGV record's */
	cr_assert_eq(collector_feed_packet(col, pkt + n, n, 101), -EBADMSG);
	collector_get_stats(col, &cs);
	cr_assert_eq(cs.records, 4, "the whole first record is taken");
	cr_assert_eq(cs.bad_records, 1, "the rest is one malformed record");
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT exe || ' ' || pid || ' ' || hex(argv) || ' ' || env FROM processes"
			   " ORDER BY id LIMIT 1"),
			 "/usr/bin/ld 20 6C64002D6F0078 {\"LANG\":\"C\"}");
}

static void feed_rename(unsigned pid, const char *from, const char *to, uint64_t conn)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_RENAME, .ret = 0 };

	rec_begin(&r, AB_EV_FILE, pid, &f, sizeof(f));
	rec_str(&r, from);
	rec_str(&r, from);
	rec_str(&r, to);
	rec_str(&r, to);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}

/* The collector caches what a path resolves to.  A rename must drop what it made wrong:
 * the renamed file's own entry, an entry that resolved *to* the replaced path (a symlink
 * to it), and the entries under a renamed directory. */
Test(collector, rename_forgets_what_it_changed)
{
	char d1[160], d2[160], f[200], link[200], g[200], s[200], z[200], want[1024], sql[600];

	snprintf(d1, sizeof(d1), "%s/d1", dir);
	snprintf(d2, sizeof(d2), "%s/d2", dir);
	mkdir(d1, 0755);
	snprintf(f, sizeof(f), "%s/f", d1);
	write_file(f, "f");
	snprintf(g, sizeof(g), "%s/g", dir);
	write_file(g, "g");
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink("g", link), 0);
	feed_proc(40, 1, "/usr/bin/sh", 100);
	feed_open(40, link, 0, 100); /* link -> g cached */
	feed_open(40, f, 0, 100);    /* d1 and d1/f cached */

	/* g replaced by a symlink to z: link now resolves to z */
	snprintf(s, sizeof(s), "%s/s", dir);
	snprintf(z, sizeof(z), "%s/z", dir);
	write_file(z, "z");
	cr_assert_eq(symlink("z", s), 0);
	cr_assert_eq(rename(s, g), 0);
	feed_rename(40, s, g, 100);
	feed_open(40, link, 0, 100);

	/* d1 renamed to d2, and a new d1 made a symlink to d2: d1/f is now d2/f */
	cr_assert_eq(rename(d1, d2), 0);
	feed_rename(40, d1, d2, 100);
	cr_assert_eq(symlink("d2", d1), 0);
	feed_open(40, f, 0, 100);

	snprintf(sql, sizeof(sql),
		 "SELECT group_concat(realpath, ' ') FROM (SELECT realpath FROM file_events"
		 " WHERE op = 'open' ORDER BY id)");
	snprintf(want, sizeof(want), "%s %s/d1/f %s %s/d2/f", g, dir, z, dir);
	cr_assert_str_eq(q(sql), want);
}

Test(collector, reads_hashed_writes_hashed_after_writer_ends)
{
	char in[128], out[128];

	snprintf(in, sizeof(in), "%s/a.h", dir);
	snprintf(out, sizeof(out), "%s/a.o", dir);
	write_file(in, "#define A 1\n");
	feed_proc(10, 1, "/usr/bin/cc", 100);
	feed_open(10, in, 0, 100);
	write_file(out, "partial");
	feed_open(10, out, 1, 100);
	write_file(out, "final object\n"); /* the writer goes on writing after open */
	collector_conn_closed(col, 100);
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "SELECT e.access || ' ' || v.sha256 || ' ' || v.origin || ' ' || v.state FROM "
		 "file_events e JOIN file_versions v ON v.id=e.version_id ORDER BY e.id");
	char want[512];
	snprintf(want, sizeof(want), "read %s preexisting ok|write %s written ok",
		 sha("#define A 1\n"), sha("final object\n"));
	cr_assert_str_eq(q(sql), want);
	cr_assert_str_eq(q("SELECT exit_how FROM processes"), "unknown");
}

/* A process that only removes files exits without waiting for the collector
 * (wrappers/hooks_file.c), so its removal can be read after the records of a process
 * started later that made the file again and is still writing it: that removal must not
 * hash the new file half-written.  A removal made after the open does flush it. */
Test(collector, late_removal_does_not_flush_a_later_writer)
{
	char out[128], sql[512], want[512];

	snprintf(out, sizeof(out), "%s/gen.c", dir);
	write_file(out, "partial");
	feed_proc(11, 1, "/usr/bin/gen", 101);
	feed_open_at(11, out, 1, 101, 2000);
	feed_proc(10, 1, "/usr/bin/rm", 100);
	feed_unlink_at(10, out, 100, 1000); /* made before gen's open, read after it */
	write_file(out, "the whole file\n");
	collector_conn_closed(col, 100);
	collector_conn_closed(col, 101);
	snprintf(sql, sizeof(sql),
		 "SELECT v.sha256 FROM file_events e JOIN file_versions v ON v.id = e.version_id"
		 " WHERE e.op = 'open' AND e.access = 'write'");
	cr_assert_str_eq(q(sql), sha("the whole file\n"));

	/* the same file written again, and removed after the open: hashed at the removal */
	feed_proc(12, 1, "/usr/bin/gen", 102);
	feed_open_at(12, out, 1, 102, 3000);
	feed_proc(13, 1, "/usr/bin/rm", 103);
	feed_unlink_at(13, out, 103, 4000);
	write_file(out, "changed after the removal's record\n");
	collector_conn_closed(col, 102);
	snprintf(want, sizeof(want), "%s|%s", sha("the whole file\n"), sha("the whole file\n"));
	cr_assert_str_eq(q(sql), want);
}

Test(collector, regenerated_header_gives_two_versions)
{
	char h[128], want[512];

	snprintf(h, sizeof(h), "%s/gen.h", dir);
	write_file(h, "v1\n");
	feed_proc(10, 1, "/usr/bin/cc", 100);
	feed_open(10, h, 0, 100);
	collector_conn_closed(col, 100);
	feed_proc(11, 1, "/usr/bin/gen", 101);
	feed_open(11, h, 1, 101);
	write_file(h, "version two\n");
	collector_conn_closed(col, 101);
	feed_proc(12, 1, "/usr/bin/cc", 102);
	feed_open(12, h, 0, 102);
	snprintf(want, sizeof(want), "10 1 %s|11 2 %s|12 2 %s", sha("v1\n"), sha("version two\n"),
		 sha("version two\n"));
	cr_assert_str_eq(q("SELECT p.pid || ' ' || v.vseq || ' ' || v.sha256 FROM file_events e"
			   " JOIN processes p ON p.id=e.process_id"
			   " JOIN file_versions v ON v.id=e.version_id ORDER BY e.id"),
			 want);
}

/* cc (pid 10, connection 100) read dir/name, which has changed since (the identity its
 * record gives no longer matches the file). */
static void feed_changed_read(const char *name, char *path, size_t len)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3, .fflags = AB_F_STAT, .size = 3,
			     .ino = 1, .mtime_ns = 5 }; /* identity that no longer matches */

	snprintf(path, len, "%s/%s", dir, name);
	write_file(path, "now different\n");
	feed_proc(10, 1, "/usr/bin/cc", 100);
	rec_begin(&r, AB_EV_FILE, 10, &f, sizeof(f));
	rec_str(&r, name);
	rec_str(&r, path);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
}

Test(collector, file_changed_before_hashing_is_flagged_not_hashed)
{
	char h[128];

	feed_changed_read("x.h", h, sizeof(h));
	cr_assert_str_eq(q("SELECT state || ' ' || (sha256 IS NULL) FROM file_versions"),
			 "changed 1");
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT reason FROM incomplete"), "changed-before-hash");
}

Test(collector, own_rewrite_after_read_is_explained)
{
	char h[128];
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3, .fflags = AB_F_STAT, .size = 3,
			     .ino = 1, .mtime_ns = 5 }; /* read, then changed before hashing */

	snprintf(h, sizeof(h), "%s/config.h", dir);
	write_file(h, "rewritten by the reader\n");
	feed_proc(10, 1, "/usr/bin/cmake", 100);
	rec_begin(&r, AB_EV_FILE, 10, &f, sizeof(f));
	rec_str(&r, "config.h");
	rec_str(&r, h);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
	feed_open(10, h, 1, 100); /* the same process rewrites it (configure_file) */
	collector_conn_closed(col, 100);
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
	cr_assert_str_eq(q("SELECT group_concat(state || ' ' || origin, ',') FROM file_versions"),
			 "changed preexisting,ok written");
}

/* The eBPF backend cannot make a writer wait: ar wrote an archive and exited, ranlib read
 * it and rewrote it in place, and only then did the collector get to ar's exit, hashing
 * ranlib's content as ar's.  ranlib's read then finds the file changed into the content of
 * the version ar is said to have written: what ranlib read was never hashed, and its own
 * rewrite does not explain that away (a CI run once saw the lineage of an archive broken
 * in a record that said it was complete). */
Test(collector, rewrite_after_a_late_hashed_write_is_flagged)
{
	char a[128];
	struct stat seen;

	snprintf(a, sizeof(a), "%s/lib.a", dir);
	write_file(a, "!<arch>\nar's members\n");
	cr_assert_eq(stat(a, &seen), 0); /* what ranlib saw at its open */
	usleep(10000); /* a later modification time on any file system */
	write_file(a, "!<arch>\nindexed by ranlib, longer\n");

	feed_proc(10, 1, "/usr/bin/ar", 100);
	feed_open(10, a, 1, 100);
	collector_conn_closed(col, 100); /* hashes ranlib's content as ar's */
	feed_proc(11, 1, "/usr/bin/ranlib", 101);
	feed_open_seen(11, a, 101, &seen, 0);
	feed_open(11, a, 1, 101); /* ranlib rewrites it */
	collector_conn_closed(col, 101);
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT reason FROM incomplete"), "changed-before-hash");
	cr_assert_str_eq(q("SELECT detail FROM incomplete"), a);
}

/* The same archive, but a temporary: a later step removes it and it is gone when the build
 * ends (configure's conftest.err, rewritten by the next test at once, under eBPF).  Like a
 * temporary deleted before it could be hashed, that is a note, not an incomplete record;
 * the version stays 'changed' with no hash.  Still there at the end, or never written by
 * the build, it is flagged as before. */
static void archive_rewritten_then_removed(const char *a, int delete)
{
	struct stat seen;

	write_file(a, "!<arch>\nar's members\n");
	cr_assert_eq(stat(a, &seen), 0);
	usleep(10000);
	write_file(a, "!<arch>\nindexed by ranlib, longer\n");
	feed_proc(10, 1, "/usr/bin/ar", 100);
	feed_open(10, a, 1, 100);
	collector_conn_closed(col, 100);
	feed_proc(11, 1, "/usr/bin/ranlib", 101);
	feed_open_seen(11, a, 101, &seen, 0);
	feed_open(11, a, 1, 101);
	collector_conn_closed(col, 101);
	feed_proc(12, 1, "/bin/rm", 102);
	feed_unlink_at(12, a, 102, 0);
	if (delete)
		cr_assert_eq(unlink(a), 0);
	collector_conn_closed(col, 102);
	cr_assert_eq(collector_finish(col), 0);
}

Test(collector, temporary_changed_before_hashing_is_a_note)
{
	char a[128];
	struct collector_stats stats;

	snprintf(a, sizeof(a), "%s/conftest.a", dir);
	archive_rewritten_then_removed(a, 1);
	collector_get_stats(col, &stats);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
	cr_assert_eq(stats.temp_changed, 1);
	cr_assert_str_eq(q("SELECT count(*) FROM file_versions WHERE state = 'changed'"
			   " AND sha256 IS NULL"),
			 "1");
}

/* The same under eBPF, where no close is traced: configure's shell writes each test
 * program itself (`cat >ztest$$.c`) and lives on, so its write makes no version while the
 * compiler reads the file; the next test rewrites it before the read is hashed, and the
 * end removes it.  Opened for writing by a traced process, removed by one, gone at the end:
 * a temporary, a note. */
Test(collector, temporary_of_a_live_writer_changed_before_hashing_is_a_note)
{
	char t[128];
	struct collector_stats stats;
	struct stat seen;

	snprintf(t, sizeof(t), "%s/ztest42.c", dir);
	write_file(t, "int main(void) { return 0; }\n");
	cr_assert_eq(stat(t, &seen), 0);
	feed_proc(10, 1, "/bin/sh", 100);
	feed_open(10, t, 1, 100); /* the shell's redirection: it does not exit */
	usleep(10000);
	write_file(t, "int main(void) { return 1; } /* the next test */\n");
	feed_proc(11, 10, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", 101);
	feed_open_seen(11, t, 101, &seen, 0);
	collector_conn_closed(col, 101);
	feed_proc(13, 10, "/usr/bin/cat", 103); /* the next test's read, hashed */
	feed_open(13, t, 0, 103);
	collector_conn_closed(col, 103);
	cr_assert_eq(unlink(t), 0); /* taken in after the fact, as under eBPF */
	feed_proc(12, 10, "/bin/rm", 102);
	feed_unlink_at(12, t, 102, 0);
	collector_conn_closed(col, 102);
	collector_conn_closed(col, 100);
	cr_assert_eq(collector_finish(col), 0);
	collector_get_stats(col, &stats);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
	cr_assert_eq(stats.temp_changed, 1);
	/* no written version: the shell's write was known only by its open */
	cr_assert_str_eq(q("SELECT group_concat(origin || ' ' || state, ',') FROM file_versions"),
			 "preexisting changed,external ok");
}

Test(collector, removed_file_still_there_at_the_end_is_flagged)
{
	char a[128];
	struct collector_stats stats;

	snprintf(a, sizeof(a), "%s/lib.a", dir);
	archive_rewritten_then_removed(a, 0); /* its unlink is recorded, but it is there */
	collector_get_stats(col, &stats);
	cr_assert_str_eq(q("SELECT reason FROM incomplete"), "changed-before-hash");
	cr_assert_eq(stats.temp_changed, 0);
}

Test(collector, removed_input_the_build_did_not_write_is_flagged)
{
	char h[128];

	feed_changed_read("input.h", h, sizeof(h));
	collector_conn_closed(col, 100);
	feed_proc(11, 1, "/bin/rm", 101);
	feed_unlink_at(11, h, 101, 0);
	cr_assert_eq(unlink(h), 0);
	collector_conn_closed(col, 101);
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT reason FROM incomplete"), "changed-before-hash");
}

/* Appends to a file until told to stop: the next writer of a file, already at work while
 * the collector hashes the previous writer's version (eBPF cannot make that one wait). */
struct appender {
	const char *path;
	volatile int stop;
};

static void *append_loop(void *arg)
{
	struct appender *a = arg;
	int fd = open(a->path, O_WRONLY | O_APPEND);

	while (fd >= 0 && !a->stop) {
		if (write(fd, "more\n", 5) != 5)
			break;
		usleep(20);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Writes path (8 MB: long enough to hash that the appender gets in), then feeds the exit of
 * its writer (pid 10) while an appender runs: that version is 'changed'. */
static void written_while_appended(const char *path)
{
	static char big[1 << 20];
	struct appender a = { .path = path };
	pthread_t t;
	FILE *f = fopen(path, "w");

	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 8; i++)
		fwrite(big, 1, sizeof(big), f);
	fclose(f);
	feed_proc(10, 1, "/usr/bin/cat", 100);
	feed_open(10, path, 1, 100);
	cr_assert_eq(pthread_create(&t, NULL, append_loop, &a), 0);
	usleep(2000);
	collector_conn_closed(col, 100);
	a.stop = 1;
	pthread_join(t, NULL);
	cr_assert_str_eq(q("SELECT state FROM file_versions"), "changed");
}

/* configure's `cat >>file` one process after the other, under eBPF: the next writer was
 * already appending when the collector hashed the previous one's version.  No step read
 * that version (a read is taken by its hash); the next writer's version follows it, so the
 * record stays complete.  Without a later version the content written is lost: flagged. */
Test(collector, written_version_superseded_while_hashed)
{
	char f[128];
	struct collector_stats stats;

	snprintf(f, sizeof(f), "%s/confdefs.h", dir);
	written_while_appended(f);
	feed_proc(11, 1, "/usr/bin/cat", 101);
	feed_open(11, f, 1, 101);
	collector_conn_closed(col, 101);
	cr_assert_eq(collector_finish(col), 0);
	collector_get_stats(col, &stats);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
	cr_assert_eq(stats.superseded, 1);
	cr_assert_str_eq(q("SELECT group_concat(state, ',') FROM file_versions"), "changed,ok");
}

Test(collector, written_version_changing_when_hashed_and_last_is_flagged)
{
	char f[128];

	snprintf(f, sizeof(f), "%s/out.txt", dir);
	written_while_appended(f);
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT reason FROM incomplete"), "changed-before-hash");
}

/* configure's `cat >>confdefs.h`, one process after the other, under eBPF: the second had
 * opened the file and appended to it before the collector took the first one's exit, so
 * the first one's version was hashed with the second one's line in it.  The second one's
 * open saw an older content (an earlier change time) than that hash was taken from: the
 * first version's hashes are taken back; the second version has the content. */
Test(collector, version_hashed_after_the_next_writer_opened_is_withheld)
{
	char f[128], want[256];
	struct stat seen;
	struct collector_stats stats;

	snprintf(f, sizeof(f), "%s/confdefs.h", dir);
	write_file(f, "#define A 1\n");
	cr_assert_eq(stat(f, &seen), 0); /* what the second writer's open saw */
	usleep(10000);
	write_file(f, "#define A 1\n#define B 1\n"); /* its append, before the hash */
	feed_proc(10, 1, "/usr/bin/cat", 100);
	feed_open(10, f, 1, 100);
	collector_conn_closed(col, 100);
	feed_proc(11, 1, "/usr/bin/cat", 101);
	feed_open_seen(11, f, 101, &seen, 1);
	collector_conn_closed(col, 101);
	/* hashed before the next writer opened it (the interposer's writer waits): kept */
	feed_proc(12, 1, "/usr/bin/cat", 102);
	cr_assert_eq(stat(f, &seen), 0);
	feed_open_seen(12, f, 102, &seen, 1);
	collector_conn_closed(col, 102);
	cr_assert_eq(collector_finish(col), 0);
	collector_get_stats(col, &stats);
	snprintf(want, sizeof(want), "1 changed NULL|2 ok %s|3 ok %s",
		 sha("#define A 1\n#define B 1\n"), sha("#define A 1\n#define B 1\n"));
	cr_assert_str_eq(q("SELECT vseq || ' ' || state || ' ' || coalesce(sha256, 'NULL')"
			   " FROM file_versions ORDER BY vseq"),
			 want);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
	cr_assert_eq(stats.superseded, 1);
}

Test(collector, reaped_child_gets_exit_status_and_static_exec_is_marked)
{
	struct recbuf r;
	struct ab_exit e = { .status = 3 << 8, .flags = AB_EXIT_WAITSTATUS, .reaped_pid = 11 };
	struct ab_exec x = { .flags = AB_EXEC_STATIC };

	feed_proc(10, 1, "/usr/bin/make", 100);
	feed_proc(11, 10, "/usr/bin/cc", 101);
	rec_begin(&r, AB_EV_EXIT, 10, &e, sizeof(e));
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
	cr_assert_str_eq(q("SELECT exit_status || ' ' || exit_how FROM processes WHERE pid=11"),
			 "3 exit");
	cr_assert_str_eq(q("SELECT p.pid FROM processes c JOIN processes p ON p.id=c.parent_id"
			   " WHERE c.pid=11"),
			 "10");
	rec_begin(&r, AB_EV_EXEC, 10, &x, sizeof(x));
	rec_str(&r, "./static-helper");
	rec_str(&r, "/src/static-helper");
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
	cr_assert_str_eq(q("SELECT exe || ' ' || static FROM processes WHERE pid=10 ORDER BY id"),
			 "/usr/bin/make 0|/src/static-helper 1");
}

/* preload: the processes of a tree share one connection (wrappers/conn.c).  A record of a
 * pid never announced (a vfork child) belongs to a child of the process its tid names, not
 * of whichever image said hello last on that connection; the connection's end ends every
 * image that used it. */
Test(collector, shared_connection_vfork_child_and_end)
{
	char in[128];

	snprintf(in, sizeof(in), "%s/a.h", dir);
	write_file(in, "#define A 1\n");
	feed_proc(10, 1, "/usr/bin/make", 100);
	feed_proc(11, 10, "/usr/bin/dash", 100);
	feed_tid = 10; /* a vfork child of make */
	feed_open(12, in, 0, 100);
	feed_tid = 0;
	cr_assert_str_eq(q("SELECT p.pid FROM processes c JOIN processes p ON p.id=c.parent_id"
			   " WHERE c.pid=12"),
			 "10");
	cr_assert_str_eq(q("SELECT count(*) FROM processes WHERE end_ns IS NULL"), "3");
	collector_conn_closed(col, 100);
	/* the vfork child's image is not the connection's: it ends with the record */
	cr_assert_str_eq(q("SELECT group_concat(pid) FROM processes WHERE end_ns IS NULL"), "12");
}

/* preload: an image that said it exited and that no parent reaped (yet): a later hello of
 * its pid is another process (the pid reused), not an exec of it, since the connection's
 * end no longer tells when a process is gone. */
Test(collector, hello_after_own_exit_is_a_new_process)
{
	struct recbuf r;
	struct ab_exit e = { .status = 0 };

	feed_proc(10, 1, "/usr/bin/make", 100);
	feed_proc(11, 10, "/usr/bin/dash", 100);
	rec_begin(&r, AB_EV_EXIT, 11, &e, sizeof(e));
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
	cr_assert_str_eq(q("SELECT count(*) FROM processes WHERE pid=11 AND end_ns IS NULL"), "1");
	feed_proc(11, 10, "/usr/bin/cc", 100);
	cr_assert_str_eq(q("SELECT exe || ' ' || (prev_id IS NULL) || ' ' || ifnull(exit_how, '-')"
			   " FROM processes WHERE pid=11 ORDER BY id"),
			 "/usr/bin/dash 1 exit|/usr/bin/cc 1 -");
}

static uint64_t drained[4];
static size_t ndrained;

static char drain_out[128];

static void note_drain(void *ctx, uint64_t conn)
{
	(void)ctx;
	if (ndrained < 4)
		drained[ndrained++] = conn;
	if (conn == 100 || conn == 0) /* what the shared connection still held */
		feed_open(11, drain_out, 1, 100);
}

static uint64_t acked;

static void note_ack(void *ctx, uint64_t conn)
{
	(void)ctx;
	acked = conn;
}

/* preload: an exit that waits comes on a connection of its own; what the process sent
 * before on the shared one is taken in first, so its output is hashed before the ack. */
Test(collector, waiting_exit_on_its_own_connection_drains_the_shared_one)
{
	struct recbuf r;
	struct ab_exit e = { .status = 0, .flags = AB_EXIT_SYNC };
	char out[128];

	snprintf(out, sizeof(out), "%s/out.o", dir);
	write_file(out, "object");
	snprintf(drain_out, sizeof(drain_out), "%s", out);
	collector_set_io(col, note_drain, note_ack, NULL);
	feed_proc(10, 1, "/usr/bin/make", 100);
	feed_proc(11, 10, "/usr/bin/as", 100);
	rec_begin(&r, AB_EV_EXIT, 11, &e, sizeof(e));
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 200), 0);
	cr_assert_eq(ndrained, 1);
	cr_assert_eq(drained[0], 100);
	cr_assert_eq(acked, 200);
	char want[128];
	snprintf(want, sizeof(want), "%s written ok", sha("object"));
	cr_assert_str_eq(q("SELECT sha256 || ' ' || origin || ' ' || state FROM file_versions"
			   " WHERE path LIKE '%/out.o'"),
			 want);
}

/* preload: an exit that waits for the watermark (AB_EXIT_WM) comes on the shared connection,
 * after everything else the process sent: its writes are hashed, with no ack (a byte on a
 * shared connection would reach whichever process reads it) and no drain. */
Test(collector, waiting_exit_on_the_watermark_gets_no_ack)
{
	struct recbuf r;
	struct ab_exit e = { .status = 0, .flags = AB_EXIT_SYNC | AB_EXIT_WM };
	char out[128], want[128];

	snprintf(out, sizeof(out), "%s/out.o", dir);
	write_file(out, "partial");
	collector_set_io(col, note_drain, note_ack, NULL);
	feed_proc(10, 1, "/usr/bin/make", 100);
	feed_proc(11, 10, "/usr/bin/as", 100);
	feed_open(11, out, 1, 100);
	write_file(out, "object");
	rec_begin(&r, AB_EV_EXIT, 11, &e, sizeof(e));
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), 100), 0);
	cr_assert_eq(ndrained, 0);
	cr_assert_eq(acked, 0);
	snprintf(want, sizeof(want), "%s written ok", sha("object"));
	cr_assert_str_eq(q("SELECT sha256 || ' ' || origin || ' ' || state FROM file_versions"
			   " WHERE path LIKE '%/out.o'"),
			 want);
}

/* The eBPF tracer sends no exec record: the executable of each new image becomes an exec
 * event of the image that exec'd it, so that the compiler is one of its step's tools as
 * under the interposer (found by tests/realworld: ebpf SBOMs had no BUILD_TOOL_OF).  The
 * interposer's images get none from their process record (it sends the exec record). */
/* An open for writing by pid (identity taken now), with open(2) flags oflags. */
static void feed_write_open_flags(unsigned pid, const char *path, uint64_t conn, unsigned oflags)
{
	struct recbuf r;
	struct ab_file f = { .op = AB_OP_OPEN, .ret = 3, .fflags = AB_F_WRITE, .oflags = oflags };

	rec_begin(&r, AB_EV_FILE, pid, &f, sizeof(f));
	rec_str(&r, strrchr(path, '/') + 1);
	rec_str(&r, path);
	cr_assert_eq(collector_feed(col, r.b, rec_end(&r), conn), 0);
}

/* eBPF, `cmd > out`: the shell's child opens out (the descriptor survives the exec) and
 * execs cmd, which writes it; a file opened close-on-exec was done with before the exec.
 * The first is hashed at cmd's end, as cmd's; the second at the exec, as the child's
 * (tests/e2e/t0210 does it for real). */
Test(collector, ebpf_exec_keeps_the_writes_the_exec_leaves_open)
{
	char out[128], log[128], want[512];

	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(log, sizeof(log), "%s/cloexec.txt", dir);
	cr_assert_eq(collector_finish(col), 0);
	collector_free(col);
	col = NULL;
	cr_assert_eq(collector_new(st, 1, "ebpf", &col), 0);
	feed_proc(20, 1, "/usr/bin/dash", 0);
	write_file(out, "");
	feed_write_open_flags(20, out, 0, O_WRONLY | O_CREAT | O_TRUNC);
	write_file(log, "written before the exec\n");
	feed_write_open_flags(20, log, 0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
	feed_proc(20, 1, "/usr/bin/cat", 0); /* the exec */
	write_file(log, "changed after the exec\n");
	write_file(out, "cat's output\n");
	cr_assert_eq(collector_finish(col), 0);
	snprintf(want, sizeof(want), "%s/cloexec.txt %s /usr/bin/dash|%s/out.txt %s /usr/bin/cat",
		 dir, sha("written before the exec\n"), dir, sha("cat's output\n"));
	cr_assert_str_eq(q("SELECT v.path || ' ' || v.sha256 || ' ' || p.exe FROM file_versions v"
			   " JOIN processes p ON p.id = v.writer_id ORDER BY v.path"),
			 want);
}

Test(collector, ebpf_exec_becomes_an_exec_event)
{
	char tool[128];

	snprintf(tool, sizeof(tool), "%s/tool", dir);
	write_file(tool, "tool");
	feed_proc(10, 1, tool, 100);
	cr_assert_str_eq(q("SELECT count(*) FROM file_events"), "0", "preload: no exec from PROC");
	cr_assert_eq(collector_finish(col), 0);
	collector_free(col);
	col = NULL;
	cr_assert_eq(collector_new(st, 1, "ebpf", &col), 0);
	feed_proc(11, 1, "/usr/bin/cc", 0);
	feed_proc(11, 1, tool, 0); /* pid 11 execs tool: the exec is the first image's */
	cr_assert_str_eq(q("SELECT e.op || ' ' || e.access || ' ' || e.abspath || ' ' || v.sha256"
			   " FROM file_events e JOIN file_versions v ON v.id = e.version_id"
			   " JOIN processes p ON p.id = e.process_id WHERE p.pid = 11"
			   " AND p.exe = '/usr/bin/cc' AND e.abspath != '/usr/bin/cc'"),
			 strcat(strcat(strcpy(malloc(512), "exec read "), tool),
				strcat(strcpy(malloc(80), " "), sha("tool"))));
}

/* A system file the build's tools read is hashed when the collector is idle, and one
 * larger than a slice (1 MB) a slice per idle call, so that the loop takes in the build's
 * records between the slices (a tool's 100 MB library hashed at once stalled it long
 * enough for the build to rewrite its own files first).  The version gets the file's hash
 * all the same. */
Test(collector, a_large_system_file_is_hashed_a_slice_per_idle_call)
{
	const char *lib = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	struct hash_result h;
	struct stat sb;
	int calls = 0;
	char want[200];

	if (stat(lib, &sb) || sb.st_size <= (1 << 20))
		cr_skip_test("no %s larger than a slice here", lib);
	cr_assert_eq(hash_path(lib, &sb, &h), 0);
	feed_proc(10, 1, "/usr/bin/ld", 100);
	feed_open_seen(10, lib, 100, &sb, 0);
	/* deferred; then the first slice */
	cr_assert_str_eq(q("SELECT count(*) FROM file_versions"), "0");
	cr_assert_eq(collector_idle(col, 1), 1);
	cr_assert_str_eq(q("SELECT count(*) FROM file_versions"), "0");
	/* then a call for each slice, the last of which takes the read in (the executable
	 * ld's is hashed after) */
	for (calls = 1; !strcmp(q("SELECT count(*) FROM file_versions"), "0") && calls < 1000;
	     calls++)
		cr_assert_eq(collector_idle(col, 1), 1);
	cr_assert_eq(calls, (int)((sb.st_size + (1 << 20) - 1) >> 20),
		     "%d idle calls for %lld bytes", calls, (long long)sb.st_size);
	snprintf(want, sizeof(want), "%s ok %s", lib, h.sha256);
	cr_assert_str_eq(q("SELECT path || ' ' || state || ' ' || sha256 FROM file_versions"),
			 want);
	cr_assert_str_eq(q("SELECT count(*) FROM file_events WHERE version_id IS NOT NULL"), "1");
	cr_assert_eq(collector_finish(col), 0);
	cr_assert_str_eq(q("SELECT count(*) FROM incomplete"), "0");
}

/* An executable is hashed a slice per idle call after the reads; a read that comes while
 * it is half done goes first, and so does nothing else: the executable goes on where it
 * was, not from its start, before the next process's executable.  ceil(size / 1 MB) calls
 * for it in all, one for the read and one for the other executable. */
Test(collector, a_read_goes_before_a_half_hashed_executable_which_keeps_its_place)
{
	const char *exe = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", *hdr = "/usr/include/stdio.h";
	struct hash_result h;
	struct stat sb, hb;
	int calls = 0, k;

	if (stat(exe, &sb) || sb.st_size <= 3 * (1 << 20) || stat(hdr, &hb))
		cr_skip_test("no %s larger than three slices, or no %s, here", exe, hdr);
	k = (int)((sb.st_size + (1 << 20) - 1) >> 20);
	cr_assert_eq(hash_path(exe, &sb, &h), 0);
	feed_proc(10, 1, exe, 100);
	/* the executable's first slice; then a read, deferred, taken in at the next call */
	cr_assert_eq(collector_idle(col, 1), 1);
	calls++;
	feed_open_seen(10, hdr, 100, &hb, 0);
	cr_assert_eq(collector_idle(col, 1), 1);
	calls++;
	cr_assert_str_eq(q("SELECT count(*) FROM file_versions"), "1");
	cr_assert_str_eq(q("SELECT count(*) FROM processes WHERE exe_sha256 IS NULL"), "1");
	feed_proc(11, 1, "/bin/true", 101); /* the next process's executable: small */
	while (collector_idle(col, 1) && calls < 1000)
		calls++;
	calls++; /* the last, which also took the other executable's hash in */
	cr_assert_eq(calls, k + 2,
		     "%d idle calls for an executable of %d slices, a read and another", calls, k);
	cr_assert_str_eq(q("SELECT exe_sha256 FROM processes WHERE pid = 10"), h.sha256);
	cr_assert_str_eq(q("SELECT count(*) FROM processes WHERE exe_sha256 IS NULL"), "0");
}
