/*
 * test_wpath.c - the interposer's lexical path resolution (wrappers/path.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../wrappers/path.c"

/* Join base and path into a WPATH_BUF buffer; returns it (static storage). */
static const char *join(const char *base, const char *path, int *trunc)
{
	static char out[WPATH_BUF];
	size_t n = wpath_join(out, sizeof out, base, path, trunc);

	cr_assert_eq(n, strlen(out));
	return out;
}

Test(wpath, absolute_path_ignores_base)
{
	int t = 0;

	cr_assert_str_eq(join("/base", "/usr/include/stdio.h", &t), "/usr/include/stdio.h");
	cr_assert_eq(t, 0);
}

Test(wpath, relative_path_joins_base)
{
	cr_assert_str_eq(join("/tmp/build", "src/a.c", NULL), "/tmp/build/src/a.c");
	cr_assert_str_eq(join("/", "a.c", NULL), "/a.c");
}

Test(wpath, dot_and_empty_components_dropped)
{
	cr_assert_str_eq(join("/tmp//b/", "./x/.//y/.", NULL), "/tmp/b/x/y");
	cr_assert_str_eq(join("/tmp", ".", NULL), "/tmp");
	cr_assert_str_eq(join("/tmp", "", NULL), "/tmp");
}

Test(wpath, dotdot_folded)
{
	cr_assert_str_eq(join("/a/b/c", "../../d", NULL), "/a/d");
	cr_assert_str_eq(join("/a/b", "x/../../y/./z/..", NULL), "/a/y");
	cr_assert_str_eq(join("/usr", "../etc/../etc/hosts", NULL), "/etc/hosts");
}

Test(wpath, dotdot_never_above_root)
{
	cr_assert_str_eq(join("/a", "../../../../b", NULL), "/b");
	cr_assert_str_eq(join("/", "..", NULL), "/");
	cr_assert_str_eq(join(NULL, "/../..", NULL), "/");
}

Test(wpath, double_slash_collapsed)
{
	cr_assert_str_eq(join(NULL, "//usr///lib//", NULL), "/usr/lib");
}

Test(wpath, dot_names_are_not_special)
{
	cr_assert_str_eq(join("/a", "...", NULL), "/a/...");
	cr_assert_str_eq(join("/a", ".hidden/..x", NULL), "/a/.hidden/..x");
}

Test(wpath, odd_bytes_kept)
{
	cr_assert_str_eq(join("/t", "with space/new\nline/\xff\xfe", NULL),
			 "/t/with space/new\nline/\xff\xfe");
}

Test(wpath, relative_without_base_is_empty)
{
	int t = 0;

	cr_assert_str_eq(join(NULL, "a/b", &t), "");
	cr_assert_str_eq(join("", "a/b", &t), "");
	cr_assert_str_eq(join("relative", "a/b", &t), "");
	cr_assert_eq(t, 0);
}

Test(wpath, long_path_truncated_and_flagged)
{
	static char longp[3 * WPATH_BUF];
	int t = 0;
	size_t i;

	longp[0] = '/';
	for (i = 1; i < sizeof longp - 1; i++)
		longp[i] = (i % 100) ? 'x' : '/';
	longp[sizeof longp - 1] = '\0';
	cr_assert_eq(strlen(join(NULL, longp, &t)), AB_PATH_MAX);
	cr_assert_eq(t, 1);
}

Test(wpath, long_input_folding_back_fits)
{
	static char longp[3 * WPATH_BUF];
	int t = 0;
	size_t i, n = 0;

	/* 2000 x "ab/../" is 12000 bytes of input that folds to "/c" */
	for (i = 0; i < 2000; i++) {
		memcpy(longp + n, "ab/../", 6);
		n += 6;
	}
	memcpy(longp + n, "c", 2);
	cr_assert_str_eq(join("/", longp, &t), "/c");
	cr_assert_eq(t, 0);
}

Test(wpath, small_buffer_cuts)
{
	char out[8];
	int t = 0;
	size_t n = wpath_join(out, sizeof out, "/abc", "defghij", &t);

	cr_assert_eq(n, 7);
	cr_assert_str_eq(out, "/abc/de");
	cr_assert_eq(t, 1);
}

Test(wpath, utoa)
{
	char b[24];

	cr_assert_eq(wpath_utoa(b, 0), 1);
	cr_assert_str_eq(b, "0");
	wpath_utoa(b, 1234567890123ul);
	cr_assert_str_eq(b, "1234567890123");
}

Test(wpath, dirfd_cwd_and_fd)
{
	char b[WPATH_BUF], out[WPATH_BUF];
	int fd = open("/usr", O_RDONLY | O_DIRECTORY), t = 0;

	cr_assert_geq(fd, 0);
	cr_assert_eq(wpath_dirfd(fd, b, sizeof b), 0);
	cr_assert_str_eq(b, "/usr");
	wpath_abs_at(fd, "lib/../include", out, &t);
	cr_assert_str_eq(out, "/usr/include");
	close(fd);
	cr_assert_eq(wpath_dirfd(AT_FDCWD, b, sizeof b), 0);
	cr_assert_eq(b[0], '/');
}

Test(wpath, join_in_place_over_base)
{
	char b[WPATH_BUF] = "/a//b/./c/../d";
	int t = 0;

	wpath_join(b, sizeof b, b, "../e/f", &t);
	cr_assert_str_eq(b, "/a/b/e/f");
	strcpy(b, "/x/y");
	wpath_join(b, sizeof b, b, "z", &t);
	cr_assert_str_eq(b, "/x/y/z");
	cr_assert_eq(t, 0);
}

/* The system files whose reads do not make a process's exit wait for the collector. */
Test(wpath, system_files)
{
	static const char *const yes[][2] = {
		{ "stdio.h", "/usr/include/stdio.h" },
		{ "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6" },
		{ "/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2" },
		{ "/etc/ld.so.cache", "/etc/ld.so.cache" },
		{ "/proc/self/maps", "/proc/self/maps" },
		{ "/dev/null", "/dev/null" },
	};
	static const char *const no[][2] = {
		/* what a build may make or install */
		{ "a.h", "/home/u/src/a.h" },
		{ "/tmp/cc1.s", "/tmp/cc1.s" },
		{ "/usr/local/include/x.h", "/usr/local/include/x.h" },
		{ "/opt/sdk/include/x.h", "/opt/sdk/include/x.h" },
		{ "/usrx/a", "/usrx/a" },
		{ "/etcetera", "/etcetera" },
		/* ".." may have crossed a symlink out of the system directory */
		{ "../../usr/include/a.h", "/usr/include/a.h" },
		{ NULL, "/usr/include/a.h" },
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		cr_assert(wpath_system(yes[i][0], yes[i][1]), "%s", yes[i][1]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		cr_assert_not(wpath_system(no[i][0], no[i][1]), "%s (given %s)", no[i][1],
			      no[i][0] ? no[i][0] : "NULL");
}
