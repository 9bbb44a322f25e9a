/*
 * Unit tests of resolve/rpm.c.  Each test builds two tiny noarch packages with rpmbuild and
 * installs them (--justdb) into a fresh rpm database under a fake root with rpm itself, so
 * the database is the real thing: sqlite, written by rpm.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/resolve_rpm.h"

static char tmp[64];	       /* /tmp/asbuilt-rpm-XXXXXX: specs, rpmbuild's topdir, log */
static char root[PATH_MAX];    /* tmp/root: the fake system */

static const char spec_epoch[] =
	"Name: asbtest\n"
	"Epoch: 2\n"
	"Version: 1.2+git\n"
	"Release: 3.fc39\n"
	"Summary: asbuilt test package\n"
	"License: GPL-2.0-or-later AND MIT\n"
	"Vendor: Asbuilt Tests\n"
	"URL: https://asbuilt.example.org/\n"
	"BuildArch: noarch\n"
	"%description\n"
	"A package made by asbuilt's unit tests.\n"
	"%install\n"
	"mkdir -p %{buildroot}/usr/share/asbtest\n"
	"echo hi > %{buildroot}/usr/share/asbtest/data.txt\n"
	"%files\n"
	"/usr/share/asbtest/data.txt\n";

/* No epoch, '+' in the name, Fedora's legacy license names, a file under /lib. */
static const char spec_plain[] =
	"Name: libasb++\n"
	"Version: 0.9\n"
	"Release: 1\n"
	"Summary: asbuilt test library\n"
	"License: GPLv2+ and ASL 2.0 and Public Domain\n"
	"BuildArch: noarch\n"
	"%description\n"
	"Another package made by asbuilt's unit tests.\n"
	"%install\n"
	"mkdir -p %{buildroot}/usr/lib/asbdata %{buildroot}/lib/asbdata\n"
	"echo x > %{buildroot}/usr/lib/asbdata/x.txt\n"
	"echo o > %{buildroot}/lib/asbdata/old.txt\n"
	"%files\n"
	"/usr/lib/asbdata/x.txt\n"
	"/lib/asbdata/old.txt\n";

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

/* Writes text to dir/rel, creating directories. */
static void put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	*strrchr(path, '/') = 0;
	mkdirs(path);
	path[strlen(path)] = '/';
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Runs a shell command with its output in tmp/log; fails the test, showing it, on error. */
static void sh(const char *fmt, ...)
{
	char cmd[4096], log[PATH_MAX], buf[4096 + PATH_MAX + 16];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(log, sizeof(log), "%s/log", tmp);
	snprintf(buf, sizeof(buf), "(%s) >'%s' 2>&1", cmd, log);
	if (system(buf) == 0)
		return;
	f = fopen(log, "r");
	buf[f ? fread(buf, 1, sizeof(buf) - 1, f) : 0] = 0;
	if (f)
		fclose(f);
	cr_assert_fail("command failed: %s\n%s", cmd, buf);
}

static void make_root(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/asbuilt-rpm-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(root, sizeof(root), "%s/root", tmp);
	put(tmp, "asbtest.spec", spec_epoch);
	put(tmp, "libasb.spec", spec_plain);
	put(root, "etc/os-release", "NAME=\"Fedora Linux\"\nVERSION=\"39 (Container Image)\"\n"
				    "ID=fedora\nVERSION_ID=39\n");
	/* rpmbuild from Debian's rpm; no build dependencies to check, no brp scripts. */
	for (int i = 0; i < 2; i++)
		sh("rpmbuild -bb --nodeps --define '_topdir %s/top' "
		   "--define '__os_install_post %%{nil}' --define '_build_id_links none' '%s/%s'",
		   tmp, tmp, i ? "libasb.spec" : "asbtest.spec");
	sh("rpm --root '%s' --dbpath /var/lib/rpm --initdb", root);
	sh("rpm --root '%s' --dbpath /var/lib/rpm -i --nodeps --justdb --noscripts "
	   "'%s'/top/RPMS/noarch/*.rpm",
	   root, tmp);
}

static void drop_root(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", tmp);
}

static struct resolve_rpm *load_fake(void)
{
	struct resolve_rpm *r = NULL;
	cr_assert_eq(resolve_rpm_load(&r, root), 0);
	cr_assert_not_null(r);
	return r;
}

