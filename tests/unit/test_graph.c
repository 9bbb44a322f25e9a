/* test_graph.c - steps, classification, edges and artifacts on small synthetic records. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "asbuilt/steps.h"
#include "asbuilt/store.h"

static char dbpath[] = "/tmp/asbuilt-test-graph-XXXXXX";
static struct store *st;
static int64_t bid;

static void setup(void)
{
	char err[256];
	int fd = mkstemp(dbpath);

	cr_assert(fd >= 0);
	close(fd);
	unlink(dbpath);
	cr_assert_eq(store_open(dbpath, 1, &st, err, sizeof(err)), 0, "%s", err);
	struct store_build b = { .started_ns = 1, .cwd = "/w", .backend = "preload",
				 .argv = { "make", 4 } };
	bid = store_build_new(st, &b);
	cr_assert(bid > 0);
	cr_assert_eq(store_build_finish(st, bid, 2, 0, "finished", 1, 0, 0), 0);
}

static void teardown(void)
{
	store_close(st);
	unlink(dbpath);
}

TestSuite(graph, .init = setup, .fini = teardown);

static int64_t proc(int64_t parent, const char *exe, const char *argv)
{
	struct store_process p = { .build_id = bid, .pid = 100, .parent_id = parent, .exe = exe,
				   .cwd = "/w", .argv = { argv, strlen(argv) }, .source = "preload" };
	int64_t id = store_process_new(st, &p);

	cr_assert(id > 0);
	return id;
}

static int64_t version(const char *path, const char *origin, int64_t writer, const char *sha)
{
	static int64_t vseq[64];
	static char seen[64][64];
	int i;

	for (i = 0; i < 64 && seen[i][0] && strcmp(seen[i], path); i++)
		;
	snprintf(seen[i], sizeof(seen[i]), "%s", path);
	struct store_version v = { .build_id = bid, .path = path, .vseq = ++vseq[i], .sha256 = sha,
				   .origin = origin, .state = "ok", .writer_id = writer };
	int64_t id = store_version_add(st, &v);

	cr_assert(id > 0);
	return id;
}

static void ev(int64_t p, const char *op, const char *acc, const char *path, int64_t ver,
	       const char *path2)
{
	struct store_event e = { .build_id = bid, .process_id = p, .op = op, .access = acc,
				 .path = path, .abspath = path, .realpath = path,
				 .path2 = path2, .abspath2 = path2, .version_id = ver };

	cr_assert(store_event_add(st, &e) > 0);
}

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c

/* make -> gcc (cc1 + as, through /tmp/cc1.s) -> a.o; ar a.o -> lib.a; ar b.o -> lib.a again;
 * gcc link main.o lib.a -> prog; strip prog (temp file renamed over prog). */
static struct graph *record_sample(void)
{
	struct graph *g;
	int64_t make = proc(0, "/usr/bin/make", "make");
	int64_t mk = version("/w/Makefile", "preexisting", 0, H("1"));
	ev(make, "open", "read", "/w/Makefile", mk, NULL);

