/*
 * hello.c - what an image of the build says about itself when it starts: AB_EV_PROC (its
 * executable, cwd, exec name, parent and identity), the AB_EV_ARGV chunks of its raw argv
 * and AB_EV_ENV (the environment variables a build is told by), sent back to back as one
 * packet (conn.c batches them).  The argv and the executable's name are captured by the
 * constructor (whello_capture) and sent then, or by a lazy fork child when it first
 * announces itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

static char g_exe_none[1];
static char *g_exe = g_exe_none; /* WPATH_BUF bytes of the constructor's arena (conn.c) */
static size_t g_exe_len;
static unsigned g_exe_raw; /* AB_PROC_EXE_RAW: g_exe is the exec filename made absolute */
static const char *g_args; /* contiguous raw argv of this image, or NULL */
static size_t g_args_len;
static int g_args_proc; /* argv not contiguous: read /proc/self/cmdline */
static char g_chunk[AB_ARGV_CHUNK] WBIG; /* only used single-threaded (constructor, atfork child) */

extern char **environ;

/* Selected environment variables sent in AB_EV_ENV, with their lengths (the loop below runs
 * over every variable of every process: comparing lengths first keeps it cheap). */
#define WHELLO_ENV(n) { n, sizeof n - 1 }
static const struct {
	const char *name;
	size_t len;
} whello_envnames[] = {
	WHELLO_ENV("PATH"), WHELLO_ENV("CC"), WHELLO_ENV("CXX"), WHELLO_ENV("CPP"),
	WHELLO_ENV("LD"), WHELLO_ENV("AR"), WHELLO_ENV("CFLAGS"), WHELLO_ENV("CXXFLAGS"),
	WHELLO_ENV("CPPFLAGS"), WHELLO_ENV("LDFLAGS"), WHELLO_ENV("LDLIBS"),
	WHELLO_ENV("MAKEFLAGS"), WHELLO_ENV("PKG_CONFIG_PATH"), WHELLO_ENV("LD_LIBRARY_PATH"),
	WHELLO_ENV("LIBRARY_PATH"), WHELLO_ENV("CPATH"), WHELLO_ENV("C_INCLUDE_PATH"),
	WHELLO_ENV("SOURCE_DATE_EPOCH"), WHELLO_ENV("LANG"), WHELLO_ENV("LC_ALL"),
	WHELLO_ENV("DEB_BUILD_OPTIONS"), WHELLO_ENV("DEB_HOST_ARCH"), WHELLO_ENV("CCACHE_DIR"),
};

/* Send AB_EV_ENV with the selected "NAME=value" entries of environ. */
static void whello_env(void)
{
	struct wstr s[WCONN_MAXSTR];
	struct ab_env body = { 0 };
	char **e;
	size_t i, nn = sizeof whello_envnames / sizeof whello_envnames[0];

	for (e = environ; e && *e && body.count < WCONN_MAXSTR; e++) {
		const char *eq = strchr(*e, '=');
		size_t len;

		if (!eq)
			continue;
		len = (size_t)(eq - *e);
		for (i = 0; i < nn; i++) {
			if (whello_envnames[i].len == len &&
			    !memcmp(*e, whello_envnames[i].name, len)) {
				s[body.count].p = *e;
				s[body.count++].len = len + 1 + strlen(eq + 1);
				break;
			}
		}
	}
	wconn_send(AB_EV_ENV, &body, sizeof body, s, body.count);
}

