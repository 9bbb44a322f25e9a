/*
 * hooks_fsops.c - rename, link, symlink, unlink, rmdir and truncate.
 *
 * Reported only when the real call succeeded (ret 0).  Strings follow ab_file: [0]/[1] the
 * first path as given / absolute, [2]/[3] the second.  For symlink, [0] is the target text
 * and [1] the target made absolute lexically against the directory of the new link.
 */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	      unsigned int flags);

/* Run call (an int expression); on success report op; keep the call's errno. */
#define WOPS(op, d1, p1, d2, p2, fl, ff, call)                                             \
	do {                                                                               \
		int r_ = (call), e_ = errno;                                               \
		if (r_ == 0 && wconn_on())                                                 \
			wfile_report(op, d1, p1, d2, p2, (unsigned)(fl), 0, NULL, ff);     \
		errno = e_;                                                                \
		return r_;                                                                 \
	} while (0)

WREAL_DECL(rename);
WREAL_DECL(renameat);
WREAL_DECL(renameat2);
WREAL_DECL(link);
WREAL_DECL(linkat);
WREAL_DECL(unlink);
WREAL_DECL(unlinkat);
WREAL_DECL(rmdir);
WREAL_DECL(symlink);
WREAL_DECL(symlinkat);
WREAL_DECL(truncate);
WREAL_DECL(truncate64);

WHOOK int rename(const char *oldpath, const char *newpath)
{
	WOPS(AB_OP_RENAME, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0, 0,
	     WREAL(rename)(oldpath, newpath));
}

WHOOK int renameat(int od, const char *oldpath, int nd, const char *newpath)
{
	WOPS(AB_OP_RENAME, od, oldpath, nd, newpath, 0, 0,
	     WREAL(renameat)(od, oldpath, nd, newpath));
}

WHOOK int renameat2(int od, const char *oldpath, int nd, const char *newpath, unsigned flags)
{
	WOPS(AB_OP_RENAME, od, oldpath, nd, newpath, flags, 0,
	     WREAL(renameat2)(od, oldpath, nd, newpath, flags));
}

WHOOK int link(const char *oldpath, const char *newpath)
{
	WOPS(AB_OP_LINK, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0, 0,
	     WREAL(link)(oldpath, newpath));
}

WHOOK int linkat(int od, const char *oldpath, int nd, const char *newpath, int flags)
{
	WOPS(AB_OP_LINK, od, oldpath, nd, newpath, flags, 0,
	     WREAL(linkat)(od, oldpath, nd, newpath, flags));
}

WHOOK int unlink(const char *path)
{
	WOPS(AB_OP_UNLINK, AT_FDCWD, path, AT_FDCWD, NULL, 0, 0, WREAL(unlink)(path));
}

WHOOK int unlinkat(int dirfd, const char *path, int flags)
{
	WOPS(AB_OP_UNLINK, dirfd, path, AT_FDCWD, NULL, flags,
	     (flags & AT_REMOVEDIR) ? AB_F_DIR : 0, WREAL(unlinkat)(dirfd, path, flags));
}

WHOOK int rmdir(const char *path)
{
	WOPS(AB_OP_UNLINK, AT_FDCWD, path, AT_FDCWD, NULL, AT_REMOVEDIR, AB_F_DIR,
	     WREAL(rmdir)(path));
}

WHOOK int truncate(const char *path, off_t len)
{
	WOPS(AB_OP_TRUNCATE, AT_FDCWD, path, AT_FDCWD, NULL, 0, AB_F_WRITE,
	     WREAL(truncate)(path, len));
}

WHOOK int truncate64(const char *path, off64_t len)
{
	WOPS(AB_OP_TRUNCATE, AT_FDCWD, path, AT_FDCWD, NULL, 0, AB_F_WRITE,
	     WREAL(truncate64)(path, len));
}

/* Report a symlink: target text, its lexical absolute form next to the link, the link. */
static void wops_symlink(const char *target, int dirfd, const char *linkpath)
{
	struct ab_file f;
	struct wstr s[4];
	char la[WPATH_BUF], ta[WPATH_BUF], dir[WPATH_BUF];
	size_t ln, tn, cut;
	int trunc = 0;

	memset(&f, 0, sizeof f);
	ln = wpath_abs_at(dirfd, linkpath, la, &trunc);
	ta[0] = '\0';
	tn = 0;
	if (ln) {
		for (cut = ln; cut > 1 && la[cut - 1] != '/'; cut--)
			;
		cut = cut > 1 ? cut - 1 : 1; /* length of the link's directory */
		memcpy(dir, la, cut);
		dir[cut] = '\0';
		tn = wpath_join(ta, sizeof ta, dir, target, &trunc);
	}
	s[0] = (struct wstr){ target, strlen(target) };
	s[1] = (struct wstr){ ta, tn };
	s[2] = (struct wstr){ linkpath, strlen(linkpath) };
	s[3] = (struct wstr){ la, ln };
	for (tn = 0; tn < 4; tn += 2) {
		if (s[tn].len > AB_PATH_MAX) {
			s[tn].len = AB_PATH_MAX;
			trunc = 1;
		}
	}
	f.op = AB_OP_SYMLINK;
	f.fflags = trunc ? AB_F_TRUNC_PATH : 0;
	f.dirfd = dirfd;
	wconn_send(AB_EV_FILE, &f, sizeof f, s, 4);
}

WHOOK int symlink(const char *target, const char *linkpath)
{
	int r = WREAL(symlink)(target, linkpath), e = errno;

	if (r == 0 && wconn_on())
		wops_symlink(target, AT_FDCWD, linkpath);
	errno = e;
	return r;
}

WHOOK int symlinkat(const char *target, int dirfd, const char *linkpath)
{
	int r = WREAL(symlinkat)(target, dirfd, linkpath), e = errno;

	if (r == 0 && wconn_on())
		wops_symlink(target, dirfd, linkpath);
	errno = e;
	return r;
}

void wfsops_init(void)
{
	(void)WREAL(rename);
	(void)WREAL(renameat);
	(void)WREAL(renameat2);
	(void)WREAL(link);
	(void)WREAL(linkat);
	(void)WREAL(unlink);
	(void)WREAL(unlinkat);
	(void)WREAL(rmdir);
	(void)WREAL(symlink);
	(void)WREAL(symlinkat);
	(void)WREAL(truncate);
	(void)WREAL(truncate64);
}