	int64_t gcc = proc(make, "/usr/bin/x86_64-linux-gnu-gcc-12", "gcc\0-c\0a.c");
	int64_t cc1 = proc(gcc, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "cc1");
	int64_t cc1v = version("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "preexisting", 0, H("2"));
	ev(cc1, "exec", "read", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", cc1v, NULL);
	int64_t ac = version("/w/a.c", "preexisting", 0, H("3"));
	int64_t hh = version("/usr/include/h.h", "preexisting", 0, H("4"));
	int64_t s = version("/tmp/cc1.s", "written", cc1, H("5"));
	ev(cc1, "open", "read", "/w/a.c", ac, NULL);
	ev(cc1, "open", "read", "/usr/include/h.h", hh, NULL);
	ev(cc1, "open", "read", "/w/missing.h", 0, NULL);
	ev(cc1, "open", "write", "/tmp/cc1.s", s, NULL);
	int64_t as = proc(gcc, "/usr/bin/x86_64-linux-gnu-as", "as");
	int64_t ao = version("/w/a.o", "written", as, H("6"));
	ev(as, "open", "read", "/tmp/cc1.s", s, NULL);
	ev(as, "open", "write", "/w/a.o", ao, NULL);
	ev(gcc, "unlink", "write", "/tmp/cc1.s", 0, NULL);

	int64_t ar1 = proc(make, "/usr/bin/x86_64-linux-gnu-ar", "ar\0rcs\0lib.a\0a.o");
	int64_t l1 = version("/w/lib.a", "written", ar1, H("7"));
	ev(ar1, "open", "write", "/w/lib.a", l1, NULL);
	ev(ar1, "open", "read", "/w/a.o", ao, NULL);
	int64_t ar2 = proc(make, "/usr/bin/x86_64-linux-gnu-ar", "ar\0rcs\0lib.a\0b.o");
	int64_t bo = version("/w/b.o", "preexisting", 0, H("8"));
	int64_t l2 = version("/w/lib.a", "written", ar2, H("9"));
	ev(ar2, "open", "read", "/w/b.o", bo, NULL);
	ev(ar2, "open", "write", "/w/lib.a", l2, NULL);

	int64_t ld = proc(make, "/usr/bin/ld", "ld\0-o\0prog\0lib.a");
	int64_t p1 = version("/w/prog", "written", ld, H("a"));
	ev(ld, "open", "read", "/w/lib.a", l2, NULL);
	ev(ld, "open", "write", "/w/prog", p1, NULL);
	int64_t strip = proc(make, "/usr/bin/x86_64-linux-gnu-strip", "strip\0prog");
	int64_t tmp = version("/w/stXYZ", "written", strip, H("b"));
	ev(strip, "open", "read", "/w/prog", p1, NULL);
	ev(strip, "open", "write", "/w/stXYZ", tmp, NULL);
	int64_t p2 = version("/w/prog", "renamed", strip, H("c"));
	ev(strip, "rename", "write", "/w/stXYZ", p2, "/w/prog");

	cr_assert_eq(graph_load(st, bid, &g), 0);
	return g;
}

static int has(const struct graph *g, const struct graph_ivec *a, const char *path)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(g->v[a->v[i]].path, path))
			return 1;
	return 0;
}

Test(graph, drivers_are_steps_orchestrators_are_not)
{
	struct graph *g = record_sample();

	cr_assert_eq(g->ns, 5, "gcc, ar, ar, ld, strip: %zu steps", g->ns);
	cr_assert_eq(g->p[0].step, -1, "make is an orchestrator");
	cr_assert_eq(g->p[1].step, g->p[2].step, "cc1 is in the gcc step");
	cr_assert_eq(g->p[1].step, g->p[3].step, "as is in the gcc step");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[1].step].kind), "compile");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[4].step].kind), "archive");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[7].step].kind), "strip");
	graph_free(g);
}

