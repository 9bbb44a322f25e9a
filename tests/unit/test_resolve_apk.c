/* Unit tests of resolve/apk.c: a fake Alpine root under /tmp with an installed database. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/resolve_apk.h"
#include "asbuilt/spdxlic.h"

static char root[64]; /* /tmp/asbuilt-apk-XXXXXX */

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(buf, 0755);
		*s = '/';
	}
	mkdir(buf, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = 0;
	mkdirs(path);
	path[strlen(path)] = '/';
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

static void in_root(char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s/%s", root, rel);
}

/* Two packages as apk 2.14 writes them; libstdc++ has files in two directories. */
static const char installed[] =
	"C:Q1lR5mNwzjOQ7ygHOEbDSw0Kc1YDs=\n"
	"P:musl\n"
	"V:1.2.4_git20230717-r4\n"
	"A:x86_64\n"
	"S:383152\n"
	"I:622592\n"
	"T:the musl c library (libc) implementation\n"
	"U:https://musl.libc.org/\n"
	"L:MIT\n"
	"o:musl\n"
	"m:Timo Teräs <timo.teras@iki.fi>\n"
	"t:1700000000\n"
	"c:6ad2a32e0b5c8a0c3e3a1e3d0b2e5f1c9d8e7f60\n"
	"p:so:libc.musl-x86_64.so.1=1\n"
	"F:lib\n"
	"R:ld-musl-x86_64.so.1\n"
	"a:0:0:755\n"
	"Z:Q1yGYaeFq3xN1vJ0w8l7Ojh6XvIhE=\n"
	"R:libc.musl-x86_64.so.1\n"
	"a:0:0:777\n"
	"Z:Q1fBNuxVrpDuWj0k1ZFMRqXx0mDJQ=\n"
	"\n"
	"C:Q1B5eT0kqe3Bf0a2YRnPp5pGz8dV0=\n"
	"P:libstdc++\n"
	"V:13.2.1_git20231014-r0\n"
	"A:x86_64\n"
	"S:741237\n"
	"I:2580480\n"
	"T:GNU C++ standard runtime library\n"
	"U:https://gcc.gnu.org\n"
	"L:GPL-2.0-or-later AND LGPL-2.1-or-later\n"
	"o:gcc\n"
	"D:so:libc.musl-x86_64.so.1 so:libgcc_s.so.1\n"
	"F:usr\n"
	"F:usr/lib\n"
	"R:libstdc++.so.6\n"
	"a:0:0:777\n"
	"Z:Q1s1S2pHtdw8pJ1rLk4qV6lN2Wl0A=\n"
	"R:libstdc++.so.6.0.32\n"
	"Z:Q1+9C+ZQm0yH0Vn3GZ0YpFhO3qYbs=\n"
	"F:usr/share/gcc-13.2.1/python/libstdcxx\n"
	"R:__init__.py\n"
	"Z:Q1O3g9eP5b+J0sYw2sXz0H1Hn1Jz8=\n"
	"\n";

static void make_root(void)
{
	snprintf(root, sizeof(root), "/tmp/asbuilt-apk-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	put("lib/apk/db/installed", installed);
	put("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n"
			      "PRETTY_NAME=\"Alpine Linux v3.19\"\n");
}

static void drop_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", root);
}

static struct resolve_apk *load_fake(void)
{
	struct resolve_apk *r = NULL;
	cr_assert_eq(resolve_apk_load(&r, root), 0);
	cr_assert_not_null(r);
	return r;
}

static const char *owner(struct resolve_apk *r, const char *path)
{
	const struct apk_pkg *p = resolve_apk_lookup(r, path);
	return p ? p->name : NULL;
}

TestSuite(resolve_apk, .init = make_root, .fini = drop_root);

Test(resolve_apk, finds_files_in_every_directory_of_a_package)
{
	struct resolve_apk *r = load_fake();

	cr_assert_str_eq(owner(r, "/lib/ld-musl-x86_64.so.1"), "musl");
	cr_assert_str_eq(owner(r, "/lib/libc.musl-x86_64.so.1"), "musl");
	cr_assert_str_eq(owner(r, "/usr/lib/libstdc++.so.6"), "libstdc++");
	cr_assert_str_eq(owner(r, "/usr/lib/libstdc++.so.6.0.32"), "libstdc++");
	cr_assert_str_eq(owner(r, "/usr/share/gcc-13.2.1/python/libstdcxx/__init__.py"),
			 "libstdc++");
	cr_assert_eq(resolve_apk_npaths(r), 5);
	resolve_apk_free(r);
}

Test(resolve_apk, package_has_all_fields)
{
	struct resolve_apk *r = load_fake();
	const struct apk_pkg *p = resolve_apk_lookup(r, "/lib/ld-musl-x86_64.so.1");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "1.2.4_git20230717-r4");
	cr_assert_str_eq(p->arch, "x86_64");
	cr_assert_str_eq(p->source, "musl");
	cr_assert_str_eq(p->maintainer, "Timo Teräs <timo.teras@iki.fi>");
	cr_assert_str_eq(p->homepage, "https://musl.libc.org/");
	cr_assert_str_eq(p->license_tag, "MIT");
	cr_assert_str_eq(p->license, "MIT");
	cr_assert_str_eq(p->purl,
			 "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:musl:musl:1.2.4_git20230717:*:*:*:*:*:*:*");
	cr_assert_eq(resolve_apk_package(r, "musl"), p);
	resolve_apk_free(r);
}

