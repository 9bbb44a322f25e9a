/*
 * synth.c - writes a synthetic asbuilt record of a large C build, for bench/graph.sh.
 *
 * usage: synth DB [STEPS [EVENTS]]        (defaults: 10000 steps, 1000000 file events)
 *
 * Appends one finished build to DB (created with asbuilt's own store, so the schema is the
 * one asbuilt writes) shaped like a real `make` of a C project, as the preload backend
 * records it (see a real record of examples/hello-make):
 *   - 90% of the steps are compiles: gcc forks cc1 (exec event in the fork image), which
 *     reads its source and ~100 headers (system headers under /usr/include, project headers
 *     under the cwd, some read twice as cc1 does), locale noise, and writes /tmp/ccN.s;
 *     gcc forks as, which reads the .s and writes the object; gcc unlinks the .s;
 *   - 9.5% are archives: ar reads ~10 objects and writes lib/libK.a (every object but the
 *     links' own goes into one archive);
 *   - the rest are links: gcc -> collect2 -> ld reads the crt objects, one object of its
 *     own, ~20 archives, the libc.so linker script and libc.so.6, and writes bin/progN.
 * The header count per compile is chosen so that the build has about EVENTS file events.
 * No file exists on disk: paths live under /synth/proj (system header paths are taken from
 * this machine's /usr/include when there are enough, so that dpkg resolution has work).
 * Deterministic: the same arguments give the same record.
 *
 * Build: cc -O2 -Iinclude -o synth bench/synth.c build/libasbuilt.a -lsqlite3
 */
#include <glob.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/store.h"

#define CWD "/synth/proj"
#define GCC "/usr/bin/x86_64-linux-gnu-gcc-12"
#define CC1 "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"
#define AS "/usr/bin/x86_64-linux-gnu-as"
#define COLLECT2 "/usr/lib/gcc/x86_64-linux-gnu/12/collect2"
#define LD "/usr/bin/x86_64-linux-gnu-ld.bfd"
#define AR "/usr/bin/x86_64-linux-gnu-ar"
#define MAKE "/usr/bin/make"
#define LIBDIR "/usr/lib/x86_64-linux-gnu"
#define GCCLIB "/usr/lib/gcc/x86_64-linux-gnu/12"

static struct store *st;
static int64_t bid, ts = 1700000000000000000LL;
static int next_pid = 1000;
static uint64_t rng = 88172645463325252ULL;
static int64_t nevents;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void die(const char *what)
{
	fprintf(stderr, "synth: %s: %s\n", what, store_errmsg(st));
	exit(1);
}

/* A new version of path; sha256 made up from a counter. */
static int64_t version(const char *path, int vseq, const char *origin, int64_t writer)
{
	static uint64_t n;
	char sha[65];
	struct store_version v = { .build_id = bid, .path = path, .vseq = vseq, .sha256 = sha,
				   .size = 1000 + (int64_t)(rnd() % 100000), .origin = origin,
				   .writer_id = writer, .state = "ok" };
	int64_t id;

	n++;
	snprintf(sha, sizeof(sha), "%016llx%016llx%016llx%016llx", (unsigned long long)n,
		 (unsigned long long)(n * 2654435761u), (unsigned long long)rnd(),
		 (unsigned long long)rnd());
	id = store_version_add(st, &v);
	if (id <= 0)
		die("version");
	return id;
}

static int64_t proc(int64_t parent, int64_t prev, const char *exe, const char *argv, size_t len)
{
	struct store_process p = { .build_id = bid, .pid = prev ? next_pid : ++next_pid,
				   .parent_id = parent, .prev_id = prev, .exe = exe,
				   .exec_path = exe, .argv = { argv, len }, .cwd = CWD,
				   .start_ns = ts, .source = "preload" };
	int64_t id = store_process_new(st, &p);

	if (id <= 0)
		die("process");
	return id;
}

static void end(int64_t id, const char *how)
{
	if (store_process_end(st, id, ts, 0, how, (struct store_bytes){ 0 }, NULL))
		die("process end");
}

