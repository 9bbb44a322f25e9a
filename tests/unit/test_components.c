/* test_components.c - the resolver chain on a small synthetic record: files on disk under a
 * temporary tree, a fake root with dpkg and apk databases, a git repository made with the
 * git CLI, a curl download and an npm install recorded as steps. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/compcache.h"
#include "asbuilt/components.h"
#include "asbuilt/graph.h"
#include "asbuilt/store.h"

static char top[] = "/tmp/asbuilt-test-comp-XXXXXX";
static char dbpath[PATH_MAX], cwd[PATH_MAX], root[PATH_MAX];
static struct store *st;
static int64_t bid;

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c

static const char *at(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", top, rel);
	return buf[i];
}

static void put(const char *path, const char *text)
{
	char cmd[PATH_MAX + 16];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%.*s'", (int)(strrchr(path, '/') - path), path);
	cr_assert_eq(system(cmd), 0);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	char err[256], buf[4 * PATH_MAX];

	cr_assert_not_null(mkdtemp(top));
	snprintf(dbpath, sizeof(dbpath), "%s/a.db", top);
	snprintf(cwd, sizeof(cwd), "%s/w", top);
	snprintf(root, sizeof(root), "%s/root", top);
	cr_assert_eq(store_open(dbpath, 1, &st, err, sizeof(err)), 0, "%s", err);
	struct store_build b = { .started_ns = 1, .cwd = cwd, .backend = "preload",
				 .argv = { "make", 4 } };
	bid = store_build_new(st, &b);
	cr_assert(bid > 0);
	cr_assert_eq(store_build_finish(st, bid, 2, 0, "finished", 1, 0, 0), 0);

	put(at("root/var/lib/dpkg/status"),
	    "Package: libfoo-dev\nStatus: install ok installed\nArchitecture: amd64\n"
	    "Version: 1.2-3\nDescription: foo\n\n");
	snprintf(buf, sizeof(buf), "/.\n%s\n", at("sys/foo.h"));
	put(at("root/var/lib/dpkg/info/libfoo-dev.list"), buf);
	snprintf(buf, sizeof(buf), "P:bar\nV:2.0-r0\nA:x86_64\nL:MIT\nF:%s\nR:bar.h\n\n",
		 at("apk") + 1);
	put(at("root/lib/apk/db/installed"), buf);
	put(at("sys/foo.h"), "int foo;\n");
	put(at("apk/bar.h"), "int bar;\n");
	put(at("w/main.c"), "// SPDX-License-Identifier: MIT\nint main(void) { return 0; }\n");
	put(at("w/vendor/pre.o"), "not really ELF\n");
	put(at("w/dl/x.h"), "int x;\n");
	put(at("w/node_modules/@sc/pkg/index.js"), "module.exports = 1;\n");
	put(at("w/node_modules/@sc/pkg/package.json"),
	    "{\"name\": \"@sc/pkg\", \"version\": \"1.0.0\", \"license\": \"ISC\"}\n");
	put(at("repo/r.c"), "/* SPDX-License-Identifier: GPL-2.0-only */\nint r;\n");
	snprintf(buf, sizeof(buf),
		 "cd '%s' && git init -q . && git add r.c && git -c user.name=t "
		 "-c user.email=t@example.org commit -q -m r",
		 at("repo"));
	cr_assert_eq(system(buf), 0);
}