static const char *owner(struct resolve_rpm *r, const char *path)
{
	const struct rpm_pkg *p = resolve_rpm_lookup(r, path);
	return p ? p->name : NULL;
}

TestSuite(resolve_rpm, .init = make_root, .fini = drop_root, .timeout = 60);

Test(resolve_rpm, package_with_epoch_has_all_fields)
{
	struct resolve_rpm *r = load_fake();
	const struct rpm_pkg *p = resolve_rpm_lookup(r, "/usr/share/asbtest/data.txt");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "asbtest");
	cr_assert_str_eq(p->epoch, "2");
	cr_assert_str_eq(p->version, "2:1.2+git-3.fc39");
	cr_assert_str_eq(p->arch, "noarch");
	cr_assert_str_eq(p->source_rpm, "asbtest-1.2+git-3.fc39.src.rpm");
	cr_assert_str_eq(p->source, "asbtest");
	cr_assert_str_eq(p->vendor, "Asbuilt Tests");
	cr_assert_str_eq(p->homepage, "https://asbuilt.example.org/");
	cr_assert_str_eq(p->license_tag, "GPL-2.0-or-later AND MIT");
	cr_assert_str_eq(p->license, "GPL-2.0-or-later AND MIT");
	cr_assert_str_eq(p->purl, "pkg:rpm/fedora/asbtest@1.2%2Bgit-3.fc39"
				  "?arch=noarch&distro=fedora-39&epoch=2");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:asbtest:asbtest:1.2\\+git:*:*:*:*:*:*:*");
	cr_assert_eq(resolve_rpm_lookup(r, "/usr/share/asbtest/data.txt"), p, "cached");
	cr_assert_eq(resolve_rpm_package(r, "asbtest", "noarch"), p);
	resolve_rpm_free(r);
}

/* rpm -qf on the same root names the same package and EVR. */
Test(resolve_rpm, agrees_with_rpm_qf)
{
	struct resolve_rpm *r = load_fake();
	const struct rpm_pkg *p = resolve_rpm_lookup(r, "/usr/lib/asbdata/x.txt");
	char cmd[PATH_MAX + 256], out[256] = "", want[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "rpm --root '%s' --dbpath /var/lib/rpm -qf --qf '%%{NAME} %%{EVR}' "
		 "/usr/lib/asbdata/x.txt 2>/dev/null",
		 root);
	cr_assert_not_null(f = popen(cmd, "r"));
	out[fread(out, 1, sizeof(out) - 1, f)] = 0;
	cr_assert_eq(pclose(f), 0, "%s", cmd);
	cr_assert_not_null(p);
	snprintf(want, sizeof(want), "%s %s", p->name, p->version);
	cr_assert_str_eq(out, want);
	resolve_rpm_free(r);
}

Test(resolve_rpm, package_without_epoch_and_legacy_license)
{
	struct resolve_rpm *r = load_fake();
	const struct rpm_pkg *p = resolve_rpm_lookup(r, "/usr/lib/asbdata/x.txt");

	cr_assert_not_null(p);
	cr_assert_str_eq(p->name, "libasb++");
	cr_assert_null(p->epoch);
	cr_assert_str_eq(p->version, "0.9-1");
	cr_assert_str_eq(p->source, "libasb++");
	cr_assert_null(p->vendor);
	cr_assert_null(p->homepage);
	cr_assert_str_eq(p->license, "GPL-2.0-or-later AND Apache-2.0 AND LicenseRef-Public-Domain");
	cr_assert_str_eq(p->purl, "pkg:rpm/fedora/libasb%2B%2B@0.9-1?arch=noarch&distro=fedora-39");
	cr_assert_str_eq(p->cpe, "cpe:2.3:a:libasb\\+\\+:libasb\\+\\+:0.9:*:*:*:*:*:*:*");
	cr_assert_str_eq(owner(r, "/lib/asbdata/old.txt"), "libasb++");
	cr_assert_eq(resolve_rpm_package(r, "libasb++", NULL), p);
	resolve_rpm_free(r);
}

