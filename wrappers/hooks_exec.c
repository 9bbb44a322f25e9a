/*
 * hooks_exec.c - the exec family.
 *
 * glibc's execv/execvp/execl... call __execve internally, past our execve hook, so each has
 * its own hook and all of them end in wexec_run: announce (AB_EV_EXEC, and AB_EV_WARN for a
 * static target), doctor the environment on the stack, call the real execve/execveat/
 * fexecve, and send AB_EV_EXEC with AB_EXEC_FAILED if it returned.  The PATH search of the
 * execvp family is done here so the record names the real file.  Everything runs in vfork
 * children: no malloc, stack buffers only.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

#define WEXEC_VE 0 /* execve */
#define WEXEC_AT 1 /* execveat */
#define WEXEC_FD 2 /* fexecve */

WREAL_DECL(execve);
WREAL_DECL(execveat);
WREAL_DECL(fexecve);
WREAL_DECL(execvp);
WREAL_DECL(execvpe);

unsigned wexec_announce(int dirfd, const char *given, const char *abs, size_t alen, int atflags,
			unsigned flags)
{
	struct ab_exec x = { 0 };
	struct ab_warn w = { 0 };
	struct wstr s[2];
	size_t glen = strlen(given);
	int kind;

	if (!wconn_on())
		return flags;
	if (glen > AB_PATH_MAX)
		glen = AB_PATH_MAX;
	s[0] = (struct wstr){ given, glen };
	s[1] = (struct wstr){ abs, alen };
	kind = welf_check_at(dirfd, given, atflags);
	/* a target that will not load the interposer: say so, and let the collector make its row */
	if (kind & (WELF_STATIC | WELF_SETID | WELF_FOREIGN)) {
		if (kind & WELF_STATIC) {
			flags |= AB_EXEC_STATIC;
			w.reason = AB_WARN_STATIC_EXEC;
		} else if (kind & WELF_SETID) {
			flags |= AB_EXEC_SETID;
			w.reason = AB_WARN_SETID_EXEC;
		} else {
			flags |= AB_EXEC_FOREIGN;
			w.reason = AB_WARN_FOREIGN_EXEC;
		}
		wconn_send(AB_EV_WARN, &w, sizeof w, alen ? &s[1] : &s[0], 1);
	}
	x.flags = flags;
	wconn_send(AB_EV_EXEC, &x, sizeof x, s, 2);
	return flags;
}

void wexec_failed(const char *given, const char *abs, size_t alen, unsigned flags, int err)
{
	struct ab_exec x = { 0 };
	struct wstr s[2];
	size_t glen = strlen(given);

	if (!wconn_on())
		return;
	if (glen > AB_PATH_MAX)
		glen = AB_PATH_MAX;
	s[0] = (struct wstr){ given, glen };
	s[1] = (struct wstr){ abs, alen };
	x.flags = flags | AB_EXEC_FAILED;
	x.err = err;
	wconn_send(AB_EV_EXEC, &x, sizeof x, s, 2);
}

/* Call the real exec of the given kind. */
static int wexec_real(int kind, int fd, const char *path, char *const argv[], char *const envp[],
		      int atflags)
{
	if (kind == WEXEC_AT)
		return WREAL(execveat)(fd, path, argv, envp, atflags);
	if (kind == WEXEC_FD)
		return WREAL(fexecve)(fd, argv, envp);
	return WREAL(execve)(path, argv, envp);
}

