/* Unit tests of resolve/dpkg.c: a fake root under /tmp, and the real dpkg database. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/resolve_dpkg.h"

static char root[64]; /* /tmp/asbuilt-dpkg-XXXXXX */

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

static void link_in_root(const char *target, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	cr_assert_eq(symlink(target, path), 0, "%s", path);
}

static const char status[] =
	"Package: libfoo1\n"
	"Status: install ok installed\n"
	"Maintainer: Foo Team <foo@example.org>\n"
	"Architecture: amd64\n"
	"Multi-Arch: same\n"
	"Source: foo\n"
	"Version: 1.0-1\n"
	"Description: foo library\n"
	" Long description.\n"
	" .\n"
	"Homepage: https://foo.example.org/\n"
	"\n"
	"Package: barbin\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Source: bar (1.2-3)\n"
	"Version: 1.2-3+b1\n"
	"\n"
	"Package: epochpkg\n"
	"Status: hold ok installed\n"
	"Architecture: all\n"
	"Source: epochsrc\n"
	"Version: 1:2.3-4\n"
	"\n"
	"Package: divpkg\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Version: 2.0~rc1+dfsg-1\n"
	"\n"
	"Package: shpkg\n"
	"Status: install ok installed\n"
	"Architecture: amd64\n"
	"Version: 5\n"
	"\n"
	"Package: gone\n"
	"Status: deinstall ok config-files\n"
	"Architecture: amd64\n"
	"Version: 0.1-1\n";

static const char dep5_hdr[] =
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
	"Upstream-Name: x\n\n";

static void make_root(void)
{
	char copyright[1024];

	snprintf(root, sizeof(root), "/tmp/asbuilt-dpkg-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	put("usr/lib/x86_64-linux-gnu/libfoo.so.1", "");
	put("usr/bin/bar", "");
	put("usr/share/bar-real/data", "");
	link_in_root("bar-real", "usr/share/bar");
	link_in_root("usr/lib", "lib");
	link_in_root("usr/bin", "bin");
	put("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
			      "VERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n");
	put("var/lib/dpkg/status", status);
	put("var/lib/dpkg/info/libfoo1:amd64.list",
	    "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libfoo.so.1\n"
	    "/usr/share/doc/libfoo1/copyright\n");
	put("var/lib/dpkg/info/barbin.list", "/.\n/usr\n/usr/bin\n/usr/bin/bar\n/usr/share/bar\n"
					     "/usr/share/bar/data\n");
	put("var/lib/dpkg/info/epochpkg.list", "/.\n/usr/bin/ep\n/usr/bin/tool\n/bin/sh\n");
	put("var/lib/dpkg/info/divpkg.list", "/.\n/usr/bin/tool\n");
	put("var/lib/dpkg/info/shpkg.list", "/.\n/bin/sh\n");
	put("var/lib/dpkg/info/gone.list", "/usr/bin/gone\n");
	put("var/lib/dpkg/diversions", "/usr/bin/tool\n/usr/bin/tool.orig\ndivpkg\n"
				       "/bin/sh\n/bin/sh.distrib\nshpkg\n"
				       "/usr/bin/ep\n/usr/bin/ep.local\n:\n");
	snprintf(copyright, sizeof(copyright),
		 "%sFiles: *\nCopyright: 2020 Foo\nLicense: GPL-2+\n This program is free.\n"
		 "\nFiles: debian/*\nLicense: BSD-3-clause\n\nLicense: GPL-2+\n On Debian...\n",
		 dep5_hdr);
	put("usr/share/doc/libfoo1/copyright", copyright);
	put("usr/share/doc/barbin/copyright", "This is bar, written by Bar.\n\nGPL v2.\n");
	snprintf(copyright, sizeof(copyright),
		 "%sFiles: src/*\nLicense: Expat\n\nFiles: lib/*\n"
		 "License: LGPL-2.1+ or BSD-3-clause\n\nFiles: lib/x.c\nLicense: Expat\n",
		 dep5_hdr);
	put("usr/share/doc/epochpkg/copyright", copyright);
	snprintf(copyright, sizeof(copyright),
		 "%sFiles: *\nLicense: GPL-3+ with Autoconf exception\n", dep5_hdr);
	put("usr/share/doc/divpkg/copyright", copyright);
	snprintf(copyright, sizeof(copyright),
		 "%sFiles: *\nLicense: GPL-2+ or Artistic, and public-domain and Odd (v2)\n",
		 dep5_hdr);
	put("usr/share/doc/shpkg/copyright", copyright);
}

static void drop_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", root);
}

