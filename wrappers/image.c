/*
 * image.c - facts about this process image that the constructor and the exec hooks need:
 * whether it is a Go program (whose system calls bypass libc), which descriptors a
 * posix_spawn's file actions opened for it, and whether a program it execs with its
 * current identity can load the interposer at all.  No allocation; raw syscalls (wsys)
 * where a vfork child may call.
 */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

const char *wimage_segment(unsigned type, unsigned long *from, size_t *size)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM), i;
	uintptr_t bias = 0;

	if (!ph)
		return NULL;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
	for (i = *from; i < n; i++) {
		if (ph[i].p_type != type)
			continue;
		*from = i + 1;
		if (size)
			*size = ph[i].p_filesz;
		return (const char *)(bias + ph[i].p_vaddr);
	}
	*from = n;
	return NULL;
}

/* Go's runtime makes every system call itself, never through libc, even in a program
 * linked dynamically (with cgo): the interposer is loaded and sees nothing it does.  Every
 * Go executable carries Go's build ID note (owner "Go", type 4), in a PT_NOTE segment
 * that is mapped already: no file is read. */
int wimage_is_go(void)
{
	unsigned long i = 0;
	const char *p, *end;
	size_t size;

	while ((p = wimage_segment(PT_NOTE, &i, &size))) {
		for (end = p + size; p + sizeof(ElfW(Nhdr)) <= end;) {
			const ElfW(Nhdr) *nh = (const void *)p;
			const char *name = p + sizeof *nh;

			/* Go's linker writes the name "Go" padded: namesz 4 */
			if ((nh->n_namesz == 3 || nh->n_namesz == 4) && nh->n_type == 4 &&
			    name + 3 <= end && !memcmp(name, "Go", 3))
				return 1;
			p = name + ((nh->n_namesz + 3) & ~3u) + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

/* A posix_spawn's file actions opened the descriptors listed in v ("3,1,0") for this
 * image before it ran (hooks_spawn.c): each is reported as its own open, so that a file it
 * writes there is hashed at its exit (wfile_report notes the write). */
void wimage_inherited(const char *v)
{
	char path[WPATH_BUF];
	struct stat st;

	while (*v) {
		long fd = 0;
		int fl;

		if (*v < '0' || *v > '9')
			return;
		while (*v >= '0' && *v <= '9' && fd < 1 << 24)
			fd = fd * 10 + (*v++ - '0');
		if (*v == ',')
			v++;
		if ((fl = fcntl((int)fd, F_GETFL)) < 0 ||
		    wpath_fdlink((int)fd, path, sizeof path) <= 0 || path[0] != '/')
			continue; /* closed since, or a pipe or socket */
		wfile_report(AB_OP_OPEN, AT_FDCWD, path, AT_FDCWD, NULL, (unsigned)fl, (int)fd,
			     fstat((int)fd, &st) == 0 ? &st : NULL,
			     (fl & O_ACCMODE) != O_RDONLY ? AB_F_WRITE : 0);
	}
}

/* Whether the user uid (group gid, supplementary groups) may do want (4 read, 1 search) on
 * st by its mode bits alone: a program that user execs has no capabilities to override
 * them, whatever the process that execs it still has (setpriv keeps some until the exec). */
static int wimage_may(const struct stat *st, uid_t uid, gid_t gid, const gid_t *groups, int ng,
		      unsigned want)
{
	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return ((st->st_mode >> 6) & want) == want;
	for (int i = -1; i < ng; i++)
		if ((i < 0 ? gid : groups[i]) == st->st_gid)
			return ((st->st_mode >> 3) & want) == want;
	return (st->st_mode & want) == want;
}

int wimage_loadable(void)
{
	uid_t uid = (uid_t)wsys(SYS_geteuid);
	gid_t gid = (gid_t)wsys(SYS_getegid), groups[64];
	char dir[WPATH_BUF];
	struct stat st;
	int ng;
	size_t i, n = strlen(wconn_lib);

	/* the identity this image started with (and connected with): no system call */
	if ((uid == (uid_t)getauxval(AT_EUID) && gid == (gid_t)getauxval(AT_EGID)) ||
	    n >= sizeof dir)
		return 1;
	/* the identity changed (setpriv, runuser, su): can a program run with it read the
	 * interposer?  (The collector it could not reach then is told by its marker.) */
	ng = (int)wsys(SYS_getgroups, 64L, groups);
	if (ng < 0)
		ng = 0;
	memcpy(dir, wconn_lib, n + 1);
	for (i = 1; i < n; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (wsys(SYS_newfstatat, AT_FDCWD, dir, &st, 0) != 0 ||
		    !wimage_may(&st, uid, gid, groups, ng, 1))
			return 0;
		dir[i] = '/';
	}
	return wsys(SYS_newfstatat, AT_FDCWD, dir, &st, 0) == 0 &&
	       wimage_may(&st, uid, gid, groups, ng, 4);
}
