/*
 * test_syspath.c - the eBPF side's test for a file of the system (bpf/syspath.h), which
 * decides whether a traced process's exit wakes the collector at once.  The same paths as
 * the interposer's wpath_system (test_wpath.c), as the kernel resolves them.
 */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <string.h>

#include "../../bpf/syspath.h"

/* ab_syspath on path as the kernel side sees it: its first 16 bytes, then whatever the
 * scratch buffer held before (junk, here 'x'), and its length. */
static int sys(const char *path)
{
	char buf[16];
	__u64 a, b;
	size_t n = strlen(path);

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, path, n < sizeof(buf) ? n : sizeof(buf));
	memcpy(&a, buf, 8);
	memcpy(&b, buf + 8, 8);
	return ab_syspath(a, b, (__u32)n);
}

Test(syspath, system_files)
{
	static const char *const yes[] = {
		"/usr/include/stdio.h",
		"/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/ld-linux-x86-64.so.2",
		"/etc/ld.so.cache",
		"/bin/sh",
		"/sbin/ldconfig",
		"/proc/self/maps",
		"/sys/devices/system/cpu/online",
		"/dev/null",
		"/usr/locale-x/a",
	};
	static const char *const no[] = {
		"/home/u/src/a.h",
		"/tmp/cc1.s",
		"/usr/local/include/x.h",
		"/usr/local/lib/a.so",
		"/opt/sdk/include/x.h",
		"/usrx/a",
		"/etcetera",
		"/sbinx/a",
		"/procs/a",
		"/dev",
		"/usr",
		"/",
		"",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		cr_assert(sys(yes[i]), "%s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		cr_assert_not(sys(no[i]), "%s", no[i]);
}