static struct resolve_dpkg *load_fake(void)
{
	struct resolve_dpkg *r = NULL;
	cr_assert_eq(resolve_dpkg_load(&r, root), 0);
	cr_assert_not_null(r);
	return r;
}

static const char *owner(struct resolve_dpkg *r, const char *path)
{
	const struct dpkg_pkg *p = resolve_dpkg_lookup(r, path);
	return p ? p->name : NULL;
}

TestSuite(resolve_dpkg, .init = make_root, .fini = drop_root);

Test(resolve_dpkg, finds_usr_merged_paths_in_both_spellings)
{
	struct resolve_dpkg *r = load_fake();

	cr_assert_str_eq(owner(r, "/usr/lib/x86_64-linux-gnu/libfoo.so.1"), "libfoo1");
	cr_assert_str_eq(owner(r, "/lib/x86_64-linux-gnu/libfoo.so.1"), "libfoo1");
	cr_assert_str_eq(owner(r, "/bin/bar"), "barbin");
	cr_assert_str_eq(owner(r, "/usr/bin/bar"), "barbin");
	cr_assert_null(owner(r, "/usr/libexec/x86_64-linux-gnu/libfoo.so.1"));
	cr_assert_eq(resolve_dpkg_npaths(r), 13);
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, multiarch_package_has_all_fields)
{
	struct resolve_dpkg *r = load_fake();
	const struct dpkg_pkg *p = resolve_dpkg_lookup(r, "/lib/x86_64-linux-gnu/libfoo.so.1");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->version, "1.0-1");
	cr_assert_str_eq(p->arch, "amd64");
	cr_assert_str_eq(p->source, "foo");
	cr_assert_str_eq(p->source_version, "1.0-1");
	cr_assert_str_eq(p->maintainer, "Foo Team <foo@example.org>");
	cr_assert_str_eq(p->homepage, "https://foo.example.org/");
	cr_assert_str_eq(p->purl, "pkg:deb/debian/libfoo1@1.0-1?arch=amd64&distro=debian-12");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:foo:foo:1.0:*:*:*:*:*:*:*");
	cr_assert_str_eq(p->license, "GPL-2.0-or-later");
	cr_assert_eq(resolve_dpkg_package(r, "libfoo1", "amd64"), p);
	cr_assert_null(resolve_dpkg_package(r, "libfoo1", "i386"));
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, source_field_with_version)
{
	struct resolve_dpkg *r = load_fake();
	const struct dpkg_pkg *p = resolve_dpkg_lookup(r, "/usr/bin/bar");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->source, "bar");
	cr_assert_str_eq(p->source_version, "1.2-3");
	cr_assert_str_eq(p->version, "1.2-3+b1");
	cr_assert_null(p->maintainer);
	cr_assert_str_eq(p->purl, "pkg:deb/debian/barbin@1.2-3%2Bb1?arch=amd64&distro=debian-12");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:bar:bar:1.2:*:*:*:*:*:*:*");
	cr_assert_null(p->license, "not DEP-5: %s", p->license);
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, epoch_and_special_characters_in_versions)
{
	struct resolve_dpkg *r = load_fake();
	const struct dpkg_pkg *e = resolve_dpkg_package(r, "epochpkg", NULL);
	const struct dpkg_pkg *d = resolve_dpkg_package(r, "divpkg", NULL);

	cr_assert(e && d);
	cr_assert_str_eq(e->purl, "pkg:deb/debian/epochpkg@1:2.3-4?arch=all&distro=debian-12");
	cr_assert_str_eq(e->cpe, "cpe:2.3:a:epochsrc:epochsrc:2.3:*:*:*:*:*:*:*");
	cr_assert_str_eq(e->source_version, "1:2.3-4");
	cr_assert_str_eq(d->purl,
			 "pkg:deb/debian/divpkg@2.0~rc1%2Bdfsg-1?arch=amd64&distro=debian-12");
	cr_assert_str_eq(d->cpe, "cpe:2.3:a:divpkg:divpkg:2.0\\~rc1\\+dfsg:*:*:*:*:*:*:*");
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, dep5_licenses_map_to_spdx)
{
	struct resolve_dpkg *r = load_fake();

	cr_assert_str_eq(resolve_dpkg_package(r, "epochpkg", NULL)->license,
			 "MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)");
	cr_assert_str_eq(resolve_dpkg_package(r, "divpkg", NULL)->license,
			 "GPL-3.0-or-later WITH Autoconf-exception-3.0");
	cr_assert_str_eq(resolve_dpkg_package(r, "shpkg", NULL)->license,
			 "(GPL-2.0-or-later OR Artistic-1.0-Perl) AND LicenseRef-public-domain AND "
			 "LicenseRef-Odd--v2-");
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, diversions_follow_dpkg_semantics)
{
	struct resolve_dpkg *r = load_fake();

	/* divpkg diverts /usr/bin/tool: its own copy stays, epochpkg's went to tool.orig */
	cr_assert_str_eq(owner(r, "/usr/bin/tool"), "divpkg");
	cr_assert_str_eq(owner(r, "/usr/bin/tool.orig"), "epochpkg");
	/* the same through /usr-merge aliases of the diversion's paths */
	cr_assert_str_eq(owner(r, "/usr/bin/sh"), "shpkg");
	cr_assert_str_eq(owner(r, "/usr/bin/sh.distrib"), "epochpkg");
	/* a local diversion: the original path is the administrator's */
	cr_assert_null(owner(r, "/usr/bin/ep"));
	cr_assert_str_eq(owner(r, "/usr/bin/ep.local"), "epochpkg");
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, finds_files_under_symlinked_directories)
{
	struct resolve_dpkg *r = load_fake();

	cr_assert_str_eq(owner(r, "/usr/share/bar-real/data"), "barbin");
	cr_assert_str_eq(owner(r, "/usr/share/bar/data"), "barbin");
	cr_assert_null(owner(r, "/usr/share/bar-real/other"));
	resolve_dpkg_free(r);
}