/* Total bytes of /proc/self/cmdline (fallback when argv is not contiguous). */
static size_t whello_cmdline_len(void)
{
	long fd = wsys(SYS_openat, AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	size_t total = 0;
	long r;

	if (fd < 0)
		return 0;
	while ((r = wsys(SYS_read, fd, g_chunk, sizeof g_chunk)) > 0)
		total += (size_t)r;
	wsys(SYS_close, fd);
	return total;
}

/* Send the AB_EV_ARGV chunks, at most len bytes in all. */
static void whello_argv(size_t len)
{
	struct ab_argv a;
	struct wstr s;
	size_t off = 0;
	long fd, r;

	if (!g_args_proc) {
		for (off = 0; off < len; off += AB_ARGV_CHUNK) {
			a.offset = off;
			s.p = g_args + off;
			s.len = len - off < AB_ARGV_CHUNK ? len - off : AB_ARGV_CHUNK;
			if (wconn_send(AB_EV_ARGV, &a, sizeof a, &s, 1) < 0)
				return;
		}
		return;
	}
	fd = wsys(SYS_openat, AT_FDCWD, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (off < len && (r = wsys(SYS_read, fd, g_chunk, sizeof g_chunk)) > 0) {
		a.offset = off;
		s.p = g_chunk;
		s.len = (size_t)r < len - off ? (size_t)r : len - off;
		if (wconn_send(AB_EV_ARGV, &a, sizeof a, &s, 1) < 0)
			break;
		off += s.len;
	}
	wsys(SYS_close, fd);
}

void whello_send(unsigned flags, const char *execfn)
{
	struct ab_proc p;
	struct wstr s[5];
	char cwd[WPATH_BUF], abs[WPATH_BUF];
	int trunc = 0;
	size_t alen = g_args_proc ? whello_cmdline_len() : g_args_len;

	memset(&p, 0, sizeof p);
	p.ppid = (__u32)getppid();
	p.uid = (__u32)getuid();
	p.gid = (__u32)getgid();
	p.flags = flags | g_exe_raw;
	if (getauxval(AT_SECURE))
		p.flags |= AB_PROC_SETUID;
	p.argv_len = alen;
	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = '\0';
	s[0] = (struct wstr){ g_exe, g_exe_len };
	s[1] = (struct wstr){ cwd, strlen(cwd) };
	s[2] = (struct wstr){ execfn, strlen(execfn) };
	s[3] = (struct wstr){ "", 0 };
	if (flags & AB_PROC_FORK_EXEC) /* what the unsent AB_EV_EXEC would have named */
		s[4] = (struct wstr){ abs, wpath_abs_at(AT_FDCWD, execfn, abs, &trunc) };
	wconn_batch_begin();
	if (wconn_send(AB_EV_PROC, &p, sizeof p, s, flags & AB_PROC_FORK_EXEC ? 5 : 4) == 0) {
		whello_argv(alen);
		whello_env();
	}
	wconn_batch_end();
}

/* Find the raw argv area of this image if it is one contiguous block. */
static void whello_capture_argv(int argc, char **argv)
{
	int i;

	g_args = NULL;
	g_args_len = 0;
	g_args_proc = 1;
	if (argc <= 0 || !argv || !argv[0]) {
		g_args_proc = argc > 0;
		return;
	}
	for (i = 0; i < argc; i++) {
		size_t l;

		if (!argv[i])
			return;
		l = strlen(argv[i]) + 1;
		if (i + 1 < argc && argv[i] + l != argv[i + 1])
			return;
		g_args_len += l;
	}
	g_args = argv[0];
	g_args_proc = 0;
}

/* The executable of this image, for the hello.  Reading /proc/self/exe is the first
 * access to this process's /proc directory, which the kernel then builds: 15 us of a 70 us
 * constructor.  The file that was exec'd (AT_EXECFN) is the image itself unless the kernel
 * ran an interpreter for it (#!, binfmt_misc), and an interpreter always finds the file's
 * name among its first arguments: then, or for a name through a descriptor or with "..",
 * it reads the link; otherwise it sends the name made absolute and the collector resolves
 * it (AB_PROC_EXE_RAW).  When the loader itself was run, the link names the loader. */
static void whello_find_exe(int argc, char **argv, const char *execfn)
{
	int trunc = 0, i;
	ssize_t n;

	g_exe_raw = 0;
	if (execfn[0] && !getauxval(AT_BASE)) {
		/* no interpreter was loaded for this image: the loader itself was run (`ld.so
		 * PROGRAM`), /proc/self/exe names it, and it named AT_EXECFN after the program.
		 * Sent absolute but not folded: the collector resolves ".." through symlinks. */
		size_t cwd = 0, fl = strlen(execfn);

		if (execfn[0] != '/' && getcwd(g_exe, WPATH_BUF))
			cwd = strlen(g_exe);
		if ((execfn[0] == '/' || cwd) && cwd + 1 + fl < WPATH_BUF) {
			if (cwd)
				g_exe[cwd++] = '/';
			memcpy(g_exe + cwd, execfn, fl + 1);
			g_exe_len = cwd + fl;
			g_exe_raw = AB_PROC_EXE_RAW;
			return;
		}
	}
	if (execfn[0] && strncmp(execfn, "/dev/fd/", 8) && strncmp(execfn, "/proc/", 6) &&
	    !strstr(execfn, "..")) {
		for (i = 1; i < argc && i <= 3 && argv[i]; i++)
			if (!strcmp(argv[i], execfn))
				break;
		if (i > 3 || i >= argc || !argv[i]) {
			g_exe_len = wpath_abs_at(AT_FDCWD, execfn, g_exe, &trunc);
			if (g_exe_len && !trunc) {
				g_exe_raw = AB_PROC_EXE_RAW;
				return;
			}
		}
	}
	n = readlink("/proc/self/exe", g_exe, WPATH_BUF - 1);
	g_exe_len = n > 0 ? (size_t)n : 0;
	g_exe[g_exe_len] = '\0';
}

void whello_capture(int argc, char **argv, const char *execfn)
{
	char *exe = wconn_arena_get(WPATH_BUF);

	whello_capture_argv(argc, argv);
	if (!exe)
		return;
	g_exe = exe;
	whello_find_exe(argc, argv, execfn);
	wconn_arena_keep(g_exe_len + 1);
}