Test(graph, object_inputs_chain_through_the_temporary_assembly)
{
	struct graph *g = record_sample();
	struct graph_ivec d = { 0 };
	int ao = graph_latest(g, "/w/a.o");

	cr_assert_eq(graph_direct(g, ao, &d), 0);
	cr_assert_eq(d.n, 2);
	cr_assert(has(g, &d, "/w/a.c") && has(g, &d, "/usr/include/h.h"));
	cr_assert(!has(g, &d, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"), "the compiler is a tool");
	cr_assert(g->v[graph_latest(g, "/tmp/cc1.s")].flags & GRAPH_V_TEMP);
	graph_ivec_release(&d);
	graph_free(g);
}

Test(graph, inplace_rewrites_keep_the_chain)
{
	struct graph *g = record_sample();
	struct graph_ivec d = { 0 }, c = { 0 };
	int prog = graph_latest(g, "/w/prog");

	cr_assert_eq(graph_direct(g, prog, &d), 0);
	cr_assert_eq(d.n, 1, "the stripped prog comes from the linked prog");
	cr_assert_eq(g->v[d.v[0]].vseq, 1);
	cr_assert_eq(graph_closure(g, prog, &c), 0);
	cr_assert(has(g, &c, "/w/a.c") && has(g, &c, "/w/b.o") && has(g, &c, "/w/a.o"));
	cr_assert(!has(g, &c, "/tmp/cc1.s") && !has(g, &c, "/w/stXYZ"), "no temporaries");
	cr_assert(!has(g, &c, "/w/Makefile"), "the orchestrator's makefile is no input");
	graph_ivec_release(&d);
	graph_ivec_release(&c);
	graph_free(g);
}

Test(graph, artifacts_are_the_unconsumed_final_versions)
{
	struct graph *g = record_sample();
	struct graph_ivec a = { 0 };

	cr_assert_eq(artifacts_list(g, &a), 0);
	cr_assert_eq(a.n, 1);
	cr_assert_str_eq(g->v[a.v[0]].path, "/w/prog");
	cr_assert_eq(g->v[a.v[0]].vseq, 2);
	graph_ivec_release(&a);
	graph_free(g);
}

Test(graph, probes_stay_out)
{
	struct graph *g;
	struct graph_ivec a = { 0 };
	int64_t sh = proc(0, "/usr/bin/dash", "sh\0./configure");
	int64_t cc = proc(sh, "/usr/bin/gcc", "gcc\0conftest.c");
	int64_t c = version("/w/conftest.c", "written", sh, H("d"));
	int64_t o = version("/w/conftest.o", "written", cc, H("e"));
	ev(sh, "open", "write", "/w/conftest.c", c, NULL);
	ev(cc, "open", "read", "/w/conftest.c", c, NULL);
	ev(cc, "open", "write", "/w/conftest.o", o, NULL);

	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(artifacts_list(g, &a), 0);
	cr_assert_eq(a.n, 0, "a probe object is no artifact");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[1].step].kind), "compile");
	graph_ivec_release(&a);
	graph_free(g);
}

Test(graph, driver_names)
{
	cr_assert(steps_is_driver("/usr/bin/x86_64-linux-gnu-gcc-12"));
	cr_assert(steps_is_driver("/usr/bin/clang-14"));
	cr_assert(steps_is_driver("/usr/bin/cc"));
	cr_assert(!steps_is_driver("/usr/bin/x86_64-linux-gnu-gcc-ar-12"));
	cr_assert(!steps_is_driver("/usr/lib/gcc/x86_64-linux-gnu/12/cc1"));
	cr_assert(!steps_is_driver(NULL));
}

static int64_t proc_exec(int64_t parent, int64_t prev, const char *exe, const char *argv)
{
	struct store_process p = { .build_id = bid,
				   .pid = 100,
				   .parent_id = parent,
				   .prev_id = prev,
				   .exe = exe,
				   .cwd = "/w",
				   .argv = { argv, strlen(argv) },
				   .source = "preload" };
	int64_t id = store_process_new(st, &p);

	cr_assert(id > 0);
	return id;
}

/* automake's recipes under SHELL=/bin/bash: the recipe shell execs `make all-recursive`
 * and, below it, each `gcc -c` itself.  Found by tests/realworld on GNU hello: the exec'd
 * make inherited the do-nothing shell's step, and every compile and link joined it. */
