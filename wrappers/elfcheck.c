/*
 * elfcheck.c - is the file about to be exec'd a static binary (no PT_INTERP)?
 *
 * A static binary does not load the interposer, so nothing it does is seen; the exec hooks
 * warn about it.  Nor does a set-user-ID or set-group-ID program that runs in the loader's
 * secure-execution mode (it changes the process's identity: ld.so then ignores LD_PRELOAD),
 * nor a program of another ELF class or machine (a 32-bit one on a 64-bit host: its loader
 * skips a library of the wrong class).
 * A fork child that has sent nothing yet execs without a word only when the target will
 * load the interposer and say so itself: dynamic, and no identity change.  Reads the ELF
 * header and program headers with raw pread into a stack buffer; follows one "#!"
 * interpreter.  Safe in a vfork child.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define WELF_BUF 1024
#define WELF_DEPTH 3 /* #! interpreters followed */

/* p_type of program header i (offset off), from buf or with one more pread. */
static int welf_ptype(long fd, const unsigned char *buf, long n, unsigned long off, __u32 *type)
{
	if (off + 4 <= (unsigned long)n) {
		memcpy(type, buf + off, 4);
		return 0;
	}
	return wsys(SYS_pread64, fd, type, 4, (long)off) == 4 ? 0 : -1;
}

/* The ELF class and machine of this library: a program of another cannot load it. */
#if defined(__x86_64__) && defined(__LP64__)
#define WELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define WELF_MACHINE EM_AARCH64
#endif
#define WELF_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

/* WELF_STATIC: ELF without PT_INTERP; WELF_DYNAMIC: with PT_INTERP, or unknown; either with
 * WELF_FOREIGN when its class or machine is not this library's. */
static int welf_scan(long fd, const unsigned char *buf, long n)
{
	unsigned long phoff;
	unsigned phnum, phent, i, type16, machine;
	int foreign;
	__u32 type;

	if (buf[EI_CLASS] == ELFCLASS64 && n >= (long)sizeof(Elf64_Ehdr)) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
		phoff = eh->e_phoff;
		phnum = eh->e_phnum;
		phent = eh->e_phentsize;
		type16 = eh->e_type;
		machine = eh->e_machine;
	} else if (buf[EI_CLASS] == ELFCLASS32 && n >= (long)sizeof(Elf32_Ehdr)) {
		const Elf32_Ehdr *eh = (const Elf32_Ehdr *)buf;
		phoff = eh->e_phoff;
		phnum = eh->e_phnum;
		phent = eh->e_phentsize;
		type16 = eh->e_type;
		machine = eh->e_machine;
	} else {
		return WELF_DYNAMIC;
	}
	foreign = buf[EI_CLASS] != WELF_CLASS;
#ifdef WELF_MACHINE
	foreign |= machine != WELF_MACHINE;
#endif
	if ((type16 != ET_EXEC && type16 != ET_DYN) || phent < 4 || phnum == 0 || phnum > 4096)
		return WELF_DYNAMIC;
	for (i = 0; i < phnum; i++) {
		if (welf_ptype(fd, buf, n, phoff + (unsigned long)i * phent, &type) < 0)
			return WELF_DYNAMIC;
		if (type == PT_INTERP)
			return WELF_DYNAMIC | (foreign ? WELF_FOREIGN : 0);
	}
	return WELF_STATIC;
}

/* Copy the interpreter path of a "#!" line in buf into out; 0 when none. */
static int welf_shebang(const unsigned char *buf, long n, char *out, size_t cap)
{
	long i = 2, j;

	while (i < n && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	for (j = i; j < n && buf[j] != ' ' && buf[j] != '\t' && buf[j] != '\n' && buf[j]; j++)
		;
	if (j == i || j == n || (size_t)(j - i) >= cap)
		return 0;
	memcpy(out, buf + i, (size_t)(j - i));
	out[j - i] = '\0';
	return 1;
}

/* Whether exec'ing the file st (open as fd) changes the process's user or group, or gives a
 * process that is not root the capabilities the file carries: the kernel then runs it in
 * secure-execution mode (AT_SECURE), unless the file system is mounted nosuid. */
static int welf_secure(long fd, const struct stat *st)
{
	struct statfs sf;

	if (!((st->st_mode & S_ISUID) && st->st_uid != getuid()) &&
	    !((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
	      st->st_gid != getgid()) &&
	    !(getuid() != 0 && wsys(SYS_fgetxattr, fd, "security.capability", NULL, 0L) > 0))
		return 0;
	return wsys(SYS_fstatfs, fd, &sf) != 0 || !(sf.f_flags & ST_NOSUID);
}

/* Whether st is this process's own dynamic loader (the PT_INTERP of its program, mapped
 * already): run directly (`ld.so PROGRAM`), it has no PT_INTERP of its own, like a static
 * binary, yet it loads the interposer into the program it runs. */
static int welf_our_loader(const struct stat *st)
{
	unsigned long i = 0;
	const char *interp = wimage_segment(PT_INTERP, &i, NULL);
	struct stat ls;

	return interp && wsys(SYS_newfstatat, AT_FDCWD, interp, &ls, 0L) == 0 &&
	       ls.st_dev == st->st_dev && ls.st_ino == st->st_ino;
}

int welf_check_at(int dirfd, const char *path, int atflags)
{
	unsigned char buf[WELF_BUF];
	char interp[256];
	int depth, flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, r = 0;
	struct stat st;
	long fd, n;

	for (depth = 0; depth < WELF_DEPTH; depth++) {
		if (path[0] == '\0' && (atflags & AT_EMPTY_PATH))
			fd = wsys(SYS_dup, dirfd);
		else
			fd = wsys(SYS_openat, dirfd, path, flags);
		if (fd < 0)
			return r;
		if (wsys(SYS_fstat, fd, &st) != 0)
			memset(&st, 0, sizeof st);
		else if (welf_secure(fd, &st))
			r |= WELF_SETID;
		n = wsys(SYS_pread64, fd, buf, sizeof buf, 0L);
		if (n >= 16 && !memcmp(buf, ELFMAG, SELFMAG)) {
			int kind = welf_scan(fd, buf, n);

			if (kind == WELF_STATIC && st.st_ino && welf_our_loader(&st))
				kind = WELF_DYNAMIC;
			r |= kind;
			wsys(SYS_close, fd);
			return r;
		}
		wsys(SYS_close, fd);
		if (n < 4 || buf[0] != '#' || buf[1] != '!' ||
		    !welf_shebang(buf, n, interp, sizeof interp))
			return r;
		path = interp;
		dirfd = AT_FDCWD;
		atflags = 0;
	}
	return r;
}