Test(resolve_dpkg, unknown_and_uninstalled_paths_have_no_package)
{
	struct resolve_dpkg *r = load_fake();

	errno = EINVAL;
	cr_assert_null(resolve_dpkg_lookup(r, "/usr/bin/gone"));
	cr_assert_eq(errno, 0);
	cr_assert_null(resolve_dpkg_lookup(r, "/home/u/src/main.c"));
	cr_assert_null(resolve_dpkg_package(r, "gone", NULL));
	resolve_dpkg_free(r);
	resolve_dpkg_free(NULL);
}

Test(resolve_dpkg, load_fails_without_status_file)
{
	struct resolve_dpkg *r = (void *)1;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/var/lib/dpkg/status", root);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(resolve_dpkg_load(&r, root), -ENOENT);
	cr_assert_null(r);
}

static int run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t got = fread(out, 1, n - 1, p);
	out[got] = 0;
	return pclose(p);
}

Test(resolve_dpkg, real_system_libc)
{
	struct resolve_dpkg *r = NULL;
	char version[256];
	const struct dpkg_pkg *p;

	if (access("/var/lib/dpkg/status", R_OK) != 0 ||
	    run("dpkg-query -W -f='${Version}' libc6-dev 2>/dev/null", version, sizeof(version)))
		cr_skip_test("no dpkg database or no libc6-dev");
	cr_assert_eq(resolve_dpkg_load(&r, "/"), 0);
	p = resolve_dpkg_lookup(r, "/usr/include/stdio.h");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "libc6-dev");
	cr_assert_str_eq(p->version, version);
	cr_assert_str_eq(p->source, "glibc");
	p = resolve_dpkg_lookup(r, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "libc6");
	cr_assert(strncmp(p->purl, "pkg:deb/", 8) == 0, "%s", p->purl);
	cr_assert_gt(resolve_dpkg_npaths(r), 1000);
	resolve_dpkg_free(r);
}
