/* Unit tests of omnibor.c / omnibor_embed.c: manifest bytes, their gitoids
 * (computed here independently: sha256 of "blob <len>\0" + bytes), determinism,
 * the store layout and the ELF note. */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/gitoids.h"
#include "asbuilt/graph.h"
#include "asbuilt/omnibor.h"

/* The hex gitoid:blob:sha256 of s, straight from OpenSSL. */
static void gitoid_of(const char *s, char out[65])
{
	unsigned char md[32];
	char hdr[32];
	int h = snprintf(hdr, sizeof(hdr), "blob %zu", strlen(s)) + 1;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, hdr, (size_t)h);
	EVP_DigestUpdate(c, s, strlen(s));
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* A graph of hello <- {main.o, libc.so.6, gen (no gitoid)}, main.o <- {main.c,
 * a.h}, plus an unrelated artifact other.o <- {a.h}.  Version i has gitoid "<i
 * repeated>". */
enum { MAIN_C, A_H, MAIN_O, LIBC, HELLO, NOHASH, OTHER_O, NV };

static struct graph G;
static struct graph_version V[NV];
static struct gitoids IDS;
static char SHA1[NV][41], SHA256[NV][65];

static void edge(int to, int from)
{
	cr_assert_eq(graph_ivec_push(&V[to].in, from), 0);
}

static void setup(void)
{
	static const char *const paths[NV] = { "/s/main.c", "/s/a.h", "/s/main.o", "/lib/libc.so.6",
					       "/s/hello",  "/s/gen", "/s/other.o" };

	memset(V, 0, sizeof(V));
	for (int i = 0; i < NV; i++) {
		V[i].path = (char *)paths[i];
		V[i].step = -1;
		V[i].prev_same = -1;
		memset(SHA256[i], "0123456789abcdef"[i + 1], 64);
		SHA256[i][64] = '\0';
		memset(SHA1[i], "0123456789abcdef"[i + 1], 40);
		SHA1[i][40] = '\0';
	}
	SHA256[NOHASH][0] = SHA1[NOHASH][0] = '\0';
	V[MAIN_O].flags = V[HELLO].flags = V[OTHER_O].flags = V[NOHASH].flags = GRAPH_V_WRITTEN;
	edge(MAIN_O, MAIN_C);
	edge(MAIN_O, A_H);
	edge(HELLO, MAIN_O);
	edge(HELLO, LIBC);
	edge(HELLO, NOHASH);
	edge(OTHER_O, A_H);
	G.v = V;
	G.nv = NV;
	IDS.sha1 = SHA1;
	IDS.sha256 = SHA256;
	IDS.n = NV;
}

static void teardown(void)
{
	for (int i = 0; i < NV; i++)
		graph_ivec_release(&V[i].in);
}

TestSuite(omnibor, .init = setup, .fini = teardown);

static void build(struct omnibor_set *s, const int *arts, size_t n)
{
	struct graph_ivec a = { 0 };

	for (size_t i = 0; i < n; i++)
		cr_assert_eq(graph_ivec_push(&a, arts[i]), 0);
	cr_assert_eq(omnibor_build(&G, &IDS, &a, s), 0);
	graph_ivec_release(&a);
}

Test(omnibor, object_manifest_lists_sorted_input_gitoids)
{
	struct omnibor_set s;
	const struct omnibor_manifest *m;
	char want[512], id[65];

	build(&s, (int[]){ HELLO }, 1);
	m = omnibor_manifest_of(&s, MAIN_O);
	cr_assert(m);
	snprintf(want, sizeof(want), "gitoid:blob:sha256\n%s\n%s\n", SHA256[MAIN_C], SHA256[A_H]);
	cr_assert_str_eq(m->text, want);
	cr_assert_eq(m->len, strlen(want));
	gitoid_of(want, id);
	cr_assert_str_eq(m->gitoid, id);
	cr_assert_not(m->is_artifact);
	cr_assert_null(omnibor_manifest_of(&s, MAIN_C), "a source has no manifest");
	omnibor_set_release(&s);
}

Test(omnibor, binary_manifest_references_the_object_manifest)
{
	struct omnibor_set s;
	const struct omnibor_manifest *m, *o;
	char want[512];

	build(&s, (int[]){ HELLO }, 1);
	m = omnibor_manifest_of(&s, HELLO);
	o = omnibor_manifest_of(&s, MAIN_O);
	cr_assert(m && o);
	snprintf(want, sizeof(want), "gitoid:blob:sha256\n%s manifest %s\n%s\n", SHA256[MAIN_O],
		 o->gitoid, SHA256[LIBC]);
	cr_assert_str_eq(m->text, want);
	cr_assert(m->is_artifact);
	cr_assert_eq(m->nskipped, 1, "gen has no gitoid and is left out");
	cr_assert_eq(s.nskipped, 1);
	omnibor_set_release(&s);
}

