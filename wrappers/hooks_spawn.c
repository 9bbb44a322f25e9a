/*
 * hooks_spawn.c - posix_spawn, posix_spawnp, system, popen, and vfork.
 *
 * The first four start a new child (AB_EXEC_SPAWN) and glibc execs inside it with internal
 * calls that our hooks do not see.  posix_spawn* get the doctored envp; system and popen
 * use environ, so it is repaired with setenv first (the parent's context, never a vfork
 * child).  vfork only makes a lazy fork child connect first (conn.c, WCONN_LAZY_FORK).
 *
 * The opens of posix_spawn's file actions (`cmd > out` without a shell) are made by glibc in
 * the child, unseen: the hooks of posix_spawn_file_actions_addopen remember their
 * descriptors, and the spawned image is told them (AB_ENV_INHERIT) and reports each as its
 * own open (conn.c), so that what it writes there is hashed at its exit.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define WSPAWN_SH "/bin/sh"

/* The descriptors of the opens in a set of file actions, in a list by the set's address. */
struct wspawn_opens {
	struct wspawn_opens *next;
	const posix_spawn_file_actions_t *fa;
	char fds[sizeof AB_ENV_INHERIT "=" + 64]; /* "ASBUILT_INHERIT=3,1" */
	size_t len;
};
static struct wspawn_opens *g_opens;
static pthread_mutex_t g_opens_lock = PTHREAD_MUTEX_INITIALIZER;

WREAL_DECL(posix_spawn_file_actions_init);
WREAL_DECL(posix_spawn_file_actions_destroy);
WREAL_DECL(posix_spawn_file_actions_addopen);

WREAL_DECL(posix_spawn);
WREAL_DECL(posix_spawnp);
WREAL_DECL(system);
WREAL_DECL(popen);
#if WCONN_LAZY_FORK
WREAL_DECL(vfork);
#endif

/* Forgets the opens of fa (made anew, or destroyed). */
static void wspawn_forget(const posix_spawn_file_actions_t *fa)
{
	struct wspawn_opens **pp, *o;

	pthread_mutex_lock(&g_opens_lock);
	for (pp = &g_opens; (o = *pp);) {
		if (o->fa == fa) {
			*pp = o->next;
			free(o);
		} else {
			pp = &o->next;
		}
	}
	pthread_mutex_unlock(&g_opens_lock);
}

WHOOK int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	if (g_opens)
		wspawn_forget(fa);
	return WREAL(posix_spawn_file_actions_init)(fa);
}

WHOOK int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	if (g_opens)
		wspawn_forget(fa);
	return WREAL(posix_spawn_file_actions_destroy)(fa);
}

WHOOK int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
					   int oflag, mode_t mode)
{
	int r = WREAL(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode), e = errno;
	struct wspawn_opens *o;
	char num[24];
	size_t n;

	if (r || !wconn_enabled())
		return r;
	n = wpath_utoa(num, (unsigned long)fd);
	pthread_mutex_lock(&g_opens_lock);
	for (o = g_opens; o && o->fa != fa; o = o->next)
		;
	if (!o && (o = calloc(1, sizeof *o))) {
		o->fa = fa;
		o->len = sizeof AB_ENV_INHERIT; /* "ASBUILT_INHERIT=" */
		memcpy(o->fds, AB_ENV_INHERIT "=", o->len);
		o->next = g_opens;
		g_opens = o;
	}
	/* past 64 bytes of numbers the rest is not told: such a child is not seen writing */
	if (o && o->len + n + 2 < sizeof o->fds) {
		if (o->fds[o->len - 1] != '=')
			o->fds[o->len++] = ',';
		memcpy(o->fds + o->len, num, n + 1);
		o->len += n;
	}
	pthread_mutex_unlock(&g_opens_lock);
	errno = e;
	return r;
}

/* Copies into buf the AB_ENV_INHERIT entry for the opens of fa; 0 when it has none. */
static int wspawn_inherit(const posix_spawn_file_actions_t *fa, char *buf, size_t cap)
{
	struct wspawn_opens *o;
	int found = 0;

	if (!fa || !g_opens)
		return 0;
	pthread_mutex_lock(&g_opens_lock);
	for (o = g_opens; o && o->fa != fa; o = o->next)
		;
	if (o && o->len < cap) {
		memcpy(buf, o->fds, o->len + 1);
		found = 1;
	}
	pthread_mutex_unlock(&g_opens_lock);
	return found;
}

