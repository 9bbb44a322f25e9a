/*
 * hooks_proc.c - process ends (exit, _exit, _Exit, main returning, wait*), chdir and
 * fchdir.  (dlopen is in hooks_dlopen.c.)
 *
 * AB_EV_EXIT comes from two sides: the process itself (reaped_pid 0, status = the exit
 * argument or main's return value) and a parent that reaped a child with wait*()
 * (reaped_pid = the child, status a wait(2) status, AB_EXIT_WAITSTATUS).
 *
 * A process that exits through exit() (or by returning from main) reports it from an
 * on_exit() handler registered by the constructor, so it runs after the program's own exit
 * handlers and destructors, and after stdout is flushed: `gen > out.h` writes out.h from
 * stdio's buffer inside exit(), and the exit ack (the collector has hashed it) must come
 * after that.  _exit and _Exit report at once.
 */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

typedef int (*wproc_main_fn)(int, char **, char **);
int __libc_start_main(wproc_main_fn main, int argc, char **argv, void (*init)(void),
		      void (*fini)(void), void (*rtld_fini)(void), void *stack_end);

WREAL_DECL(exit);
WREAL_DECL(_exit);
WREAL_DECL(_Exit);
WREAL_DECL(wait);
WREAL_DECL(waitpid);
WREAL_DECL(wait3);
WREAL_DECL(wait4);
WREAL_DECL(waitid);
WREAL_DECL(chdir);
WREAL_DECL(fchdir);
WREAL_DECL(chroot);
WREAL_DECL(unshare); /* these three resolved at first use: rare, and not for vfork children */
WREAL_DECL(setns);
WREAL_DECL(clone);
WREAL_DECL(__libc_start_main);

static wproc_main_fn wproc_main;
static int wproc_handler; /* the on_exit handler is registered: exit() reports there */

/* Last exit handler: flush stdout (stdio would do it only after every handler, after our
 * ack), then report.  Only a free stdout lock is taken: a thread blocked inside stdio must
 * not hang the exit. */
static void wproc_at_exit(int status, void *arg)
{
	(void)arg;
	if (ftrylockfile(stdout) == 0) {
		fflush_unlocked(stdout);
		funlockfile(stdout);
	}
	wconn_send_exit(status, 0, 0);
}

/* Exit without returning, whatever happens. */
#define WPROC_EXIT(fn, status)                                                             \
	do {                                                                               \
		wconn_send_exit(status, 0, 0);                                             \
		WREAL(fn)(status);                                                         \
		for (;;)                                                                   \
			wsys(SYS_exit_group, status);                                      \
	} while (0)

WHOOK void exit(int status)
{
	if (wproc_handler) /* wproc_at_exit reports, last */
		WREAL(exit)(status);
	WPROC_EXIT(exit, status);
}

WHOOK void _exit(int status)
{
	WPROC_EXIT(_exit, status);
}

WHOOK void _Exit(int status)
{
	WPROC_EXIT(_Exit, status);
}

/* main() of the program, run from our __libc_start_main: report its return value. */
static int wproc_wrapped_main(int argc, char **argv, char **envp)
{
	int r = wproc_main(argc, argv, envp);

	if (!wproc_handler) /* else exit(r), which libc calls next, reports through it */
		wconn_send_exit(r, 0, 0);
	return r;
}

WHOOK int __libc_start_main(wproc_main_fn main, int argc, char **argv, void (*init)(void),
			    void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
	wproc_main = main;
	return WREAL(__libc_start_main)(wproc_wrapped_main, argc, argv, init, fini, rtld_fini,
					stack_end);
}

/* A child pid was reaped with wait status st: report it if it ended. */
static void wproc_reaped(pid_t pid, int st)
{
	if (pid > 0 && (WIFEXITED(st) || WIFSIGNALED(st)))
		wconn_send_exit(st, AB_EXIT_WAITSTATUS, pid);
}

/* Body of a wait hook: call with a status pointer we can read, report, keep errno. */
#define WPROC_WAIT(stp, call)                                                              \
	do {                                                                               \
		int local_ = 0, *sp_ = (stp) ? (stp) : &local_, e_;                        \
		pid_t r_;                                                                  \
		(void)sp_;                                                                 \
		r_ = (call);                                                               \
		e_ = errno;                                                                \
		if (r_ > 0)                                                                \
			wproc_reaped(r_, *sp_);                                            \
		errno = e_;                                                                \
		return r_;                                                                 \
	} while (0)

WHOOK pid_t wait(int *st)
{
	WPROC_WAIT(st, WREAL(wait)(sp_));
}

WHOOK pid_t waitpid(pid_t pid, int *st, int options)
{
	WPROC_WAIT(st, WREAL(waitpid)(pid, sp_, options));
}

WHOOK pid_t wait3(int *st, int options, struct rusage *ru)
{
	WPROC_WAIT(st, WREAL(wait3)(sp_, options, ru));
}

WHOOK pid_t wait4(pid_t pid, int *st, int options, struct rusage *ru)
{
	WPROC_WAIT(st, WREAL(wait4)(pid, sp_, options, ru));
}