/* Announce, doctor, exec; returns -1 with errno only if the exec failed. */
static int wexec_run(int kind, int fd, const char *path, char *const argv[], char *const envp[],
		     int atflags)
{
	char abs[WPATH_BUF];
	size_t alen = 0;
	unsigned fl = 0;
	int e = errno, trunc = 0, n, chk = atflags, dfd = kind == WEXEC_VE ? AT_FDCWD : fd;
	int quiet = 0; /* a lazy fork child execs unannounced: the new image tells for it */

	if (!wconn_enabled())
		return wexec_real(kind, fd, path, argv, envp, atflags);
	abs[0] = '\0';
	if (wconn_on()) {
		if (kind != WEXEC_VE && !*path && (kind == WEXEC_FD || (atflags & AT_EMPTY_PATH))) {
			n = wpath_fdlink(fd, abs, sizeof abs);
			alen = n > 0 ? (size_t)n : 0;
			chk |= AT_EMPTY_PATH;
		} else {
			alen = wpath_abs_at(kind == WEXEC_AT ? fd : AT_FDCWD, path, abs, &trunc);
		}
		if (!wimage_loadable()) { /* it runs as a user who cannot load the interposer */
			wconn_warn(AB_WARN_NO_COLLECTOR, alen ? abs : path, alen ? alen : strlen(path));
			fl = wexec_announce(dfd, path, abs, alen, chk, AB_EXEC_SETID);
		} else {
			/* only when the target surely loads the interposer: dynamic, no set-ID */
			quiet = wconn_lazy() && welf_check_at(dfd, path, chk) == WELF_DYNAMIC;
			if (!quiet)
				fl = wexec_announce(dfd, path, abs, alen, chk, 0);
		}
	}
	{
		WENV_DOCTOR(nenv, envp);
		if (wconn_exec_sync())
			wenv_add(nenv, AB_ENV_SYNC "=1");
		if (quiet)
			wenv_add(nenv, AB_ENV_FORKED "=1");
		errno = e;
		wexec_real(kind, fd, path, argv, nenv, atflags);
	}
	e = errno;
	if (quiet) /* it failed: say what was tried after all (this connects) */
		fl = wexec_announce(dfd, path, abs, alen, chk, 0);
	wexec_failed(path, abs, alen, fl, e);
	errno = e;
	return -1;
}

/* Exec path; on ENOEXEC run it with /bin/sh as execvp does.  Returns -1 with errno. */
static int wexec_try(const char *path, char *const argv[], char *const envp[])
{
	size_t n = 0, i;

	wexec_run(WEXEC_VE, AT_FDCWD, path, argv, envp, 0);
	if (errno != ENOEXEC)
		return -1;
	while (argv && argv[n])
		n++;
	{
		char *nargv[n + 3];

		nargv[0] = (char *)"/bin/sh";
		nargv[1] = (char *)path;
		nargv[2] = NULL;
		for (i = 1; i <= n; i++)
			nargv[i + 1] = argv[i];
		wexec_run(WEXEC_VE, AT_FDCWD, "/bin/sh", nargv, envp, 0);
	}
	return -1;
}

/* Candidate i of the PATH search for file into buf; returns the next PATH position or NULL */
static const char *wexec_candidate(const char *p, const char *file, size_t flen, char *buf,
				   int *ok)
{
	const char *end = strchrnul(p, ':');
	size_t dl = (size_t)(end - p);

	*ok = dl + 1 + flen < WPATH_BUF;
	if (*ok && dl) {
		memcpy(buf, p, dl);
		buf[dl] = '/';
		memcpy(buf + dl + 1, file, flen + 1);
	} else if (*ok) {
		memcpy(buf, file, flen + 1); /* empty element: the current directory */
	}
	return *end ? end + 1 : NULL;
}

/* PATH of the search: the caller's environment, else the default of confstr(_CS_PATH). */
static const char *wexec_pathvar(void)
{
	const char *p = getenv("PATH");

	return p ? p : "/bin:/usr/bin";
}

