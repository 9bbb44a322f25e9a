/*
 * syspath.h - the kernel side's test for a file of the system, on the first 16 bytes of a
 * path as two little-endian numbers: a pure function, also compiled by the unit tests
 * (tests/unit/test_syspath.c).
 *
 * A system file is one a build reads but does not make: under /usr (not /usr/local),
 * /lib*, /etc, /bin, /sbin, /proc, /sys or /dev, as wpath_system in the interposer.  The
 * paths tested are resolved by the kernel: no "." or ".." is left in them.
 */
#ifndef ASBUILT_SYSPATH_H
#define ASBUILT_SYSPATH_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* the bytes c0..c4 as the little-endian number that loading them gives */
#define AB_LE5(c0, c1, c2, c3, c4) \
	((__u64)(c0) | (__u64)(c1) << 8 | (__u64)(c2) << 16 | (__u64)(c3) << 24 | (__u64)(c4) << 32)
#define AB_PFX5(x, c0, c1, c2, c3, c4) (((x)&0xffffffffffull) == AB_LE5(c0, c1, c2, c3, c4))

/* a: bytes 0-7 of the path, b: bytes 8-15 (any value past its end), len: its length */
static __always_inline int ab_syspath(__u64 a, __u64 b, __u32 len)
{
	if (len < 6)
		return 0;
	if (AB_PFX5(a, '/', 'u', 's', 'r', '/'))
		return !(len >= 11 && (a >> 40) == AB_LE5('l', 'o', 'c', 0, 0) &&
			 (b & 0xffffff) == AB_LE5('a', 'l', '/', 0, 0));
	if ((a & 0xffffffffull) == AB_LE5('/', 'l', 'i', 'b', 0))
		return 1;
	if (AB_PFX5(a, '/', 'e', 't', 'c', '/') || AB_PFX5(a, '/', 'b', 'i', 'n', '/') ||
	    AB_PFX5(a, '/', 's', 'y', 's', '/') || AB_PFX5(a, '/', 'd', 'e', 'v', '/'))
		return 1;
	return (AB_PFX5(a, '/', 's', 'b', 'i', 'n') || AB_PFX5(a, '/', 'p', 'r', 'o', 'c')) &&
	       ((a >> 40) & 0xff) == '/';
}

#endif
