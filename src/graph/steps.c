/* steps.c - process images -> tool invocations, and what kind each one is (steps.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/elfinfo.h"
#include "asbuilt/graph.h"
#include "asbuilt/steps.h"

static const char *const kind_names[] = {
	"other", "compile", "assemble", "link",		   "archive",
	"copy",	 "strip",   "codegen",	"package-manager", "download",
};

const char *steps_kind_name(enum steps_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "other";
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

static const char *base(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;
	return b ? b + 1 : path ? path : "";
}

/* The tool name of exe: basename without a "-12" / "-14.0" version suffix and without a
 * target-triplet prefix ("x86_64-linux-gnu-gcc-12" -> "gcc").  Written into buf. */
static const char *tool_name(const char *exe, char *buf, size_t len)
{
	const char *b = base(exe);
	char *dash;
	size_t n = strlen(b);

	if (n >= len)
		n = len - 1;
	memcpy(buf, b, n);
	buf[n] = 0;
	dash = strrchr(buf, '-');
	if (dash && dash[1] && strspn(dash + 1, "0123456789.") == strlen(dash + 1))
		*dash = 0;
	dash = strrchr(buf, '-');
	if (dash && strchr(buf, '-') != dash && dash[1])
		memmove(buf, dash + 1, strlen(dash + 1) + 1); /* triplet-tool */
	return buf;
}

int steps_is_driver(const char *exe)
{
	static const char *const drivers[] = { "cc",	 "c++",	   "gcc",  "g++", "clang",
					       "clang++", "gfortran", "c89", "c99", "icx",
					       "icpx",	  "tcc",      NULL };
	char buf[256];

	return exe && in_list(tool_name(exe, buf, sizeof(buf)), drivers);
}

static int is_named_orchestrator(const char *exe)
{
	static const char *const names[] = {
		"make",	 "gmake", "ninja", "samu",   "cmake",	 "ctest",    "meson",
		"scons", "bazel", "env",   "xargs",  "nice",	 "nohup",    "time",
		"timeout", "stdbuf", "fakeroot", "sudo", "flock", "chronic", NULL,
	};
	char buf[256];

	return exe && in_list(tool_name(exe, buf, sizeof(buf)), names);
}

static const char *ext(const char *path)
{
	const char *b = base(path), *d = strrchr(b, '.');
	return d && d != b ? d + 1 : "";
}

/* "libx.so", "libx.so.1", "libx.so.1.2" */
static int shlib_name(const char *path)
{
	const char *p = strstr(base(path), ".so");
	return p && (p[3] == 0 || p[3] == '.');
}

static enum steps_fclass fclass_magic(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	struct elfinfo *ei;
	enum steps_fclass c = STEPS_F_OTHER;

	if (fd < 0)
		return STEPS_F_OTHER;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n >= 8 && !memcmp(h, "!<arch>\n", 8))
		return STEPS_F_ARCHIVE;
	if (n < 18 || memcmp(h, "\177ELF", 4))
		return STEPS_F_OTHER;
	if (elfinfo_read_headers(path, &ei))
		return STEPS_F_OTHER;
	if (ei->type == ELFINFO_REL)
		c = STEPS_F_OBJECT;
	else if (ei->type == ELFINFO_EXEC || ei->type == ELFINFO_PIE)
		c = STEPS_F_EXEC;
	else if (ei->type == ELFINFO_DYN)
		c = STEPS_F_SHLIB;
	elfinfo_free(ei);
	return c;
}

enum steps_fclass steps_fclass(const char *path)
{
	static const char *const src[] = { "c",	 "cc",	"cpp", "cxx", "c++", "C",   "m",
					   "mm", "f",	"f90", "f95", "for", "rs",  "go",
					   "i",	 "ii",	"y",   "l",   "cu",  "adb", NULL };
	static const char *const hdr[] = { "h", "hh", "hpp", "hxx", "H", "inc", "def", "tcc",
					   NULL };
	static const char *const as[] = { "s", "S", "asm", "sx", NULL };
	const char *x = ext(path);