int wexec_which(const char *file, char *buf)
{
	const char *p = wexec_pathvar();
	size_t flen = strlen(file);
	int ok;

	if (strchr(file, '/') || !*file)
		return -ENOENT;
	while (p) {
		p = wexec_candidate(p, file, flen, buf, &ok);
		if (ok && wsys(SYS_faccessat, AT_FDCWD, buf, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* The execvp search: try each PATH entry as glibc does. */
static int wexec_search(const char *file, char *const argv[], char *const envp[])
{
	const char *p = wexec_pathvar();
	char buf[WPATH_BUF];
	size_t flen = strlen(file);
	int eacces = 0, e = errno, ok;

	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/'))
		return wexec_try(file, argv, envp);
	while (p) {
		p = wexec_candidate(p, file, flen, buf, &ok);
		if (!ok)
			continue;
		if (wsys(SYS_faccessat, AT_FDCWD, buf, X_OK) == 0) {
			errno = e;
			wexec_try(buf, argv, envp);
		}
		switch (errno) {
		case EACCES:
			eacces = 1;
			break;
		case ENOENT:
		case ESTALE:
		case ENOTDIR:
		case ENODEV:
		case ETIMEDOUT:
		case ENAMETOOLONG:
		case ELOOP:
			break;
		default:
			return -1;
		}
	}
	errno = eacces ? EACCES : ENOENT;
	return -1;
}

WHOOK int execve(const char *path, char *const argv[], char *const envp[])
{
	return wexec_run(WEXEC_VE, AT_FDCWD, path, argv, envp, 0);
}

WHOOK int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		   int flags)
{
	return wexec_run(WEXEC_AT, dirfd, path, argv, envp, flags);
}

WHOOK int fexecve(int fd, char *const argv[], char *const envp[])
{
	return wexec_run(WEXEC_FD, fd, "", argv, envp, 0);
}

WHOOK int execv(const char *path, char *const argv[])
{
	return wexec_run(WEXEC_VE, AT_FDCWD, path, argv, environ, 0);
}

WHOOK int execvp(const char *file, char *const argv[])
{
	if (!wconn_enabled())
		return WREAL(execvp)(file, argv);
	return wexec_search(file, argv, environ);
}

WHOOK int execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (!wconn_enabled())
		return WREAL(execvpe)(file, argv, envp);
	return wexec_search(file, argv, envp);
}

/* Arguments of an execl-style list: arg and the variadic ones before the NULL. */
static size_t wexec_count(const char *arg, va_list ap)
{
	size_t n = 0;

	if (!arg)
		return 0;
	for (n = 1; va_arg(ap, char *); n++)
		;
	return n;
}

/* Fill argv (n + 1 slots) from arg and ap; returns the pointer after the NULL if want_env. */
static char **wexec_fill(char **argv, size_t n, const char *arg, va_list ap, int want_env)
{
	size_t i;

	argv[0] = (char *)arg;
	for (i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	if (n)
		(void)va_arg(ap, char *); /* the terminating NULL */
	argv[n] = NULL;
	return want_env ? va_arg(ap, char **) : NULL;
}

/* Hook body of execl/execlp/execle: build argv on the stack, then run `call`. */
#define WEXEC_LIST(arg, want_env, call)                                                    \
	do {                                                                               \
		va_list ap_;                                                               \
		size_t n_;                                                                 \
		char **envp_;                                                              \
		va_start(ap_, arg);                                                        \
		n_ = wexec_count(arg, ap_);                                                \
		va_end(ap_);                                                               \
		{                                                                          \
			char *argv_[n_ + 1];                                               \
			va_start(ap_, arg);                                                \
			envp_ = wexec_fill(argv_, n_, arg, ap_, want_env);                 \
			va_end(ap_);                                                       \
			(void)envp_;                                                       \
			return call;                                                       \
		}                                                                          \
	} while (0)

WHOOK int execl(const char *path, const char *arg, ...)
{
	WEXEC_LIST(arg, 0, wexec_run(WEXEC_VE, AT_FDCWD, path, argv_, environ, 0));
}

WHOOK int execle(const char *path, const char *arg, ...)
{
	WEXEC_LIST(arg, 1, wexec_run(WEXEC_VE, AT_FDCWD, path, argv_, envp_, 0));
}

WHOOK int execlp(const char *file, const char *arg, ...)
{
	WEXEC_LIST(arg, 0, wconn_enabled() ? wexec_search(file, argv_, environ)
					   : WREAL(execvp)(file, argv_));
}

void wexec_init(void)
{
	(void)WREAL(execve);
	(void)WREAL(execveat);
	(void)WREAL(fexecve);
	(void)WREAL(execvp);
	(void)WREAL(execvpe);
}