Test(graph, exec_from_a_recipe_shell_does_not_merge_steps)
{
	struct graph *g;
	struct graph_ivec d = { 0 };
	int64_t make0 = proc(0, "/usr/bin/make", "make");
	int64_t sh1 = proc(make0, "/usr/bin/bash", "/bin/bash\0-c\0make all-recursive");
	int64_t make1 = proc_exec(make0, sh1, "/usr/bin/make", "make\0all-recursive");
	int64_t sh2 = proc(make1, "/usr/bin/bash", "/bin/bash\0-c\0gcc -c a.c");
	int64_t gcc = proc_exec(make1, sh2, "/usr/bin/gcc", "gcc\0-c\0a.c");
	int64_t cc1 = proc(gcc, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "cc1");
	int64_t ac = version("/w/a.c", "preexisting", 0, H("1"));
	int64_t ao = version("/w/a.o", "written", cc1, H("2"));
	ev(cc1, "open", "read", "/w/a.c", ac, NULL);
	ev(cc1, "open", "write", "/w/a.o", ao, NULL);
	int64_t sh3 = proc(make1, "/usr/bin/bash", "/bin/bash\0-c\0gcc -shared -o libp.so a.o");
	int64_t ld = proc_exec(make1, sh3, "/usr/bin/gcc", "gcc\0-shared\0-o\0libp.so\0a.o");
	int64_t so = version("/w/libp.so", "written", ld, H("3"));
	ev(ld, "open", "read", "/w/a.o", ao, NULL);
	ev(ld, "open", "write", "/w/libp.so", so, NULL);

	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(g->p[2].step, -1, "the exec'd make is an orchestrator");
	cr_assert_neq(g->p[4].step, g->p[7].step, "compile and link are two steps");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[4].step].kind), "compile");
	cr_assert_str_eq(steps_kind_name(g->s[g->p[7].step].kind), "link");
	cr_assert_eq(graph_direct(g, graph_latest(g, "/w/libp.so"), &d), 0);
	cr_assert_eq(d.n, 1);
	cr_assert_str_eq(g->v[d.v[0]].path, "/w/a.o", "the link's input is the object");
	graph_ivec_release(&d);
	graph_free(g);
}

/* A version of path in a state other than 'ok' (no hash). */
static int64_t unhashed(const char *path, int vseq, const char *origin, const char *state,
			int64_t writer)
{
	struct store_version v = { .build_id = bid,
				   .path = path,
				   .vseq = vseq,
				   .origin = origin,
				   .state = state,
				   .writer_id = writer };
	int64_t id = store_version_add(st, &v);

	cr_assert(id > 0);
	return id;
}

/* gcc -c a.c: cc1 writes tmp (its version sw), as reads it (the read's version made by
 * read_version from its own origin and state), gcc removes it; a.o's direct input must be
 * a.c, not the read of tmp. */
static void object_reaches_its_source_through(const char *tmp, int64_t (*written)(int64_t),
					      const char *r_origin, const char *r_state)
{
	struct graph *g;
	struct graph_ivec d = { 0 };
	int64_t make = proc(0, "/usr/bin/make", "make");
	int64_t gcc = proc(make, "/usr/bin/gcc", "gcc\0-c\0a.c");
	int64_t cc1 = proc(gcc, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "cc1");
	int64_t as = proc(gcc, "/usr/bin/as", "as");
	int64_t ac = version("/w/a.c", "preexisting", 0, H("1"));
	int64_t sw = written(cc1);
	int64_t sr = unhashed(tmp, 2, r_origin, r_state, 0);
	int64_t ao = version("/w/a.o", "written", as, H("2"));
	ev(cc1, "open", "read", "/w/a.c", ac, NULL);
	ev(cc1, "open", "write", tmp, sw, NULL);
	ev(as, "open", "read", tmp, sr, NULL);
	ev(as, "open", "write", "/w/a.o", ao, NULL);
	ev(gcc, "unlink", "write", tmp, 0, NULL);

	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(graph_direct(g, graph_latest(g, "/w/a.o"), &d), 0);
	cr_assert_eq(d.n, 1, "a.o has %zu direct inputs", d.n);
	cr_assert_str_eq(g->v[d.v[0]].path, "/w/a.c", "the object comes from its source");
	graph_ivec_release(&d);
	graph_free(g);
}

static int64_t vanished_s(int64_t cc1)
{
	return unhashed("/tmp/ccX.s", 1, "written", "vanished", cc1);
}

/* Under eBPF the collector may find cc1's /tmp/ccX.s gone both when cc1 exits and when
 * `as` reads it: the read becomes a version of its own ('external', vanished).  Found by
 * tests/realworld on cJSON's fuzz_main.c.o: the object's inputs stopped at that read. */
Test(graph, a_vanished_read_of_a_temporary_leads_to_its_writer)
{
	object_reaches_its_source_through("/tmp/ccX.s", vanished_s, "external", "vanished");
}

static int64_t hashed_s(int64_t cc1)
{
	return version("/tmp/ccY.s", "written", cc1, H("5"));
}