static void teardown(void)
{
	char cmd[PATH_MAX];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(components, .init = setup, .fini = teardown);

static int64_t proc(const char *exe, const char *argv, size_t len)
{
	struct store_process p = { .build_id = bid, .pid = 100, .exe = exe, .cwd = cwd,
				   .argv = { argv, len }, .source = "preload" };
	int64_t id = store_process_new(st, &p);

	cr_assert(id > 0);
	return id;
}

static int64_t version(const char *path, const char *origin, int64_t writer)
{
	struct store_version v = { .build_id = bid, .path = path, .vseq = 1, .sha256 = H("a"),
				   .origin = origin, .state = "ok", .writer_id = writer };
	int64_t id = store_version_add(st, &v);

	cr_assert(id > 0);
	return id;
}

static void ev(int64_t p, const char *acc, const char *path, int64_t ver)
{
	struct store_event e = { .build_id = bid, .process_id = p, .op = "open", .access = acc,
				 .path = path, .abspath = path, .realpath = path,
				 .version_id = ver };

	cr_assert(store_event_add(st, &e) > 0);
}

#define ARGV(s) s, sizeof(s) - 1

/* curl -> dl/x.h; npm install -> node_modules/@sc/pkg; gcc reads everything -> app.
 * Loads the graph into *g and its artifact into *arts. */
static void record(struct graph **g, struct graph_ivec *arts)
{
	const char *inputs[] = { "sys/foo.h", "apk/bar.h", "w/main.c", "w/vendor/pre.o",
				 "repo/r.c" };
	int64_t curl = proc("/usr/bin/curl", ARGV("curl\0-o\0dl/x.h\0https://example.com/f/x.h"));
	int64_t dl = version(at("w/dl/x.h"), "written", curl);
	int64_t node = proc("/usr/bin/node", ARGV("node\0/usr/bin/npm\0install\0@sc/pkg@1.0.0"));
	int64_t js = version(at("w/node_modules/@sc/pkg/index.js"), "written", node);
	int64_t pj = version(at("w/node_modules/@sc/pkg/package.json"), "written", node);
	int64_t gcc = proc("/usr/bin/gcc", ARGV("gcc\0-o\0app\0main.c"));
	int64_t app = version(at("w/app"), "written", gcc);

	ev(curl, "write", at("w/dl/x.h"), dl);
	ev(node, "write", at("w/node_modules/@sc/pkg/index.js"), js);
	ev(node, "write", at("w/node_modules/@sc/pkg/package.json"), pj);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
		ev(gcc, "read", at(inputs[i]), version(at(inputs[i]), "preexisting", 0));
	ev(gcc, "read", at("w/dl/x.h"), dl);
	ev(gcc, "read", at("w/node_modules/@sc/pkg/index.js"), js);
	ev(gcc, "write", at("w/app"), app);
	cr_assert_eq(graph_load(st, bid, g), 0);
	cr_assert_eq(graph_ivec_push(arts, graph_latest(*g, at("w/app"))), 0);
}

static struct component_set *resolve(struct graph **g)
{
	struct component_set *s = NULL;
	struct components_opts o = { .root = root };
	struct graph_ivec arts = { 0 };

	record(g, &arts);
	cr_assert_eq(components_resolve(*g, &arts, &o, &s), 0);
	graph_ivec_release(&arts);
	return s;
}

static const struct component *find(const struct component_set *s, enum component_kind k)
{
	for (size_t i = 0; i < components_count(s); i++)
		if (components_get(s, i)->kind == k)
			return components_get(s, i);
	cr_assert_fail("no %s component", components_kind_name(k));
	return NULL;
}

static void one_file(const struct component *c, const char *path)
{
	cr_assert_eq(c->n_files, 1, "%s has %zu files", components_kind_name(c->kind), c->n_files);
	cr_assert_str_eq(c->files[0].path, path);
}

Test(components, chain_in_order)
{
	struct graph *g;
	struct component_set *s = resolve(&g);
	const struct component *c;
	char want[PATH_MAX], commit[64] = "";
	FILE *p;

	cr_assert_eq(components_nwarnings(s), 0, "%s", components_warning(s, 0));
	cr_assert_eq(components_count(s), 7);
	c = find(s, COMPONENT_DEB);
	cr_assert_str_eq(c->name, "libfoo-dev");
	cr_assert_str_eq(c->version, "1.2-3");
	one_file(c, at("sys/foo.h"));
	snprintf(want, sizeof(want), "dpkg database owns %s", at("sys/foo.h"));
	cr_assert_str_eq(c->identified_by, want);
	cr_assert_eq(c->n_evidence, 1);
	cr_assert_str_eq(c->evidence[0], at("root/var/lib/dpkg/info/libfoo-dev.list"));

	c = find(s, COMPONENT_APK);
	cr_assert_str_eq(c->name, "bar");
	cr_assert_str_eq(c->license, "MIT");
	one_file(c, at("apk/bar.h"));

	c = find(s, COMPONENT_GENERIC);
	cr_assert_str_eq(c->name, "x.h");
	cr_assert_str_eq(c->purl, "pkg:generic/x.h?download_url=https%3A%2F%2Fexample.com%2Ff%2Fx.h");
	cr_assert_str_eq(c->download_location, "https://example.com/f/x.h");
	cr_assert_str_eq(c->identified_by, "curl download of https://example.com/f/x.h");
	one_file(c, at("w/dl/x.h"));
	cr_assert(c->files[0].fetched);

	c = find(s, COMPONENT_NPM);
	cr_assert_str_eq(c->purl, "pkg:npm/%40sc/pkg@1.0.0");
	cr_assert_str_eq(c->license, "ISC");
	cr_assert_str_eq(c->identified_by, "npm install of @sc/pkg@1.0.0 (package.json)");
	one_file(c, at("w/node_modules/@sc/pkg/index.js"));

	snprintf(want, sizeof(want), "git -C '%s' rev-parse HEAD", at("repo"));
	cr_assert_not_null(p = popen(want, "r"));
	cr_assert_not_null(fgets(commit, sizeof(commit), p));
	pclose(p);
	commit[strcspn(commit, "\n")] = 0;
	c = find(s, COMPONENT_GIT);
	cr_assert_str_eq(c->commit, commit);
	cr_assert_str_eq(c->version, commit);
	cr_assert_eq(c->dirty, 0);
	one_file(c, at("repo/r.c"));
	cr_assert_str_eq(c->files[0].license, "GPL-2.0-only");
	cr_assert_eq(c->n_licenses_found, 1);

	c = find(s, COMPONENT_PROJECT);
	one_file(c, at("w/main.c"));
	cr_assert_str_eq(c->files[0].license, "MIT");
	cr_assert_null(c->license);
	cr_assert_eq(c->n_licenses_found, 1);
	cr_assert_str_eq(c->licenses_found[0], "MIT");

	c = find(s, COMPONENT_UNRESOLVED);
	one_file(c, at("w/vendor/pre.o"));
	cr_assert(c->files[0].prebuilt);
	components_free(s);
	graph_free(g);
}

Test(components, sorted_by_kind_and_free_accepts_null)
{
	struct graph *g;
	struct component_set *s = resolve(&g);

	for (size_t i = 1; i < components_count(s); i++)
		cr_assert(strcmp(components_kind_name(components_get(s, i - 1)->kind),
				 components_kind_name(components_get(s, i)->kind)) <= 0);
	cr_assert_null(components_get(s, components_count(s)));
	components_free(s);
	components_free(NULL);
	graph_free(g);
}

/* --- the resolution cache ----------------------------------------------------------------- */

static struct component_set *resolve_cached(struct graph *g, const struct graph_ivec *arts,
					    int refresh)
{
	struct components_opts o = { .root = root, .cache = st, .cache_build = bid,
				     .refresh = refresh };
	struct component_set *s = NULL;

	cr_assert_eq(components_resolve(g, arts, &o, &s), 0);
	cr_assert_eq(components_nwarnings(s), 0, "%s", components_warning(s, 0));
	return s;
}

static size_t nfiles(const struct component_set *s)
{
	size_t n = 0;

	for (size_t i = 0; i < components_count(s); i++)
		n += components_get(s, i)->n_files;
	return n;
}

static int count_entry(const struct compcache_entry *e, void *ctx)
{
	(void)e;
	++*(size_t *)ctx;
	return 0;
}

static size_t nentries(void)
{
	size_t n = 0;

	cr_assert_eq(compcache_each(st, bid, count_entry, &n), 0);
	return n;
}

#define SAME_STR(a, b, what)                                                                \
	cr_assert((a) == (b) || ((a) && (b) && !strcmp((a), (b))), "%s: '%s' != '%s'", what,  \
		  (a) ? (a) : "(null)", (b) ? (b) : "(null)")

static void same_lists(const char **a, size_t na, const char **b, size_t nb, const char *what)
{
	cr_assert_eq(na, nb, "%s: %zu != %zu", what, na, nb);
	for (size_t i = 0; i < na; i++)
		SAME_STR(a[i], b[i], what);
}

/* Every field of every component and file of a and b is the same. */
static void same_sets(const struct component_set *a, const struct component_set *b)
{
	cr_assert_eq(components_count(a), components_count(b));
	for (size_t i = 0; i < components_count(a); i++) {
		const struct component *p = components_get(a, i), *q = components_get(b, i);

		cr_assert_eq(p->kind, q->kind);
		SAME_STR(p->name, q->name, "name");
		SAME_STR(p->version, q->version, "version");
		SAME_STR(p->purl, q->purl, "purl");
		SAME_STR(p->cpe, q->cpe, "cpe");
		SAME_STR(p->license, q->license, "license");
		same_lists(p->licenses_found, p->n_licenses_found, q->licenses_found,
			   q->n_licenses_found, "licenses_found");
		SAME_STR(p->download_location, q->download_location, "download_location");
		SAME_STR(p->homepage, q->homepage, "homepage");
		SAME_STR(p->supplier, q->supplier, "supplier");
		SAME_STR(p->identified_by, q->identified_by, "identified_by");
		same_lists(p->evidence, p->n_evidence, q->evidence, q->n_evidence, "evidence");
		SAME_STR(p->remote_url, q->remote_url, "remote_url");
		SAME_STR(p->commit, q->commit, "commit");
		SAME_STR(p->superproject, q->superproject, "superproject");
		cr_assert_eq(p->dirty, q->dirty);
		cr_assert_eq(p->n_files, q->n_files);
		for (size_t k = 0; k < p->n_files; k++) {
			const struct component_file *f = &p->files[k], *h = &q->files[k];

			SAME_STR(f->path, h->path, "file path");
			SAME_STR(f->sha256, h->sha256, "file sha256");
			SAME_STR(f->license, h->license, "file license");
			SAME_STR(f->identified_by, h->identified_by, "file identified_by");
			cr_assert_eq(f->version, h->version);
			cr_assert_eq(f->runtime, h->runtime);
			cr_assert_eq(f->prebuilt, h->prebuilt);
			cr_assert_eq(f->fetched, h->fetched);
		}
	}
}

Test(components, second_resolution_comes_from_the_cache)
{
	struct graph_ivec arts = { 0 };
	struct component_set *plain, *first, *second;
	struct graph *g;

	record(&g, &arts);
	plain = resolve_cached(g, &arts, 0);
	cr_assert_eq(components_ncached(plain), 0, "the cache starts empty");
	cr_assert_eq(nentries(), nfiles(plain), "one entry per file");
	first = resolve_cached(g, &arts, 0);
	cr_assert_eq(components_ncached(first), nfiles(first), "every file from the cache");
	same_sets(plain, first);
	second = resolve_cached(g, &arts, 0);
	same_sets(first, second);
	components_free(second);
	components_free(first);
	components_free(plain);
	graph_ivec_release(&arts);
	graph_free(g);
}

/* compcache_get() callback: puts the entry back with version "cached-test". */
static int edit_version(const struct compcache_entry *e, void *ctx)
{
	struct compcache_entry n = *e;

	(void)ctx;
	n.version = "cached-test";
	return compcache_put(st, bid, &n);
}

Test(components, an_edited_entry_shows_until_refresh)
{
	struct graph_ivec arts = { 0 };
	struct component_set *s;
	struct graph *g;

	record(&g, &arts);
	components_free(resolve_cached(g, &arts, 0));
	cr_assert_eq(compcache_get(st, bid, at("sys/foo.h"), H("a"), edit_version, NULL), 0);
	s = resolve_cached(g, &arts, 0);
	cr_assert_str_eq(find(s, COMPONENT_DEB)->version, "cached-test");
	cr_assert_str_eq(find(s, COMPONENT_APK)->version, "2.0-r0");
	components_free(s);
	s = resolve_cached(g, &arts, 1);
	cr_assert_eq(components_ncached(s), 0, "--refresh reads no entry");
	cr_assert_str_eq(find(s, COMPONENT_DEB)->version, "1.2-3");
	components_free(s);
	s = resolve_cached(g, &arts, 0);
	cr_assert_eq(components_ncached(s), nfiles(s), "refresh rewrote the cache");
	cr_assert_str_eq(find(s, COMPONENT_DEB)->version, "1.2-3");
	components_free(s);
	graph_ivec_release(&arts);
	graph_free(g);
}

Test(components, without_a_store_nothing_is_cached)
{
	struct graph *g;
	struct component_set *s = resolve(&g);

	cr_assert_eq(components_ncached(s), 0);
	cr_assert_eq(nentries(), 0);
	components_free(s);
	graph_free(g);
}

Test(components, no_licscan_reads_the_cache_without_licenses_and_writes_nothing)
{
	struct graph_ivec arts = { 0 };
	struct components_opts o = { .root = root, .cache = st, .cache_build = bid,
				     .no_licscan = 1 };
	struct component_set *s = NULL;
	struct graph *g;

	record(&g, &arts);
	cr_assert_eq(components_resolve(g, &arts, &o, &s), 0);
	cr_assert_eq(nentries(), 0, "a run without licscan is not cached");
	components_free(s);
	components_free(resolve_cached(g, &arts, 0));
	cr_assert_eq(components_resolve(g, &arts, &o, &s), 0);
	cr_assert_eq(components_ncached(s), nfiles(s));
	cr_assert_null(find(s, COMPONENT_PROJECT)->files[0].license);
	cr_assert_eq(find(s, COMPONENT_PROJECT)->n_licenses_found, 0);
	components_free(s);
	graph_ivec_release(&arts);
	graph_free(g);
}