Test(resolve_rpm, unknown_paths_have_no_package)
{
	struct resolve_rpm *r = load_fake();

	errno = EINVAL;
	cr_assert_null(resolve_rpm_lookup(r, "/usr/share/asbtest/other.txt"));
	cr_assert_eq(errno, 0);
	cr_assert_null(owner(r, "/etc/passwd"));
	cr_assert_null(owner(r, "/usr/share/asbtest")); /* a directory the package does not own */
	/* /lib is not merged in this root, whatever the host's /lib is (librpm alone would
	 * match directories on the host's filesystem) */
	cr_assert_null(owner(r, "/usr/lib/asbdata/old.txt"));
	cr_assert_null(resolve_rpm_package(r, "asbtest", "x86_64"));
	cr_assert_null(resolve_rpm_package(r, "bash", NULL));
	resolve_rpm_free(r);
	resolve_rpm_free(NULL);
}

Test(resolve_rpm, usr_merged_root_matches_both_spellings)
{
	char lib[PATH_MAX + 8], usrlib[PATH_MAX + 8];
	struct resolve_rpm *r;

	snprintf(usrlib, sizeof(usrlib), "%s/usr/lib", root);
	snprintf(lib, sizeof(lib), "%s/lib", root);
	mkdirs(usrlib);
	cr_assert_eq(symlink("usr/lib", lib), 0);
	r = load_fake();
	cr_assert_str_eq(owner(r, "/usr/lib/asbdata/old.txt"), "libasb++");
	cr_assert_str_eq(owner(r, "/lib/asbdata/old.txt"), "libasb++");
	cr_assert_str_eq(owner(r, "/lib/asbdata/x.txt"), "libasb++");
	cr_assert_null(owner(r, "/lib/asbdata/none.txt"));
	resolve_rpm_free(r);
}

Test(resolve_rpm, reads_database_under_usr_lib_sysimage)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 32];
	struct resolve_rpm *r;

	snprintf(from, sizeof(from), "%s/var/lib/rpm", root);
	snprintf(to, sizeof(to), "%s/usr/lib/sysimage", root);
	mkdirs(to);
	strcat(to, "/rpm");
	cr_assert_eq(rename(from, to), 0);
	r = load_fake();
	cr_assert_str_eq(owner(r, "/usr/share/asbtest/data.txt"), "asbtest");
	resolve_rpm_free(r);
}

Test(resolve_rpm, purl_without_os_release_has_no_namespace_or_distro)
{
	char path[PATH_MAX + 16];
	struct resolve_rpm *r;

	snprintf(path, sizeof(path), "%s/etc/os-release", root);
	cr_assert_eq(unlink(path), 0);
	r = load_fake();
	cr_assert_str_eq(resolve_rpm_package(r, "asbtest", NULL)->purl,
			 "pkg:rpm/asbtest@1.2%2Bgit-3.fc39?arch=noarch&epoch=2");
	resolve_rpm_free(r);
}

Test(resolve_rpm, load_fails_without_database)
{
	struct resolve_rpm *r = (void *)1;
	char empty[PATH_MAX + 8];

	snprintf(empty, sizeof(empty), "%s/empty", tmp);
	mkdirs(empty);
	cr_assert_eq(resolve_rpm_load(&r, empty), -ENOENT);
	cr_assert_null(r);
	r = (void *)1;
	cr_assert_eq(resolve_rpm_load(&r, "/nonexistent-asbuilt-root"), -ENOENT);
	cr_assert_null(r);
}

Test(resolve_rpm, unreadable_databases_are_errors_not_empty)
{
	struct resolve_rpm *r = (void *)1;
	char dir[PATH_MAX + 32];

	snprintf(dir, sizeof(dir), "%s/bad/var/lib/rpm", tmp);
	put(dir, "rpmdb.sqlite", "not a database\n");
	snprintf(dir, sizeof(dir), "%s/bad", tmp);
	cr_assert_eq(resolve_rpm_load(&r, dir), -EIO);
	cr_assert_null(r);
	snprintf(dir, sizeof(dir), "%s/ndb/usr/lib/sysimage/rpm", tmp);
	put(dir, "Packages.db", "ndb\n");
	snprintf(dir, sizeof(dir), "%s/ndb", tmp);
	r = (void *)1;
	cr_assert_eq(resolve_rpm_load(&r, dir), -ENOTSUP);
	cr_assert_null(r);
}