	if (in_list(x, src))
		return STEPS_F_SOURCE;
	if (in_list(x, hdr))
		return STEPS_F_HEADER;
	if (in_list(x, as))
		return STEPS_F_ASM;
	if (!strcmp(x, "o") || !strcmp(x, "obj") || !strcmp(x, "lo"))
		return STEPS_F_OBJECT;
	if (!strcmp(x, "a"))
		return STEPS_F_ARCHIVE;
	if (shlib_name(path)) { /* libc.so is a linker script: other */
		if (access(path, F_OK))
			return STEPS_F_SHLIB;
		return fclass_magic(path);
	}
	return fclass_magic(path);
}

enum steps_fclass steps_vclass(const struct graph *g, int vi)
{
	unsigned char *c = &g->fclass[vi];

	if (!*c)
		*c = (unsigned char)(1 + steps_fclass(g->v[vi].path));
	return (enum steps_fclass)(*c - 1);
}

/* --- event roles ----------------------------------------------------------------- */

/* Reads an orchestrator may do without becoming a step: its makefiles, scripts, config. */
static int self_file(const struct graph *g, const struct graph_proc *p, const char *path)
{
	static const char *const names[] = { "Makefile",     "makefile",      "GNUmakefile",
					     "build.ninja",  ".ninja_log",    ".ninja_deps",
					     "CMakeCache.txt", "CMakeLists.txt", NULL };
	static const char *const exts[] = { "mk", "make", "ninja", "cmake", "d", NULL };
	const char *a, *end;

	(void)g;
	if (in_list(base(path), names) || in_list(ext(path), exts) || !strncmp(path, "/etc/", 5))
		return 1;
	if (!p->argv)
		return 0;
	/* a script named on the command line (sh ./configure, python gen.py) */
	end = p->argv + p->argv_len;
	for (a = p->argv + strnlen(p->argv, p->argv_len) + 1; a < end; a += strlen(a) + 1) {
		const char *s = a;
		size_t n;

		if (!*s || *s == '-')
			continue;
		while (!strncmp(s, "./", 2))
			s += 2;
		n = strlen(s);
		if (n && strlen(path) > n && !strcmp(path + strlen(path) - n, s) &&
		    path[strlen(path) - n - 1] == '/')
			return 1;
	}
	return 0;
}

/* A tool's own support file: compiler specs and plugins, an interpreter's library. */
static int tool_file(const struct graph_proc *p, const char *path)
{
	char buf[256];
	const char *t = tool_name(p->exe, buf, sizeof(buf));
	const char *x = ext(path);

	if (!strcmp(base(path), "specs") || !strcmp(x, "spec") || !strcmp(x, "specs"))
		return 1;
	if (strstr(path, "/plugin/") && shlib_name(path))
		return 1;
	if ((!strncmp(t, "python", 6) || !strncmp(t, "perl", 4) || !strncmp(t, "ruby", 4)) &&
	    (!strcmp(x, "pyc") || !strncmp(path, "/usr/lib/", 9) ||
	     !strncmp(path, "/usr/share/perl", 15) || !strncmp(path, "/usr/local/lib/", 15)))
		return 1;
	return 0;
}

static void set_roles(struct graph *g, struct graph_proc *p)
{
	int prefix = 1; /* still in the dynamic loader's opens at the start of the image */

	for (size_t k = 0; k < p->ev.n; k++) {
		struct graph_event *e = &g->e[p->ev.v[k]];
		struct graph_version *v = e->version >= 0 ? &g->v[e->version] : NULL;

		e->role = GRAPH_IGNORE;
		if (e->op == 'e' || e->op == 'i' || e->op == 'd') {
			if (v && e->result >= 0)
				e->role = GRAPH_TOOL;
			continue;
		}
		if (e->noise || e->result < 0 || !v || (v->flags & GRAPH_V_DIR)) {
			continue;
		}
		/* ld.so opens with exactly O_RDONLY | O_CLOEXEC (O_LARGEFILE aside), and not in
		 * a fork image (no exec, no loader): tar reading a staged libfoo.so.1 first, or
		 * a forked perl reading it, is not the loader */
		if (prefix && (p->prev >= 0 || p->parent < 0) && e->op == 'o' && e->access == 'r' &&
		    (e->flags & ~(int64_t)0100000) == (O_RDONLY | O_CLOEXEC) &&
		    shlib_name(v->path)) {
			e->role = GRAPH_TOOL;
			continue;
		}
		prefix = 0;
		if (e->op == 'o' && e->access == 'r')
			e->role = tool_file(p, v->path) ? GRAPH_TOOL : GRAPH_INPUT;
		else if ((e->op == 'o' || e->op == 't' || e->op == 'r' || e->op == 'l') &&
			 e->access == 'w')
			e->role = GRAPH_OUTPUT;
	}
}