Test(omnibor, deterministic_whatever_the_input_order)
{
	struct omnibor_set a, b;
	int first;

	build(&a, (int[]){ HELLO, OTHER_O }, 2);
	first = V[MAIN_O].in.v[0]; /* reverse main.o's inputs and ask in the other order */
	V[MAIN_O].in.v[0] = V[MAIN_O].in.v[1];
	V[MAIN_O].in.v[1] = first;
	build(&b, (int[]){ OTHER_O, HELLO }, 2);
	for (int v = 0; v < NV; v++) {
		const struct omnibor_manifest *x = omnibor_manifest_of(&a, v);
		const struct omnibor_manifest *y = omnibor_manifest_of(&b, v);

		cr_assert_eq(!x, !y);
		if (x)
			cr_assert_str_eq(x->text, y->text);
	}
	omnibor_set_release(&a);
	omnibor_set_release(&b);
}

Test(omnibor, store_layout_and_index)
{
	char dir[] = "/tmp/test_omnibor.XXXXXX", err[256], buf[512], *path, *cmd;
	struct omnibor_set s;
	const struct omnibor_manifest *m;
	FILE *f;
	size_t n;

	cr_assert(mkdtemp(dir));
	build(&s, (int[]){ HELLO }, 1);
	cr_assert_eq(omnibor_store(&G, &IDS, &s, dir, err, sizeof(err)), 0, "%s", err);
	m = omnibor_manifest_of(&s, MAIN_O);
	path = omnibor_manifest_path(dir, m->gitoid);
	snprintf(buf, sizeof(buf), "%s/manifests/gitoid_blob_sha256/%.2s/%s", dir, m->gitoid,
		 m->gitoid + 2);
	cr_assert_str_eq(path, buf);
	f = fopen(path, "rb");
	cr_assert(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	cr_assert_eq(n, m->len);
	cr_assert_eq(memcmp(buf, m->text, n), 0);
	free(path);
	snprintf(buf, sizeof(buf), "%s/index.tsv", dir);
	f = fopen(buf, "r");
	cr_assert(f);
	cr_assert(fgets(buf, sizeof(buf), f));
	cr_assert(!strncmp(buf, "/s/hello\tgitoid:blob:sha256:", 28), "%s", buf);
	cr_assert(strstr(buf, "\tartifact\n"));
	cr_assert(fgets(buf, sizeof(buf), f));
	cr_assert(!strncmp(buf, "/s/main.o\t", 10), "%s", buf);
	cr_assert(strstr(buf, m->gitoid) && strstr(buf, "\tintermediate\n"));
	cr_assert_null(fgets(buf, sizeof(buf), f));
	fclose(f);

	/* stored again into the same directory: a damaged manifest is written again, an
	 * intact one is left as it is (the same inode) */
	{
		const struct omnibor_manifest *h = omnibor_manifest_of(&s, HELLO);
		char *hpath = omnibor_manifest_path(dir, h->gitoid);
		struct stat before, after;

		path = omnibor_manifest_path(dir, m->gitoid);
		f = fopen(path, "wb");
		cr_assert(f);
		fputs("damaged", f);
		fclose(f);
		cr_assert_eq(stat(hpath, &before), 0);
		cr_assert_eq(omnibor_store(&G, &IDS, &s, dir, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(stat(hpath, &after), 0);
		cr_assert_eq(before.st_ino, after.st_ino, "an intact manifest was rewritten");
		f = fopen(path, "rb");
		cr_assert(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		cr_assert_eq(n, m->len, "the damaged manifest was not written again");
		cr_assert_eq(memcmp(buf, m->text, n), 0);
		free(path);
		free(hpath);
	}
	omnibor_set_release(&s);
	cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

Test(omnibor, elf_note_layout)
{
	unsigned char le[OMNIBOR_NOTE_SIZE], be[OMNIBOR_NOTE_SIZE];
	char id[65];

	memset(id, 'a', 64);
	id[64] = '\0';
	id[0] = '0';
	id[1] = '1';
	cr_assert_eq(omnibor_note(id, 0, le), 0);
	cr_assert_eq(memcmp(le, "\x08\0\0\0\x20\0\0\0\x01\0\0\0OMNIBOR\0\x01\xaa", 22), 0);
	cr_assert_eq(le[51], 0xaa);
	cr_assert_eq(omnibor_note(id, 1, be), 0);
	cr_assert_eq(memcmp(be, "\0\0\0\x08\0\0\0\x20\0\0\0\x01OMNIBOR\0", 20), 0);
	cr_assert_eq(memcmp(be + 20, le + 20, 32), 0);
	id[5] = 'G';
	cr_assert_eq(omnibor_note(id, 0, le), -EINVAL);
	cr_assert_eq(omnibor_note("abc", 0, le), -EINVAL);
}

/* --- omnibor_record: the rewrite in the record ------------------------------------------- */

#include <sqlite3.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/hash.h"
#include "asbuilt/store.h"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* The single text of a query on st's database ("" for NULL), into out. */
static const char *query(struct store *st, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *s;

	cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
	out[0] = 0;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

Test(omnibor_record, the_rewrite_becomes_a_step_and_a_new_version)
{
	char dir[] = "/tmp/test_omnibor_record.XXXXXX", dbp[128], path[128], err[256], buf[512];
	struct store_build b = { .started_ns = 1, .argv = { "ld", 2 }, .backend = "preload" };
	struct store_process p = { .pid = 7,
				   .exe = "/usr/bin/ld",
				   .argv = { "ld", 2 },
				   .start_ns = 2,
				   .source = "preload" };
	struct omnibor_run run = { .start_ns = 5, .end_ns = 6 };
	struct hash_result h;
	struct store *st;
	struct graph *g;
	struct stat sb;
	int64_t bid, pid, vid, nid = 0;
	int vi;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbp, sizeof(dbp), "%s/a.db", dir);
	snprintf(path, sizeof(path), "%s/hello", dir);
	write_text(path, "the linked hello\n");
	hash_path(path, &sb, &h);
	cr_assert_eq(store_open(dbp, 1, &st, err, sizeof(err)), 0, "%s", err);
	b.cwd = p.cwd = dir;
	cr_assert_gt(bid = store_build_new(st, &b), 0);
	p.build_id = bid;
	cr_assert_gt(pid = store_process_new(st, &p), 0);
	struct store_version v = { .build_id = bid,
				   .path = path,
				   .vseq = 1,
				   .sha256 = h.sha256,
				   .gitoid_sha256 = h.gitoid_sha256,
				   .size = 17,
				   .origin = "written",
				   .writer_id = pid,
				   .state = "ok" };
	cr_assert_gt(vid = store_version_add(st, &v), 0);
	struct store_event e = { .build_id = bid,
				 .process_id = pid,
				 .op = "open",
				 .access = "write",
				 .path = path,
				 .abspath = path,
				 .realpath = path,
				 .result = 3,
				 .version_id = vid };
	cr_assert_gt(store_event_add(st, &e), 0);
	cr_assert_eq(store_build_finish(st, bid, 3, 0, "finished", 1, 1, 0), 0);
	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_geq(vi = graph_latest(g, path), 0);
	cr_assert_not(omnibor_embedded(g, vi), "the linker's output is not embedded");

	/* "objcopy" (here: true, which exists) rewrote it */
	write_text(path, "the linked hello with a note\n");
	hash_path(path, &sb, &h);
	run.argv_len = sizeof("true\0--add-section\0.note.omnibor=/tmp/n") - 1;
	cr_assert_not_null(run.argv = memcpy(malloc(run.argv_len + 1),
					     "true\0--add-section\0.note.omnibor=/tmp/n",
					     run.argv_len + 1));
	cr_assert_eq(omnibor_record(st, g, vi, "true", &run, &nid, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(nid, vid);
	snprintf(buf, sizeof(buf),
		 "SELECT v.vseq || '|' || v.sha256 || '|' || v.sha1 || '|' || v.gitoid_sha1 || '|' "
		 "|| v.origin || '|' || v.state || '|' || p.source || '|' || p.exit_status || '|' "
		 "|| p.start_ns || '|' || p.end_ns || '|' || coalesce(p.parent_id, '-') "
		 "FROM file_versions v JOIN processes p ON p.id = v.writer_id WHERE v.id = %lld",
		 (long long)nid);
	char want[512], got[512];
	snprintf(want, sizeof(want), "2|%s|%s|%s|written|ok|asbuilt|0|5|6|-", h.sha256, h.sha1,
		 h.gitoid_sha1);
	cr_assert_str_eq(query(st, buf, got, sizeof(got)), want);
	snprintf(buf, sizeof(buf),
		 "SELECT group_concat(op || ' ' || access || ' ' || (version_id = %lld) || "
		 "(version_id = %lld), ', ') FROM (SELECT * FROM file_events WHERE process_id = "
		 "(SELECT writer_id FROM file_versions WHERE id = %lld) ORDER BY id)",
		 (long long)vid, (long long)nid, (long long)nid);
	cr_assert_str_eq(query(st, buf, got, sizeof(got)),
			 "exec read 00, open read 10, open write 01");
	graph_free(g);

	/* the graph now has an objcopy-like step that wrote the artifact from the old one */
	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(g->v[graph_latest(g, path)].id, nid);
	cr_assert(omnibor_embedded(g, graph_latest(g, path)));
	cr_assert(artifacts_is_final(g, graph_latest(g, path)));
	cr_assert_not(artifacts_is_final(g, g->v[graph_latest(g, path)].prev_same));
	graph_free(g);
	omnibor_run_release(&run);
	store_close(st);
	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	(void)!system(buf);
}
