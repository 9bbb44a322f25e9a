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
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define WSPAWN_SH "/bin/sh"

/* The descriptors of the opens in a set of file actions, by the set's address, in a fixed
 * table (no allocation, no lock object: a spinlock over a few compares). */
#define WSPAWN_SETS 32
struct wspawn_opens {
	const posix_spawn_file_actions_t *fa; /* NULL: a free slot */
	char fds[sizeof AB_ENV_INHERIT "=" + 64]; /* "ASBUILT_INHERIT=3,1" */
	size_t len;
};
static struct wspawn_opens g_opens[WSPAWN_SETS] WBIG;
static int g_nopens; /* slots in use */
static char g_opens_lock;

static void wspawn_lock(void)
{
	while (__atomic_test_and_set(&g_opens_lock, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void wspawn_unlock(void)
{
	__atomic_clear(&g_opens_lock, __ATOMIC_RELEASE);
}

/* The slot of fa, or NULL (under the lock). */
static struct wspawn_opens *wspawn_slot(const posix_spawn_file_actions_t *fa)
{
	for (int i = 0; i < WSPAWN_SETS; i++)
		if (g_opens[i].fa == fa)
			return &g_opens[i];
	return NULL;
}

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
	struct wspawn_opens *o;

	wspawn_lock();
	if ((o = wspawn_slot(fa))) {
		o->fa = NULL;
		g_nopens--;
	}
	wspawn_unlock();
}

WHOOK int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	if (__atomic_load_n(&g_nopens, __ATOMIC_RELAXED))
		wspawn_forget(fa);
	return WREAL(posix_spawn_file_actions_init)(fa);
}

WHOOK int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	if (__atomic_load_n(&g_nopens, __ATOMIC_RELAXED))
		wspawn_forget(fa);
	return WREAL(posix_spawn_file_actions_destroy)(fa);
}

WHOOK int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd, const char *path,
					   int oflag, mode_t mode)
{
	int r = WREAL(posix_spawn_file_actions_addopen)(fa, fd, path, oflag, mode), e = errno;
	int told = 0;
	struct wspawn_opens *o;
	char num[24];
	size_t n;

	if (r || !wconn_enabled())
		return r;
	n = wpath_utoa(num, (unsigned long)fd);
	wspawn_lock();
	if (!(o = wspawn_slot(fa)) && (o = wspawn_slot(NULL))) {
		o->fa = fa;
		o->len = sizeof AB_ENV_INHERIT; /* "ASBUILT_INHERIT=" */
		memcpy(o->fds, AB_ENV_INHERIT "=", o->len);
		g_nopens++;
	}
	if (o && o->len + n + 2 < sizeof o->fds) {
		if (o->fds[o->len - 1] != '=')
			o->fds[o->len++] = ',';
		memcpy(o->fds + o->len, num, n + 1);
		o->len += n;
		told = 1;
	}
	wspawn_unlock();
	if (!told && wconn_on()) { /* no room: the child will not be told */
		static const char what[] = "a posix_spawn file action not followed (too many)";
		wconn_warn(AB_WARN_OTHER, what, sizeof what - 1);
	}
	errno = e;
	return r;
}

/* Copies into buf the AB_ENV_INHERIT entry for the opens of fa; 0 when it has none. */
static int wspawn_inherit(const posix_spawn_file_actions_t *fa, char *buf, size_t cap)
{
	struct wspawn_opens *o;
	int found = 0;

	if (!fa || !__atomic_load_n(&g_nopens, __ATOMIC_RELAXED))
		return 0;
	wspawn_lock();
	if ((o = wspawn_slot(fa)) && o->len < cap) {
		memcpy(buf, o->fds, o->len + 1);
		found = 1;
	}
	wspawn_unlock();
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
