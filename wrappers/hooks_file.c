/*
 * hooks_file.c - the open family and the other file operations.
 *
 * Each hook calls the real function first, then reports: a successful open costs one fstat
 * and one sendmsg (plus getcwd for a relative path).  Failed opens with ENOENT/ENOTDIR
 * (header search misses) are not reported; other failures are, with ret = -errno.  The
 * other operations are reported only when they succeed.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* Fill a string from a given path, cut at AB_PATH_MAX. */
static struct wstr wfile_given(const char *p, unsigned *fflags)
{
	size_t n = p ? strlen(p) : 0;

	if (n > AB_PATH_MAX) {
		n = AB_PATH_MAX;
		*fflags |= AB_F_TRUNC_PATH;
	}
	return (struct wstr){ p ? p : "", n };
}

/* Absolute form of p relative to dirfd into out (WPATH_BUF bytes); "" when p is NULL. */
static size_t wfile_abs(int dirfd, const char *p, char *out, unsigned *fflags)
{
	int trunc = 0;
	size_t n;

	if (!p) {
		out[0] = '\0';
		return 0;
	}
	n = wpath_abs_at(dirfd, p, out, &trunc);
	if (trunc)
		*fflags |= AB_F_TRUNC_PATH;
	return n;
}

/* What a successful operation makes the process's exit wait for (wconn_note_use):
 * WCONN_USE_NONE for reading a system file, going into a system directory, opening
 * /dev/null (`cmd >/dev/null`, for which a shell's fork child would otherwise hand the
 * wait on to cmd) and removing a file: the collector takes nothing from a removed file, and
 * a removal it reads late cannot flush a file made again after it (vers_flush_path), so the
 * gcc driver and collect2, which only remove temporaries, do not wait.  WCONN_USE_READ for
 * a read (the wait ends early once the collector has read past it), WCONN_USE_WRITE for an
 * open for writing, WCONN_USE_CHANGE for the rest (rename, link, truncate, ...). */
static int wfile_noted(unsigned op, unsigned fflags, const char *given, const char *abs)
{
	if (fflags & AB_F_TRUNC_PATH)
		return WCONN_USE_CHANGE;
	if (op == AB_OP_UNLINK)
		return WCONN_USE_NONE;
	if (op != AB_OP_OPEN && op != AB_OP_DLOPEN && op != AB_OP_CHDIR)
		return WCONN_USE_CHANGE;
	if ((fflags & AB_F_WRITE) && strcmp(abs, "/dev/null"))
		return WCONN_USE_WRITE;
	return wpath_system(given, abs) ? WCONN_USE_NONE : WCONN_USE_READ;
}

void wfile_report(unsigned op, int dirfd, const char *p1, int dirfd2, const char *p2,
		  unsigned oflags, int ret, const struct stat *st, unsigned fflags)
{
	struct ab_file f;
	struct wstr s[4];
	char a1[WPATH_BUF], a2[p2 && op != AB_OP_DLOPEN ? WPATH_BUF : 1];
	size_t n1, n2 = 0;
	int use;

	memset(&f, 0, sizeof f);
	if (op == AB_OP_DLOPEN) { /* [1] is the loaded file's real name, p2 */
		n1 = wfile_abs(AT_FDCWD, p2, a1, &fflags);
		p2 = NULL;
	} else {
		n1 = wfile_abs(dirfd, p1, a1, &fflags);
	}
	if (p2)
		n2 = wfile_abs(dirfd2, p2, a2, &fflags);
	s[0] = wfile_given(p1, &fflags);
	s[1] = (struct wstr){ a1, n1 };
	s[2] = wfile_given(p2, &fflags);
	s[3] = (struct wstr){ a2, n2 };
	if (st) {
		fflags |= AB_F_STAT;
		if (S_ISDIR(st->st_mode))
			fflags |= AB_F_DIR;
		f.mode = st->st_mode;
		f.dev = st->st_dev;
		f.ino = st->st_ino;
		f.size = (__u64)st->st_size;
		f.mtime_ns = (__s64)st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec;
		f.ctime_ns = (__s64)st->st_ctim.tv_sec * 1000000000ll + st->st_ctim.tv_nsec;
	}
	f.op = (__u16)op;
	f.fflags = (__u16)fflags;
	f.ret = ret;
	f.dirfd = dirfd;
	f.oflags = oflags;
	use = ret >= 0 ? wfile_noted(op, fflags, op == AB_OP_DLOPEN ? a1 : p1, a1)
		       : WCONN_USE_NONE;
	if (use != WCONN_USE_NONE)
		wconn_note_use(use);
	wconn_send(AB_EV_FILE, &f, sizeof f, s, 4);
	if (use == WCONN_USE_READ)
		wconn_note_sent();
}

void wfile_opened(int dirfd, const char *path, int flags, int ret, int err)
{
	struct stat st;
	unsigned ff = 0;

	if (!wconn_on())
		return;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		ff |= AB_F_WRITE;
	if (ret < 0) {
		if (err == ENOENT || err == ENOTDIR)
			return;
		wfile_report(AB_OP_OPEN, dirfd, path, AT_FDCWD, NULL, (unsigned)flags, -err, NULL,
			     ff);
		return;
	}
	wfile_report(AB_OP_OPEN, dirfd, path, AT_FDCWD, NULL, (unsigned)flags, ret,
		     fstat(ret, &st) == 0 ? &st : NULL, ff);
}