Test(resolve_apk, origin_license_and_encoded_purl)
{
	struct resolve_apk *r = load_fake();
	const struct apk_pkg *p = resolve_apk_lookup(r, "/usr/lib/libstdc++.so.6");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->source, "gcc");
	cr_assert_null(p->maintainer);
	cr_assert_str_eq(p->license, "GPL-2.0-or-later AND LGPL-2.1-or-later");
	cr_assert_str_eq(p->purl, "pkg:apk/alpine/libstdc%2B%2B@13.2.1_git20231014-r0"
				  "?arch=x86_64&distro=alpine-3.19.1");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:gcc:gcc:13.2.1_git20231014:*:*:*:*:*:*:*");
	resolve_apk_free(r);
}

Test(resolve_apk, unknown_paths_have_no_package)
{
	struct resolve_apk *r = load_fake();

	errno = EINVAL;
	cr_assert_null(resolve_apk_lookup(r, "/etc/passwd"));
	cr_assert_eq(errno, 0);
	cr_assert_null(owner(r, "/usr/lib/libstdc++.so"));
	cr_assert_null(owner(r, "/lib")); /* directories are not indexed */
	cr_assert_null(owner(r, "/usr/lib/ld-musl-x86_64.so.1")); /* /lib is not merged here */
	cr_assert_null(resolve_apk_package(r, "busybox"));
	resolve_apk_free(r);
	resolve_apk_free(NULL);
}

Test(resolve_apk, usr_merged_root_matches_both_spellings)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct resolve_apk *r;

	in_root(from, sizeof(from), "lib");
	in_root(to, sizeof(to), "usr");
	cr_assert_eq(mkdir(to, 0755), 0);
	in_root(to, sizeof(to), "usr/lib");
	cr_assert_eq(rename(from, to), 0);
	cr_assert_eq(symlink("usr/lib", from), 0);
	r = load_fake();
	cr_assert_str_eq(owner(r, "/usr/lib/ld-musl-x86_64.so.1"), "musl");
	cr_assert_str_eq(owner(r, "/lib/ld-musl-x86_64.so.1"), "musl");
	cr_assert_str_eq(owner(r, "/lib/libstdc++.so.6"), "libstdc++");
	cr_assert_null(owner(r, "/usr/share/libstdc++.so.6"));
	resolve_apk_free(r);
}

Test(resolve_apk, reads_database_under_usr_lib)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct resolve_apk *r;

	in_root(from, sizeof(from), "lib");
	in_root(to, sizeof(to), "usr");
	cr_assert_eq(mkdir(to, 0755), 0);
	in_root(to, sizeof(to), "usr/lib");
	cr_assert_eq(rename(from, to), 0);
	r = load_fake();
	cr_assert_str_eq(owner(r, "/lib/libc.musl-x86_64.so.1"), "musl");
	resolve_apk_free(r);
}

Test(resolve_apk, purl_without_os_release_has_no_distro)
{
	char path[PATH_MAX];
	struct resolve_apk *r;

	in_root(path, sizeof(path), "etc/os-release");
	cr_assert_eq(unlink(path), 0);
	r = load_fake();
	cr_assert_str_eq(resolve_apk_package(r, "musl")->purl,
			 "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64");
	resolve_apk_free(r);
}

Test(resolve_apk, load_fails_without_database)
{
	struct resolve_apk *r = (void *)1;
	char path[PATH_MAX];

	in_root(path, sizeof(path), "lib/apk/db/installed");
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(resolve_apk_load(&r, root), -ENOENT);
	cr_assert_null(r);
}

Test(resolve_apk, license_tags_map_to_spdx)
{
	static const char *const cases[][2] = {
		{ "MIT", "MIT" },
		{ "mit and bsd-3-clause", "MIT AND BSD-3-Clause" },
		{ "GPL-2.0-only WITH Linux-syscall-note", "GPL-2.0-only WITH Linux-syscall-note" },
		{ "GPL-2.0 OR custom", "GPL-2.0-only OR LicenseRef-custom" },
		{ "GPL-2.0+", "GPL-2.0-or-later" },
		{ "GPLv2+ and (LGPLv2+ or MIT)",
		  "GPL-2.0-or-later AND (LGPL-2.0-or-later OR MIT)" },
		{ "ASL 2.0 and Public Domain", "Apache-2.0 AND LicenseRef-Public-Domain" },
		{ "GPLv3+ with exceptions", "LicenseRef-GPLv3--with-exceptions" },
		{ "Apache-2.0+", "Apache-2.0+" },
		{ "LicenseRef-scancode-foo OR ISC", "LicenseRef-scancode-foo OR ISC" },
		{ "GPL-2.0-or-later WITH Bison-exception-2.2",
		  "GPL-2.0-or-later WITH Bison-exception-2.2" },
		{ "MIT and (BSD", "LicenseRef-MIT-and--BSD" },
		{ " Zlib ", "Zlib" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = spdxlic_normalize(cases[i][0]);
		cr_assert_not_null(s, "%s", cases[i][0]);
		cr_expect_str_eq(s, cases[i][1], "'%s' gave '%s'", cases[i][0], s);
		free(s);
	}
	errno = 0;
	cr_assert_null(spdxlic_normalize("  "));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(spdxlic_normalize(NULL));
}