static int does_work(const struct graph *g, const struct graph_proc *p)
{
	for (size_t k = 0; k < p->ev.n; k++) {
		const struct graph_event *e = &g->e[p->ev.v[k]];

		if ((e->role == GRAPH_INPUT || e->role == GRAPH_OUTPUT) &&
		    !self_file(g, p, g->v[e->version].path))
			return 1;
	}
	return 0;
}

static int new_step(struct graph *g, int root)
{
	struct graph_step *s = realloc(g->s, (g->ns + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	g->s = s;
	memset(&s[g->ns], 0, sizeof(*s));
	s[g->ns].root = root;
	return (int)g->ns++;
}

/* Whether image p, exec'd by an image that is in a step, stays in that step.  The step's
 * root exec'ing (sh -c 'gcc ...') continues it, unless the root did nothing and execs an
 * orchestrator (bash -c 'make all-recursive'); a member of a step that execs is placed
 * like a child of that step would be (the recipe shell of an exec'd make execs gcc). */
static int continues(const struct graph *g, const struct graph_proc *p)
{
	const struct graph_proc *prev = &g->p[p->prev];
	const struct graph_step *s = &g->s[prev->step];
	const struct graph_proc *r = &g->p[s->root];

	if (s->root == p->prev)
		return !is_named_orchestrator(p->exe) || does_work(g, prev);
	return steps_is_driver(r->exe) ||
	       !(steps_is_driver(p->exe) || is_named_orchestrator(p->exe));
}

/* The step image i starts or joins: -1 (orchestrator), -2 (new step), or a step index. */
static int place(struct graph *g, int i, int work)
{
	struct graph_proc *p = &g->p[i];
	int ctx = -1;

	if (p->prev >= 0 && g->p[p->prev].step >= 0 && continues(g, p))
		return g->p[p->prev].step; /* exec continues the same process */
	if (p->parent >= 0)
		ctx = g->p[p->parent].step;
	if (ctx >= 0) {
		const struct graph_proc *r = &g->p[g->s[ctx].root];

		if (steps_is_driver(r->exe) || !(steps_is_driver(p->exe) ||
						 is_named_orchestrator(p->exe)))
			return ctx;
	}
	if (!p->exe)
		return work ? -2 : -1;
	if (steps_is_driver(p->exe))
		return -2;
	if (is_named_orchestrator(p->exe) && p->nchildren > 0)
		return -1;
	if (p->nchildren > 0 && !work)
		return -1;
	return -2;
}

int steps_assign(struct graph *g)
{
	for (size_t i = 0; i < g->np; i++) {
		struct graph_proc *p = &g->p[i];
		int work, at;

		set_roles(g, p);
		work = does_work(g, p);
		at = place(g, (int)i, work);
		if (at == -2 && (at = new_step(g, (int)i)) < 0)
			return at;
		p->step = at;
		if (at < 0)
			continue;
		if (graph_ivec_push(&g->s[at].procs, (int)i))
			return -ENOMEM;
		/* sh -c 'gcc ...' that exec'd: the command is the one that did the work */
		if (p->prev >= 0 && g->s[at].root == p->prev && p->exe &&
		    (!does_work(g, &g->p[p->prev]) || steps_is_driver(p->exe)))
			g->s[at].root = (int)i;
	}
	return 0;
}

/* --- classification ---------------------------------------------------------------- */

/* The tool a process ran: its executable's name, or for an interpreter running a script
 * (node /usr/bin/npm, python3 /usr/bin/pip) the script's name.  *args is set to the
 * arguments after the tool's own name in p->argv (NULL when none). */
static const char *run_tool(const struct graph_proc *p, char *buf, size_t len,
			    const char **args)
{
	static const char *const interpreters[] = { "node", "nodejs", "python", "python3",
						    "perl", "ruby", NULL };
	const char *t = tool_name(p->exe, buf, len), *a = NULL, *end = p->argv + p->argv_len;
	size_t l0;

	if (p->argv && (l0 = strnlen(p->argv, p->argv_len)) + 1 < p->argv_len)
		a = p->argv + l0 + 1;
	if (a && (in_list(t, interpreters) || !strncmp(t, "python", 6)) && *a != '-') {
		t = tool_name(a, buf, len); /* the script */
		a += strnlen(a, (size_t)(end - a)) + 1;
		if (a >= end)
			a = NULL;
	}
	*args = a;
	return t;
}

static int step_has_tool(const struct graph *g, const struct graph_step *s,
			 const char *const *names, const char *const *sub1)
{
	char buf[256];

	for (size_t k = 0; k < s->procs.n; k++) {
		const struct graph_proc *p = &g->p[s->procs.v[k]];
		const char *t, *args;

		if (!p->exe)
			continue;
		t = run_tool(p, buf, sizeof(buf), &args);
		if (!in_list(t, names))
			continue;
		if (!sub1)
			return 1;
		if (args && in_list(args, sub1)) /* "git clone": the first argument */
			return 1;
	}
	return 0;
}

static unsigned classes(const struct graph *g, const struct graph_ivec *a, int skip_temp)
{
	unsigned m = 0;

	for (size_t k = 0; k < a->n; k++) {
		const struct graph_version *v = &g->v[a->v[k]];

		if (skip_temp && (v->flags & GRAPH_V_TEMP))
			continue;
		m |= 1u << steps_vclass(g, a->v[k]);
	}
	return m;
}

static int same_content(const struct graph *g, const struct graph_step *s)
{
	for (size_t k = 0; k < s->out.n; k++) {
		const struct graph_version *o = &g->v[s->out.v[k]];

		for (size_t j = 0; o->sha256 && j < o->in.n; j++) {
			const char *h = g->v[o->in.v[j]].sha256;
			if (h && !strcmp(h, o->sha256))
				return 1;
		}
	}
	return 0;
}

#define F(x) (1u << (x))

static enum steps_kind classify(const struct graph *g, const struct graph_step *s)
{
	static const char *const pkg[] = { "apt", "apt-get", "dpkg", "pip", "pip3", "npm",
					   "yarn", "pnpm", "cargo", "gem", "conda", NULL };
	static const char *const dl[] = { "curl", "wget", NULL };
	static const char *const git[] = { "git", NULL };
	static const char *const gitsub[] = { "clone", "fetch", "pull", "submodule", NULL };
	static const char *const strip[] = { "strip", "objcopy", "eu-strip", NULL };
	static const char *const copy[] = { "install", "cp", "mv", "ln", "rsync", NULL };
	unsigned out = classes(g, &s->out, 1), in = classes(g, &s->in, 0);
	const unsigned src = F(STEPS_F_SOURCE) | F(STEPS_F_HEADER);

	if (!out)
		out = classes(g, &s->out, 0);
	if (step_has_tool(g, s, pkg, NULL))
		return STEPS_PKGMGR;
	if (step_has_tool(g, s, dl, NULL) || step_has_tool(g, s, git, gitsub))
		return STEPS_DOWNLOAD;
	if (step_has_tool(g, s, strip, NULL))
		return STEPS_STRIP;
	if (out & F(STEPS_F_ARCHIVE))
		return STEPS_ARCHIVE;
	if ((out & (F(STEPS_F_EXEC) | F(STEPS_F_SHLIB))) &&
	    (in & (F(STEPS_F_OBJECT) | F(STEPS_F_ARCHIVE) | F(STEPS_F_SHLIB))))
		return STEPS_LINK;
	if (out & F(STEPS_F_OBJECT)) {
		if (in & src)
			return STEPS_COMPILE;
		if (in & F(STEPS_F_ASM))
			return STEPS_ASSEMBLE;
		if (in & F(STEPS_F_OBJECT))
			return STEPS_LINK;
	}
	if (s->btools.n && (out & (src | F(STEPS_F_ASM))))
		return STEPS_CODEGEN;
	if (s->out.n && (same_content(g, s) || step_has_tool(g, s, copy, NULL)))
		return STEPS_COPY;
	if (out & (src | F(STEPS_F_ASM)))
		return STEPS_CODEGEN;
	return STEPS_OTHER;
}

void steps_classify(struct graph *g)
{
	for (size_t i = 0; i < g->ns; i++)
		g->s[i].kind = classify(g, &g->s[i]);
}