/* open(2) flags equivalent to an fopen mode string. */
static int wfile_mode_flags(const char *mode)
{
	int f;

	if (!mode)
		return 0;
	switch (mode[0]) {
	case 'w':
		f = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		f = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		f = O_RDONLY;
	}
	for (mode++; *mode && *mode != ','; mode++) {
		if (*mode == '+')
			f = (f & ~O_ACCMODE) | O_RDWR;
		else if (*mode == 'x')
			f |= O_EXCL;
		else if (*mode == 'e')
			f |= O_CLOEXEC;
	}
	return f;
}

/* Report an fopen-like call that returned fp. */
static FILE *wfile_fopened(const char *path, const char *mode, FILE *fp, int err)
{
	int fd = fp ? fileno(fp) : -1;

	wfile_opened(AT_FDCWD, path, wfile_mode_flags(mode), fp ? fd : -1, err);
	errno = err;
	return fp;
}

/* The mode argument of open-like calls: present only with O_CREAT or O_TMPFILE. */
#define WFILE_MODE(flags, last)                                                            \
	mode_t mode = 0;                                                                   \
	if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {                     \
		va_list ap;                                                                \
		va_start(ap, last);                                                        \
		mode = (mode_t)va_arg(ap, int);                                            \
		va_end(ap);                                                                \
	}

/* Body of a hook around an open-like call expression `call` at dirfd. */
#define WFILE_OPEN(dirfd, path, flags, call)                                               \
	do {                                                                               \
		int r_ = (call), e_ = errno;                                               \
		wfile_opened(dirfd, path, flags, r_, e_);                                  \
		errno = e_;                                                                \
		return r_;                                                                 \
	} while (0)

WREAL_DECL(open);
WREAL_DECL(open64);
WREAL_DECL(openat);
WREAL_DECL(openat64);
WREAL_DECL(__open_2);
WREAL_DECL(__open64_2);
WREAL_DECL(__openat_2);
WREAL_DECL(__openat64_2);
WREAL_DECL(creat);
WREAL_DECL(creat64);
WREAL_DECL(fopen);
WREAL_DECL(fopen64);
WREAL_DECL(freopen);
WREAL_DECL(freopen64);

WHOOK int open(const char *path, int flags, ...)
{
	WFILE_MODE(flags, flags);
	WFILE_OPEN(AT_FDCWD, path, flags, WREAL(open)(path, flags, mode));
}

WHOOK int open64(const char *path, int flags, ...)
{
	WFILE_MODE(flags, flags);
	WFILE_OPEN(AT_FDCWD, path, flags, WREAL(open64)(path, flags, mode));
}

WHOOK int openat(int dirfd, const char *path, int flags, ...)
{
	WFILE_MODE(flags, flags);
	WFILE_OPEN(dirfd, path, flags, WREAL(openat)(dirfd, path, flags, mode));
}

WHOOK int openat64(int dirfd, const char *path, int flags, ...)
{
	WFILE_MODE(flags, flags);
	WFILE_OPEN(dirfd, path, flags, WREAL(openat64)(dirfd, path, flags, mode));
}

WHOOK int __open_2(const char *path, int flags)
{
	WFILE_OPEN(AT_FDCWD, path, flags, WREAL(__open_2)(path, flags));
}

WHOOK int __open64_2(const char *path, int flags)
{
	WFILE_OPEN(AT_FDCWD, path, flags, WREAL(__open64_2)(path, flags));
}

WHOOK int __openat_2(int dirfd, const char *path, int flags)
{
	WFILE_OPEN(dirfd, path, flags, WREAL(__openat_2)(dirfd, path, flags));
}

WHOOK int __openat64_2(int dirfd, const char *path, int flags)
{
	WFILE_OPEN(dirfd, path, flags, WREAL(__openat64_2)(dirfd, path, flags));
}

WHOOK int creat(const char *path, mode_t mode)
{
	WFILE_OPEN(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, WREAL(creat)(path, mode));
}

WHOOK int creat64(const char *path, mode_t mode)
{
	WFILE_OPEN(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, WREAL(creat64)(path, mode));
}

WHOOK FILE *fopen(const char *path, const char *mode)
{
	FILE *fp = WREAL(fopen)(path, mode);

	return wfile_fopened(path, mode, fp, errno);
}

WHOOK FILE *fopen64(const char *path, const char *mode)
{
	FILE *fp = WREAL(fopen64)(path, mode);

	return wfile_fopened(path, mode, fp, errno);
}

WHOOK FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	FILE *fp = WREAL(freopen)(path, mode, stream);

	if (!path)
		return fp;
	return wfile_fopened(path, mode, fp, errno);
}

WHOOK FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	FILE *fp = WREAL(freopen64)(path, mode, stream);

	if (!path)
		return fp;
	return wfile_fopened(path, mode, fp, errno);
}

void wfile_init(void)
{
	(void)WREAL(open);
	(void)WREAL(open64);
	(void)WREAL(openat);
	(void)WREAL(openat64);
	(void)WREAL(__open_2);
	(void)WREAL(__open64_2);
	(void)WREAL(__openat_2);
	(void)WREAL(__openat64_2);
	(void)WREAL(creat);
	(void)WREAL(creat64);
	/* fopen and freopen resolve at first use: never called from a signal handler or a
	 * vfork child (they are not async-signal-safe), and most processes never call them */
}
