/*
 * hooks_syscall.c - libc's syscall(): a program that makes a file system call by number
 * (syscall(SYS_openat, ...), as some build tools and test programs do) goes around the open
 * family's hooks.  The calls the interposer reports are handed to the hook of the libc
 * function that makes the same call (open, rename, execve, close, ...), which reports it as
 * usual; openat2, which libc does not wrap, is made here and reported as an open; a ring
 * made by io_uring_setup reads and writes files without any call a hook can see, so it
 * makes the record incomplete (AB_WARN_IO_URING), as under the eBPF backend.  Every other
 * number goes to libc's syscall() untouched.
 *
 * A system call made with the instruction itself (Go's runtime, liburing) is not seen at
 * all: the constructor warns about Go programs (wimage_is_go, image.c), and the functions of
 * liburing.so that make a ring are hooked by name below.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <stdio.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

WREAL_DECL(syscall);

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags);

/* struct open_how of openat2(2): the flags come first */
struct wsys_open_how {
	unsigned long long flags, mode, resolve;
};

static long wsys_real(long nr, const long a[6])
{
	return WREAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* clone and clone3 by number (bwrap's raw_clone): with CLONE_NEWNS the child names files by
 * a mount namespace of its own; the parent says so, as the clone() hook does.  clone3's
 * flags are the first field of its struct clone_args, read only once the call worked. */
static long wsys_clone(long nr, const long a[6])
{
	long r = wsys_real(nr, a);
	unsigned long long flags = (unsigned long)a[0];

#ifdef SYS_clone3
	if (nr == SYS_clone3)
		flags = r > 0 && a[0] ? *(const unsigned long long *)a[0] : 0;
#endif
	wproc_newns(r > 0, flags, "clone by syscall()");
	return r;
}

static long wsys_io_uring_setup(const long a[6])
{
	static const char what[] = "io_uring_setup by syscall()";
	long r = wsys_real(SYS_io_uring_setup, a);
	int e = errno;

	if (r >= 0)
		wconn_warn(AB_WARN_IO_URING, what, sizeof what - 1);
	errno = e;
	return r;
}

static long wsys_openat2(const long a[6])
{
	const struct wsys_open_how *how = (const void *)a[2];
	long r = wsys_real(SYS_openat2, a);
	int e = errno;

	/* how is readable unless the kernel said otherwise */
	if (how && (unsigned long)a[3] >= sizeof *how && (r >= 0 || e != EFAULT))
		wfile_opened((int)a[0], (const char *)a[1], (int)how->flags, (int)r, e);
	errno = e;
	return r;
}

/* The six arguments of a call by number: callers pass at most six, and reading six whatever
 * the call takes is what the calling convention allows (libc's syscall() does the same). */
static void wsys_args(va_list ap, long a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
}

long wsys(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	wsys_args(ap, a);
	va_end(ap);
	return wsys_real(nr, a);
}

WHOOK long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	wsys_args(ap, a);
	va_end(ap);
	switch (nr) {
#ifdef SYS_open
	case SYS_open:
		return open((const char *)a[0], (int)a[1], (mode_t)a[2]);
#endif
#ifdef SYS_creat
	case SYS_creat:
		return creat((const char *)a[0], (mode_t)a[1]);
#endif
	case SYS_openat:
		return openat((int)a[0], (const char *)a[1], (int)a[2], (mode_t)a[3]);
	case SYS_openat2:
		return wsys_openat2(a);
#ifdef SYS_rename
	case SYS_rename:
		return rename((const char *)a[0], (const char *)a[1]);
#endif
	case SYS_renameat:
		return renameat((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3]);
	case SYS_renameat2:
		return renameat2((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3],
				 (unsigned)a[4]);
#ifdef SYS_link
	case SYS_link:
		return link((const char *)a[0], (const char *)a[1]);
#endif
	case SYS_linkat:
		return linkat((int)a[0], (const char *)a[1], (int)a[2], (const char *)a[3],
			      (int)a[4]);
#ifdef SYS_symlink
	case SYS_symlink:
		return symlink((const char *)a[0], (const char *)a[1]);
#endif
	case SYS_symlinkat:
		return symlinkat((const char *)a[0], (int)a[1], (const char *)a[2]);
#ifdef SYS_unlink
	case SYS_unlink:
		return unlink((const char *)a[0]);
#endif
	case SYS_unlinkat:
		return unlinkat((int)a[0], (const char *)a[1], (int)a[2]);
#ifdef SYS_rmdir
	case SYS_rmdir:
		return rmdir((const char *)a[0]);
#endif
	case SYS_truncate:
		return truncate((const char *)a[0], (off_t)a[1]);
	case SYS_chdir:
		return chdir((const char *)a[0]);
	case SYS_fchdir:
		return fchdir((int)a[0]);
	case SYS_unshare:
		return unshare((int)a[0]);
	case SYS_clone:
#ifdef SYS_clone3
	case SYS_clone3:
#endif
		return wsys_clone(nr, a);
	case SYS_setns:
		return setns((int)a[0], (int)a[1]);
	case SYS_execve:
		return execve((const char *)a[0], (char *const *)a[1], (char *const *)a[2]);
	case SYS_execveat:
		return execveat((int)a[0], (const char *)a[1], (char *const *)a[2],
				(char *const *)a[3], (int)a[4]);
	case SYS_close:
		return close((int)a[0]);
	case SYS_close_range:
		return close_range((unsigned)a[0], (unsigned)a[1], (int)a[2]);
#ifdef SYS_dup2
	case SYS_dup2:
		return dup2((int)a[0], (int)a[1]);
#endif
	case SYS_dup3:
		return dup3((int)a[0], (int)a[1], (int)a[2]);
	case SYS_io_uring_setup:
		return wsys_io_uring_setup(a);
	case SYS_exit_group:
		_exit((int)a[0]);
	default:
		return wsys_real(nr, a);
	}
}

/* liburing makes its system calls itself: its ring makers are hooked by name.  Their
 * declarations, for a program linked with liburing.so (liburing.a is not seen). */
int io_uring_queue_init(unsigned entries, void *ring, unsigned flags);
int io_uring_queue_init_params(unsigned entries, void *ring, void *params);
int io_uring_setup(unsigned entries, void *params);

WREAL_DECL(io_uring_queue_init);
WREAL_DECL(io_uring_queue_init_params);
WREAL_DECL(io_uring_setup);

/* liburing's io_uring_queue_init calls io_uring_queue_init_params: one warning, from the
 * outermost call */
static __thread int t_uring __attribute__((tls_model("initial-exec")));

/* r: what liburing returned (0 or an fd on success, -errno on failure) */
static int wsys_uring_made(int r, const char *what, size_t len)
{
	int e = errno;

	if (r >= 0 && t_uring == 0)
		wconn_warn(AB_WARN_IO_URING, what, len);
	errno = e;
	return r;
}

#define WSYS_URING(fn, ...)                                                                \
	do {                                                                               \
		static const char what_[] = #fn " (liburing)";                             \
		int r_;                                                                    \
		if (!WREAL(fn))                                                            \
			return -ENOSYS;                                                    \
		t_uring++;                                                                 \
		r_ = WREAL(fn)(__VA_ARGS__);                                               \
		t_uring--;                                                                 \
		return wsys_uring_made(r_, what_, sizeof what_ - 1);                       \
	} while (0)

WHOOK int io_uring_queue_init(unsigned entries, void *ring, unsigned flags)
{
	WSYS_URING(io_uring_queue_init, entries, ring, flags);
}

WHOOK int io_uring_queue_init_params(unsigned entries, void *ring, void *params)
{
	WSYS_URING(io_uring_queue_init_params, entries, ring, params);
}

WHOOK int io_uring_setup(unsigned entries, void *params)
{
	WSYS_URING(io_uring_setup, entries, params);
}

void wsyscall_init(void)
{
	(void)WREAL(syscall);
}