WHOOK int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	int r = WREAL(waitid)(idtype, id, info, options), e = errno, st;

	if (r == 0 && info && info->si_pid > 0 && !(options & WNOWAIT)) {
		switch (info->si_code) {
		case CLD_EXITED:
			st = (info->si_status & 0xff) << 8;
			break;
		case CLD_KILLED:
			st = info->si_status & 0x7f;
			break;
		case CLD_DUMPED:
			st = (info->si_status & 0x7f) | 0x80;
			break;
		default:
			st = -1;
		}
		if (st != -1)
			wproc_reaped(info->si_pid, st);
	}
	errno = e;
	return r;
}

/* Report a successful chdir/fchdir: [0] as given, [1] the new cwd. */
static void wproc_chdir(int fd, const char *path)
{
	struct ab_file f;
	struct wstr s[4];
	char cwd[WPATH_BUF];
	size_t n = strlen(path);

	if (!getcwd(cwd, sizeof cwd))
		cwd[0] = '\0';
	memset(&f, 0, sizeof f);
	f.op = AB_OP_CHDIR;
	f.fflags = AB_F_DIR;
	f.dirfd = fd;
	if (n > AB_PATH_MAX) {
		n = AB_PATH_MAX;
		f.fflags |= AB_F_TRUNC_PATH;
	}
	s[0] = (struct wstr){ path, n };
	s[1] = (struct wstr){ cwd, strlen(cwd) };
	s[2] = s[3] = (struct wstr){ "", 0 };
	wconn_send(AB_EV_FILE, &f, sizeof f, s, 4);
}

WHOOK int chdir(const char *path)
{
	int r = WREAL(chdir)(path), e = errno;

	if (r == 0 && wconn_on())
		wproc_chdir(AT_FDCWD, path);
	errno = e;
	return r;
}

WHOOK int fchdir(int fd)
{
	int r = WREAL(fchdir)(fd), e = errno;

	if (r == 0 && wconn_on())
		wproc_chdir(fd, "");
	errno = e;
	return r;
}

/* chroot: what the process and its children do below the new root is named by paths the
 * collector cannot open as given, and the programs it execs there do not find the
 * interposer: the record says so (the ebpf backend walks such paths up to the build's
 * root instead). */
WHOOK int chroot(const char *path)
{
	char abs[WPATH_BUF];
	size_t n = 0;
	int trunc = 0, r, e;

	if (wconn_on())
		n = wpath_abs_at(AT_FDCWD, path, abs, &trunc);
	r = WREAL(chroot)(path);
	e = errno;
	if (r == 0 && wconn_on())
		wconn_warn(AB_WARN_CHROOT, n ? abs : path, n ? n : strlen(path));
	errno = e;
	return r;
}

/* unshare(CLONE_NEWNS), setns into a mount namespace: the process (and its children) then
 * name files by the new namespace's mounts, which the collector does not see: its opens
 * would be looked up on the host.  The record says so (the ebpf backend finds host paths
 * for what it can). */
void wproc_newns(int ok, unsigned long long flags, const char *what)
{
	int e = errno;

	if (ok && (flags & CLONE_NEWNS) && wconn_on())
		wconn_warn(AB_WARN_MOUNT_NS, what, strlen(what));
	errno = e;
}

WHOOK int unshare(int flags)
{
	int r = WREAL(unshare)(flags);

	wproc_newns(r == 0, (unsigned)flags, "unshare");
	return r;
}

WHOOK int setns(int fd, int nstype)
{
	int r = WREAL(setns)(fd, nstype), e = errno;

	if (r == 0 && wconn_on() &&
	    (nstype == CLONE_NEWNS ||
	     (nstype == 0 && wsys(SYS_ioctl, fd, NS_GET_NSTYPE) == CLONE_NEWNS)))
		wconn_warn(AB_WARN_MOUNT_NS, "setns", 5);
	errno = e;
	return r;
}

/* clone(CLONE_NEWNS), as bwrap and other sandboxes start their child: the child names files
 * by a mount namespace of its own (as after unshare).  The parent says so: the child runs
 * fn, out of the hooks' reach.  The optional arguments are passed on as they came (the
 * real clone reads them only when the flags ask for them). */
WHOOK int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	pid_t *ptid, *ctid;
	void *tls;
	int r;

	va_start(ap, arg);
	ptid = va_arg(ap, pid_t *);
	tls = va_arg(ap, void *);
	ctid = va_arg(ap, pid_t *);
	va_end(ap);
	r = WREAL(clone)(fn, stack, flags, arg, ptid, tls, ctid);
	wproc_newns(r > 0, (unsigned)flags, "clone");
	return r;
}

void wproc_init(void)
{
	(void)WREAL(exit);
	(void)WREAL(_exit);
	(void)WREAL(_Exit);
	(void)WREAL(wait);
	(void)WREAL(waitpid);
	(void)WREAL(wait3);
	(void)WREAL(wait4);
	(void)WREAL(waitid);
	(void)WREAL(chdir);
	(void)WREAL(fchdir);
	wproc_handler = on_exit(wproc_at_exit, NULL) == 0;
}