static void event(int64_t pid, const char *op, const char *access, const char *path,
		  int64_t flags, int64_t vid, const char *noise)
{
	struct store_event e = { .build_id = bid, .process_id = pid, .ts_ns = ts += 1000,
				 .op = op, .access = access, .path = path, .abspath = path,
				 .realpath = vid ? path : NULL, .flags = flags,
				 .result = strcmp(op, "open") ? 0 : 3, .version_id = vid,
				 .noise = noise };

	if (store_event_add(st, &e) <= 0)
		die("event");
	nevents++;
}

static void rd(int64_t pid, const char *path, int64_t vid)
{
	event(pid, "open", "read", path, 0x80000, vid, NULL);
}

static void wr(int64_t pid, const char *path, int64_t vid)
{
	event(pid, "open", "write", path, 01101, vid, NULL);
}

/* A fork image of parent that execs exe: returns the exec'd image. */
static int64_t spawn(int64_t parent, const char *exe, int64_t exe_vid, const char *argv,
		     size_t len)
{
	int64_t fork_img = proc(parent, 0, NULL, NULL, 0);

	event(fork_img, "exec", "read", exe, 0, exe_vid, NULL);
	end(fork_img, "exec");
	return proc(parent, fork_img, exe, argv, len);
}

struct pool {
	char **path;
	int64_t *vid;
	int n;
};

static void pool_add(struct pool *p, const char *path)
{
	p->path = realloc(p->path, (p->n + 1) * sizeof(*p->path));
	p->vid = realloc(p->vid, (p->n + 1) * sizeof(*p->vid));
	if (!p->path || !p->vid || !(p->path[p->n] = strdup(path)))
		exit(1);
	p->vid[p->n++] = version(path, 1, "preexisting", 0);
}

static void system_headers(struct pool *p, int want)
{
	glob_t g = { 0 };
	char buf[256];

	glob("/usr/include/*.h", 0, NULL, &g);
	glob("/usr/include/*/*.h", GLOB_APPEND, NULL, &g);
	for (size_t i = 0; i < g.gl_pathc && p->n < want; i++)
		pool_add(p, g.gl_pathv[i]);
	globfree(&g);
	for (int i = 0; p->n < want; i++) {
		snprintf(buf, sizeof(buf), "/usr/include/synth/h%d.h", i);
		pool_add(p, buf);
	}
}