/* Shared body of posix_spawn (search 0) and posix_spawnp (search 1). */
static int wspawn_run(int search, pid_t *pid, const char *file,
		      const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		      char *const argv[], char *const envp[])
{
	char abs[WPATH_BUF], found[WPATH_BUF], inherit[sizeof(((struct wspawn_opens *)0)->fds)];
	const char *target = file;
	size_t alen = 0;
	unsigned fl = AB_EXEC_SPAWN;
	int e = errno, trunc = 0, r;

	abs[0] = '\0';
	if (wconn_on()) {
		if (search && wexec_which(file, found) == 0)
			target = found;
		alen = wpath_abs_at(AT_FDCWD, target, abs, &trunc);
		fl = wexec_announce(AT_FDCWD, target, abs, alen, 0, fl);
	}
	{
		WENV_DOCTOR(nenv, envp);
		if (wspawn_inherit(fa, inherit, sizeof inherit))
			wenv_add(nenv, inherit);
		errno = e;
		if (search)
			r = WREAL(posix_spawnp)(pid, file, fa, attr, argv, nenv);
		else
			r = WREAL(posix_spawn)(pid, file, fa, attr, argv, nenv);
	}
	e = errno;
	if (r)
		wexec_failed(file, abs, alen, fl, r);
	errno = e;
	return r;
}

WHOOK int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (!wconn_enabled())
		return WREAL(posix_spawn)(pid, path, fa, attr, argv, envp);
	return wspawn_run(0, pid, path, fa, attr, argv, envp);
}

WHOOK int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	if (!wconn_enabled())
		return WREAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
	return wspawn_run(1, pid, file, fa, attr, argv, envp);
}

/* Before system/popen: repair environ and announce the shell.  Returns the flags. */
static unsigned wspawn_shell(void)
{
	int e = errno;
	unsigned fl = AB_EXEC_SPAWN;

	wenv_fix_environ();
	fl = wexec_announce(AT_FDCWD, WSPAWN_SH, WSPAWN_SH, sizeof WSPAWN_SH - 1, 0, fl);
	errno = e;
	return fl;
}

WHOOK int system(const char *cmd)
{
	unsigned fl;
	int r, e;

	if (!cmd || !wconn_enabled())
		return WREAL(system)(cmd);
	fl = wspawn_shell();
	r = WREAL(system)(cmd);
	e = errno;
	if (r == -1)
		wexec_failed(WSPAWN_SH, WSPAWN_SH, sizeof WSPAWN_SH - 1, fl, e);
	errno = e;
	return r;
}

WHOOK FILE *popen(const char *cmd, const char *type)
{
	unsigned fl;
	FILE *fp;
	int e;

	if (!cmd || !wconn_enabled())
		return WREAL(popen)(cmd, type);
	fl = wspawn_shell();
	fp = WREAL(popen)(cmd, type);
	e = errno;
	if (!fp)
		wexec_failed(WSPAWN_SH, WSPAWN_SH, sizeof WSPAWN_SH - 1, fl, e);
	errno = e;
	return fp;
}

#if WCONN_LAZY_FORK
/*
 * vfork: a fork child that has not connected (conn.c) connects before its vfork child runs,
 * which shares its memory but not its descriptors and so could not connect for it.  A C
 * wrapper cannot call vfork: the child would return through the wrapper's frame, which the
 * suspended parent still needs.  The hook is a stub that calls wspawn_before_vfork (which
 * returns the real vfork) and jumps there, leaving no frame of its own.
 */
__attribute__((visibility("hidden"))) void *wspawn_before_vfork(void);

void *wspawn_before_vfork(void)
{
	void *real = (void *)WREAL(vfork);

	wconn_ensure();
	return real ? real : (void *)fork; /* vfork may always be a fork */
}

__asm__(".text\n"
	".globl vfork\n"
	".type vfork, @function\n"
	"vfork:\n"
	"	endbr64\n"
	"	sub $8, %rsp\n" /* the callee's stack aligned to 16 bytes */
	"	call wspawn_before_vfork\n"
	"	add $8, %rsp\n"
	"	jmp *%rax\n"
	".size vfork, .-vfork\n");
#endif

void wspawn_init(void)
{
	/* posix_spawn, system and popen resolve at first use: none is async-signal-safe or
	 * made for a vfork child, and most processes never call them */
#if WCONN_LAZY_FORK
	(void)WREAL(vfork);
#endif
}