/* The same under eBPF when the file was rewritten before the collector hashed the read
 * (configure's conftest.err, rewritten by the next test at once): the read's version is
 * 'changed', no hash; the build removed the file, so the read stands for what the build
 * wrote there, not for an unhashed outside file. */
Test(graph, a_changed_read_of_a_temporary_leads_to_its_writer)
{
	object_reaches_its_source_through("/tmp/ccY.s", hashed_s, "preexisting", "changed");
}

/* config.status: `sed ... | awk -f subs.awk > out` in a step that read many other files:
 * the child that opened out read nothing itself, then exec'd awk.  Found by
 * tests/realworld on libsodium's version.h, which came from all 811 files of the dh step. */
Test(graph, a_redirect_takes_the_inputs_of_what_it_execs)
{
	struct graph *g;
	struct graph_ivec d = { 0 };
	int64_t sh = proc(0, "/usr/bin/bash", "/bin/bash\0./config.status");
	int64_t cs = version("/w/config.status", "preexisting", 0, H("1"));
	int64_t other = version("/w/test.c", "preexisting", 0, H("2"));
	ev(sh, "open", "read", "/w/config.status", cs, NULL);
	ev(sh, "open", "read", "/w/test.c", other, NULL);
	int64_t sub = proc(sh, "/usr/bin/bash", "/bin/bash");
	int64_t out = version("/w/out", "written", sub, H("3"));
	ev(sub, "open", "write", "/w/out", out, NULL);
	int64_t awk = proc_exec(sh, sub, "/usr/bin/mawk", "mawk\0-f\0subs.awk");
	int64_t sa = version("/w/subs.awk", "preexisting", 0, H("4"));
	ev(awk, "open", "read", "/w/subs.awk", sa, NULL);

	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(graph_direct(g, graph_latest(g, "/w/out"), &d), 0);
	cr_assert_eq(d.n, 1, "out has %zu direct inputs", d.n);
	cr_assert_str_eq(g->v[d.v[0]].path, "/w/subs.awk");
	graph_ivec_release(&d);
	graph_free(g);
}

/* Rows of builds recorded at the same time into one database interleave: each build's graph
 * holds its own rows and no other's, whether its rows start or end the tables or sit in
 * the middle (graphq's id-range scan). */
Test(graph, interleaved_builds)
{
	struct store_build b = { .started_ns = 3, .cwd = "/w", .backend = "preload",
				 .argv = { "make", 4 } };
	int64_t b1 = bid, b2 = store_build_new(st, &b), b3 = store_build_new(st, &b);
	int64_t want[4][3] = { { 0 } }; /* [build] = { processes, events, versions } */
	const int64_t order[] = { b1, b2, b1, b3, b2, b1, b2, b3 };

	cr_assert(b2 > 0 && b3 > 0);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char path[32];
		int64_t p, v;

		bid = order[i];
		snprintf(path, sizeof(path), "/w/f%zu.c", i);
		p = proc(0, "/usr/bin/cc", "cc");
		v = version(path, "external", 0, H("a"));
		ev(p, "open", "read", path, v, NULL);
		ev(p, "open", "read", path, v, NULL);
		want[bid][0]++;
		want[bid][1] += 2;
		want[bid][2]++;
	}
	for (int64_t id = b1; id <= b3; id++) {
		struct graph *g;

		cr_assert_eq(graph_load(st, id, &g), 0);
		cr_assert_eq((int64_t)g->np, want[id][0], "build %lld: processes", (long long)id);
		cr_assert_eq((int64_t)g->ne, want[id][1], "build %lld: events", (long long)id);
		cr_assert_eq((int64_t)g->nv, want[id][2], "build %lld: versions", (long long)id);
		for (size_t i = 0; i < g->nv; i++) {
			unsigned k = 99;

			cr_assert_eq(sscanf(g->v[i].path, "/w/f%u.c", &k), 1);
			cr_assert_eq(order[k], id, "build %lld holds %s", (long long)id,
				     g->v[i].path);
		}
		graph_free(g);
	}
	bid = b1;
}
