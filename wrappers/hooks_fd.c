/*
 * hooks_fd.c - the connection to the collector outlives the program's own descriptor
 * housekeeping: close, close_range, closefrom, dup2 and dup3.
 *
 * A program that closes every descriptor it did not open (closefrom(3), a loop of close,
 * close_range) would close the connection, and one that dup2s onto its number would put
 * a file of its own in its place: every later record of the process would be lost or sent
 * into that file (and its children, which use the same connection, would connect again).
 * So close of the connection is skipped (the call reports success), ranges are split
 * around it, and a dup2/dup3 onto its number first moves it to another.  Only the process that owns the connection moves it: a vfork child shares its memory but
 * not its descriptor table.  Raw system calls get past all this; the next send then fails
 * and the process leaves its marker (conn.c), so the record says what it missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "internal.h"

WREAL_DECL(close);
WREAL_DECL(close_range);
WREAL_DECL(closefrom);
WREAL_DECL(dup2);
WREAL_DECL(dup3);

WHOOK int close(int fd)
{
	if (fd >= 0 && fd == wconn_fd())
		return 0;
	return WREAL(close)(fd);
}

WHOOK int close_range(unsigned int first, unsigned int last, int flags)
{
	int fd = wconn_fd(), r = 0;

	/* split with CLOSE_RANGE_CLOEXEC too: the connection stays open across exec for the
	 * image the process becomes (conn.c) */
	if (fd < 0 || (unsigned)fd < first || (unsigned)fd > last)
		return WREAL(close_range)(first, last, flags);
	if ((unsigned)fd > first)
		r = WREAL(close_range)(first, (unsigned)fd - 1, flags);
	if (r == 0 && (unsigned)fd < last)
		r = WREAL(close_range)((unsigned)fd + 1, last, flags);
	return r;
}

WHOOK void closefrom(int lowfd)
{
	int fd = wconn_fd(), e = errno;

	if (fd < 0 || fd < lowfd) {
		WREAL(closefrom)(lowfd);
		return;
	}
	if (fd > lowfd && WREAL(close_range)((unsigned)lowfd, (unsigned)fd - 1, 0) < 0)
		for (int i = lowfd < 0 ? 0 : lowfd; i < fd; i++) /* no close_range: one by one */
			WREAL(close)(i);
	errno = e;
	WREAL(closefrom)(fd + 1);
}

/* dup2/dup3 onto the connection's number: the connection moves first. */
WHOOK int dup2(int oldfd, int newfd)
{
	if (newfd >= 0 && oldfd != newfd && newfd == wconn_fd())
		wconn_move_fd();
	return WREAL(dup2)(oldfd, newfd);
}

WHOOK int dup3(int oldfd, int newfd, int flags)
{
	if (newfd >= 0 && oldfd != newfd && newfd == wconn_fd())
		wconn_move_fd();
	return WREAL(dup3)(oldfd, newfd, flags);
}

void wfd_init(void)
{
	(void)WREAL(close);
	(void)WREAL(close_range);
	(void)WREAL(closefrom);
	(void)WREAL(dup2);
	(void)WREAL(dup3);
}

int wfd_close_real(int fd)
{
	return WREAL(close)(fd);
}