/* argv "a\0b\0c" from a space-separated string (no quoting needed here). */
static size_t mkargv(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static size_t mkargv(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	for (int i = 0; i < n; i++)
		if (buf[i] == ' ')
			buf[i] = 0;
	return (size_t)n;
}

struct tools {
	int64_t gcc, cc1, as, collect2, ld, ar;
	int64_t crt[5], libc_so, libc6, nonshared;
};

static void compile(const struct tools *t, int64_t make, int i, const struct pool *sys,
		    const struct pool *proj, int nh, int64_t *obj_vid, char *obj)
{
	char src[128], tmp[64], argv[512];
	size_t n = mkargv(argv, sizeof(argv), "gcc -O2 -g -Iinclude -c -o obj/m%d/f%d.o src/m%d/f%d.c",
			  i / 100, i, i / 100, i);
	int64_t gcc = proc(make, 0, GCC, argv, n), cc1, as, svid;

	snprintf(src, sizeof(src), CWD "/src/m%d/f%d.c", i / 100, i);
	snprintf(obj, 128, CWD "/obj/m%d/f%d.o", i / 100, i);
	snprintf(tmp, sizeof(tmp), "/tmp/cc%06d.s", i);
	event(gcc, "exec", "read", GCC, 0, t->gcc, NULL);
	cc1 = spawn(gcc, CC1, t->cc1, "cc1", 3);
	rd(cc1, src, version(src, 1, "preexisting", 0));
	event(cc1, "open", "read", "/usr/lib/locale/locale-archive", 0x80000, 0, "locale");
	event(cc1, "open", "read", "/proc/self/maps", 0x80000, 0, "proc");
	svid = version(tmp, 1, "written", cc1);
	wr(cc1, tmp, svid);
	for (int h = 0; h < nh; h++) {
		const struct pool *p = h % 5 < 3 ? sys : proj; /* 60% system headers */
		int k = (int)((h % 5 < 3 ? (uint64_t)h * 7 + i % 13 : rnd()) % (uint64_t)p->n);

		rd(cc1, p->path[k], p->vid[k]);
	}
	end(cc1, "exit");
	as = spawn(gcc, AS, t->as, "as", 2);
	*obj_vid = version(obj, 1, "written", as);
	wr(as, obj, *obj_vid);
	rd(as, tmp, svid);
	end(as, "exit");
	event(gcc, "unlink", "write", tmp, 0, 0, NULL);
	end(gcc, "exit");
}

static void archive(const struct tools *t, int64_t make, int k, char **objs, int64_t *ovid,
		    int from, int count, char *lib, int64_t *lib_vid)
{
	char argv[256];
	size_t n;
	int64_t ar;

	snprintf(lib, 128, CWD "/lib/lib%d.a", k);
	n = mkargv(argv, sizeof(argv), "ar rcs lib/lib%d.a obj/...", k);
	ar = proc(make, 0, AR, argv, n);
	event(ar, "exec", "read", AR, 0, t->ar, NULL);
	*lib_vid = version(lib, 1, "written", ar);
	wr(ar, lib, *lib_vid);
	for (int j = from; j < from + count; j++)
		rd(ar, objs[j], ovid[j]);
	end(ar, "exit");
}

static void link_prog(const struct tools *t, int64_t make, int k, const char *obj,
		      int64_t obj_vid, char **libs, int64_t *lvid, int nlibs)
{
	static const char *const crt[5] = { LIBDIR "/Scrt1.o", LIBDIR "/crti.o",
					    GCCLIB "/crtbeginS.o", GCCLIB "/crtendS.o",
					    LIBDIR "/crtn.o" };
	char out[128], argv[256];
	size_t n = mkargv(argv, sizeof(argv), "gcc -o bin/prog%d obj/... -Llib -l...", k);
	int64_t gcc = proc(make, 0, GCC, argv, n), c2, ld;

	event(gcc, "exec", "read", GCC, 0, t->gcc, NULL);
	c2 = spawn(gcc, COLLECT2, t->collect2, "collect2", 8);
	ld = spawn(c2, LD, t->ld, "ld", 2);
	snprintf(out, sizeof(out), CWD "/bin/prog%d", k);
	wr(ld, out, version(out, 1, "written", ld));
	for (int j = 0; j < 3; j++)
		rd(ld, crt[j], t->crt[j]);
	rd(ld, obj, obj_vid);
	for (int j = 0; j < nlibs; j++)
		rd(ld, libs[j], lvid[j]);
	rd(ld, LIBDIR "/libc.so", t->libc_so);
	rd(ld, LIBDIR "/libc.so.6", t->libc6);
	rd(ld, LIBDIR "/libc_nonshared.a", t->nonshared);
	for (int j = 3; j < 5; j++)
		rd(ld, crt[j], t->crt[j]);
	end(ld, "exit");
	end(c2, "exit");
	end(gcc, "exit");
}

static void tools_init(struct tools *t)
{
	static const char *const crt[5] = { LIBDIR "/Scrt1.o", LIBDIR "/crti.o",
					    GCCLIB "/crtbeginS.o", GCCLIB "/crtendS.o",
					    LIBDIR "/crtn.o" };

	t->gcc = version(GCC, 1, "preexisting", 0);
	t->cc1 = version(CC1, 1, "preexisting", 0);
	t->as = version(AS, 1, "preexisting", 0);
	t->collect2 = version(COLLECT2, 1, "preexisting", 0);
	t->ld = version(LD, 1, "preexisting", 0);
	t->ar = version(AR, 1, "preexisting", 0);
	for (int j = 0; j < 5; j++)
		t->crt[j] = version(crt[j], 1, "preexisting", 0);
	t->libc_so = version(LIBDIR "/libc.so", 1, "preexisting", 0);
	t->libc6 = version(LIBDIR "/libc.so.6", 1, "preexisting", 0);
	t->nonshared = version(LIBDIR "/libc_nonshared.a", 1, "preexisting", 0);
}

int main(int argc, char **argv)
{
	int steps = argc > 2 ? atoi(argv[2]) : 10000;
	long target = argc > 3 ? atol(argv[3]) : 1000000;
	int nc = steps * 90 / 100, na = steps * 95 / 1000, nl = steps - nc - na;
	int in_ar, nh;
	struct pool sys = { 0 }, proj = { 0 };
	struct tools t;
	char err[512], buf[128], **objs, **libs;
	int64_t make, *ovid, *lvid;
	struct store_build b = { .started_ns = ts, .argv = { "make\0-j8", 8 }, .cwd = CWD,
				 .backend = "preload", .hostname = "synth", .user = "synth" };

	if (argc < 2 || steps < 100 || target < steps * 20L) {
		fprintf(stderr, "usage: synth DB [STEPS>=100 [EVENTS>=20*STEPS]]\n");
		return 2;
	}
	if (store_open(argv[1], 1, &st, err, sizeof(err))) {
		fprintf(stderr, "synth: %s\n", err);
		return 1;
	}
	/* the last nl objects are the links' own, the others go into the archives */
	in_ar = nc - nl;
	/* events: compile = nh + 10, archives = in_ar + 2 na, link = 13 + nlibs (20) */
	nh = (int)((target - in_ar - 2L * na - (long)nl * 33 + nc / 2) / nc) - 10;
	if (nh < 1)
		nh = 1;
	objs = calloc(nc, sizeof(*objs));
	ovid = calloc(nc, sizeof(*ovid));
	libs = calloc(na + 1, sizeof(*libs));
	lvid = calloc(na + 1, sizeof(*lvid));
	if (!objs || !ovid || !libs || !lvid)
		return 1;
	store_begin(st);
	if ((bid = store_build_new(st, &b)) <= 0)
		die("build");
	tools_init(&t);
	system_headers(&sys, 400);
	for (int i = 0; i < 2000; i++) {
		snprintf(buf, sizeof(buf), CWD "/include/mod%d/h%d.h", i / 50, i);
		pool_add(&proj, buf);
	}
	make = proc(0, 0, MAKE, "make\0-j8", 8);
	event(make, "open", "read", CWD "/Makefile", 0x80000,
	      version(CWD "/Makefile", 1, "preexisting", 0), NULL);
	for (int i = 0; i < nc; i++) {
		if (!(objs[i] = malloc(128)))
			return 1;
		compile(&t, make, i, &sys, &proj, nh, &ovid[i], objs[i]);
	}
	for (int k = 0; k < na; k++) {
		if (!(libs[k] = malloc(128)))
			return 1;
		int from = (int)((long)k * in_ar / na), to = (int)((long)(k + 1) * in_ar / na);

		archive(&t, make, k, objs, ovid, from, to - from, libs[k], &lvid[k]);
	}
	for (int k = 0; k < nl; k++) { /* each: an object of its own, 20 archives in a row */
		int o = in_ar + k, nlibs = na < 20 ? na : 20;
		int lib_from = (int)((long)k * (na - nlibs) / (nl > 1 ? nl - 1 : 1));

		link_prog(&t, make, k, objs[o], ovid[o], libs + lib_from, lvid + lib_from, nlibs);
	}
	end(make, "exit");
	if (store_build_finish(st, bid, ts, 0, "finished", 1, nevents, 0) || store_commit(st))
		die("finish");
	printf("build %lld: %d steps (%d compiles with %d headers, %d archives, %d links), "
	       "%lld file events\n",
	       (long long)bid, nc + na + nl, nc, nh, na, nl, (long long)nevents);
	store_close(st);
	return 0;
}
