/*
 * path.c - lexical path resolution for the interposer.
 *
 * wpath_join is pure (no syscalls) and unit-tested in tests/unit/test_wpath.c.  The *_dirfd,
 * *_fdlink helpers ask the kernel for a directory name (getcwd, readlink) and use only
 * functions the interposer does not hook and that never allocate.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* State of one lexical join: out[0..len) is an absolute normalised path. */
struct wpath_acc {
	char *out;
	size_t cap;
	size_t len;
	int full; /* a component did not fit: stop, the result is a cut prefix */
};

/* Drop the last component ("/a/b" -> "/a", "/a" -> "/", "/" -> "/"). */
static void wpath_pop(struct wpath_acc *a)
{
	while (a->len > 1 && a->out[a->len - 1] != '/')
		a->len--;
	if (a->len > 1)
		a->len--;
}

/* Append one component of clen bytes, cutting at the capacity. */
static void wpath_push(struct wpath_acc *a, const char *c, size_t clen)
{
	size_t room;

	if (a->len > 1) {
		if (a->len + 1 >= a->cap) {
			a->full = 1;
			return;
		}
		a->out[a->len++] = '/';
	}
	room = a->cap - 1 - a->len;
	if (clen > room) {
		clen = room;
		a->full = 1;
	}
	memmove(a->out + a->len, c, clen); /* c may lie in out (base == out) */
	a->len += clen;
}

/* Fold the components of s into the accumulator. */
static void wpath_feed(struct wpath_acc *a, const char *s)
{
	while (*s && !a->full) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = s;
		while (*e && *e != '/')
			e++;
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			wpath_pop(a);
		} else {
			wpath_push(a, s, n);
		}
		s = e;
	}
}

size_t wpath_join(char *out, size_t cap, const char *base, const char *path, int *trunc)
{
	struct wpath_acc a = { out, cap, 0, 0 };

	if (cap < 2) {
		if (cap)
			out[0] = '\0';
		return 0;
	}
	if (!path)
		path = "";
	if (path[0] != '/' && (!base || base[0] != '/')) {
		out[0] = '\0';
		return 0;
	}
	out[0] = '/';
	a.len = 1;
	if (path[0] != '/')
		wpath_feed(&a, base);
	wpath_feed(&a, path);
	out[a.len] = '\0';
	if (a.full && trunc)
		*trunc = 1;
	return a.len;
}

size_t wpath_utoa(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int wpath_system(const char *given, const char *abs)
{
	static const char *const dirs[] = { "/usr/",  "/lib",	"/etc/", "/bin/",
					    "/sbin/", "/proc/", "/sys/", "/dev/" };

	if (!given || !abs || strstr(given, "..") || !strncmp(abs, "/usr/local/", 11))
		return 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (!strncmp(abs, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

int wpath_fdlink(int fd, char *buf, size_t cap)
{
	char link[32] = "/proc/self/fd/";
	ssize_t n;

	if (fd < 0 || cap < 2)
		return -EBADF;
	wpath_utoa(link + 14, (unsigned long)fd);
	n = readlink(link, buf, cap - 1);
	if (n < 0) {
		buf[0] = '\0';
		return -errno;
	}
	buf[n] = '\0';
	return (int)n;
}

int wpath_dirfd(int dirfd, char *buf, size_t cap)
{
	int n;

	if (dirfd == AT_FDCWD) {
		if (!getcwd(buf, cap)) {
			buf[0] = '\0';
			return -errno;
		}
		return 0;
	}
	n = wpath_fdlink(dirfd, buf, cap);
	return n < 0 ? n : 0;
}

size_t wpath_abs_at(int dirfd, const char *path, char *out, int *trunc)
{
	if (path && path[0] == '/')
		return wpath_join(out, WPATH_BUF, NULL, path, trunc);
	if (wpath_dirfd(dirfd, out, WPATH_BUF) < 0 || out[0] != '/') {
		out[0] = '\0';
		return 0;
	}
	return wpath_join(out, WPATH_BUF, out, path, trunc); /* in place: saves a buffer */
}
