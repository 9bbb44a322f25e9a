/* Unit tests of pkgsplit.c (Debian packages of a recorded build): a fake source tree with
 * debian/control, changelog, copyright and the staging trees, a record written with the
 * store API, and the packages and files pkgsplit_find gives for it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/pkgsplit.h"
#include "asbuilt/store.h"

static char dir[64], src[128], root[128], db[128];
static struct store *st;
static int64_t bid, writer;

static void mkdirs(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(buf, 0755);
			*s = '/';
		}
	mkdir(buf, 0755);
}

/* Writes text to base/rel. */
static void put(const char *base, const char *rel, const char *text)
{
	char path[512], d[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	snprintf(d, sizeof(d), "%s", path);
	*strrchr(d, '/') = 0;
	mkdirs(d);
	cr_assert_not_null(f = fopen(path, "w"), "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A version of src/rel written by the build (or its state, e.g. "vanished"). */
static int64_t written(const char *rel, const char *state)
{
	char path[512];
	struct hash_result h;
	struct store_version v = {
		.build_id = bid, .vseq = 1, .origin = "written", .writer_id = writer, .state = state
	};
	struct store_event e = {
		.build_id = bid, .process_id = writer, .op = "open", .access = "write", .result = 3
	};
	int64_t id;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	hash_buf(rel, strlen(rel), &h);
	v.path = path;
	if (!strcmp(state, "ok")) {
		v.sha256 = h.sha256;
		v.gitoid_sha1 = h.gitoid_sha1;
		v.gitoid_sha256 = h.gitoid_sha256;
	}
	cr_assert_gt(id = store_version_add(st, &v), 0);
	e.path = e.abspath = e.realpath = path;
	e.version_id = id;
	cr_assert_gt(store_event_add(st, &e), 0);
	return id;
}

static void setup(void)
{
	struct store_build b = { .started_ns = 1,
				 .argv = { "dpkg-buildpackage", 17 },
				 .backend = "preload" };
	struct store_process p = { .pid = 1,
				   .exe = "/usr/bin/cp",
				   .argv = { "cp", 2 },
				   .start_ns = 2,
				   .source = "preload" };
	char err[256];

	strcpy(dir, "/tmp/test_pkgsplit.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(db, sizeof(db), "%s/a.db", dir);
	put(root, "etc/os-release", "NAME=\"Test OS\"\nID=testos\nVERSION_ID=\"7\"\n");
	put(src, "debian/changelog", "demo (2.0-1) unstable; urgency=medium\n\n  * x\n");
	put(src, "debian/control",
	    "# a comment\nSource: demo\nMaintainer: Demo Team <demo@example.org>\n"
	    "Homepage: https://demo.example.org/\n\n"
	    "Package: demo-bin\nArchitecture: any\nDescription: x\n long\n\n"
	    "Package: libdemo1\nArchitecture: any\n\n"
	    "Package: demo-doc\nArchitecture: all\n");
	put(src, "debian/copyright",
	    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
	    "Files: *\nCopyright: 2025 Demo\nLicense: Expat\n");
	/* dh_gencontrol's control for demo-bin only: the others fall back */
	put(src, "debian/demo-bin/DEBIAN/control",
	    "Package: demo-bin\nVersion: 1:2.0-1\nArchitecture: amd64\n");
	put(src, "debian/demo-bin/usr/bin/demo", "x");
	put(src, "debian/.debhelper/demo-bin/dbgsym-root/DEBIAN/control",
	    "Package: demo-bin-dbgsym\nVersion: 1:2.0-1\nArchitecture: amd64\n");

	b.cwd = src;
	p.cwd = src;
	cr_assert_eq(store_open(db, 1, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(bid = store_build_new(st, &b), 0);
	p.build_id = bid;
	cr_assert_gt(writer = store_process_new(st, &p), 0);
	written("debian/demo-bin/usr/bin/demo", "ok");
	written("debian/demo-bin/usr/share/doc/demo-bin/copyright", "ok");
	written("debian/demo-bin/DEBIAN/control", "ok");
	written("debian/demo-bin/usr/share/doc/demo-bin/changelog", "vanished");
	written("debian/libdemo1/usr/lib/libdemo.so.1.0", "ok");
	written("debian/libdemo1/usr/lib/changed.so", "changed");
	written("debian/.debhelper/demo-bin/dbgsym-root/usr/lib/debug/x.debug", "ok");
	written("debian/.debhelper/demo-bin/dbgsym-root/DEBIAN/md5sums", "ok");
	written("../libdemo1_2.0-1_arm64.deb", "ok");
	cr_assert_eq(store_build_finish(st, bid, 3, 0, "finished", 1, 0, 0), 0);
}

static void teardown(void)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

TestSuite(pkgsplit, .init = setup, .fini = teardown);

static const struct pkgsplit_pkg *find(const struct pkgsplit *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->p[i].name, name))
			return &s->p[i];
	return NULL;
}

/* The paths of p's files, relative to src, joined with spaces, into buf. */
static const char *paths(const struct graph *g, const struct pkgsplit_pkg *p, char *buf, size_t n)
{
	size_t len = 0, skip = strlen(src) + 1;

	buf[0] = 0;
	for (size_t i = 0; i < p->files.n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? " " : "",
					g->v[p->files.v[i]].path + skip);
	return buf;
}

Test(pkgsplit, debian_packages_their_identity_and_files)
{
	struct graph *g;
	struct pkgsplit s;
	const struct pkgsplit_pkg *p;
	char err[256], buf[1024];

	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(pkgsplit_find(g, root, &s, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(s.n, 3, "demo-bin, demo-bin-dbgsym, libdemo1 (demo-doc staged nothing)");
	cr_assert_str_eq(s.p[0].name, "demo-bin", "sorted by name");

	cr_assert_not_null(p = find(&s, "demo-bin"));
	cr_assert_str_eq(p->version, "1:2.0-1", "from the generated DEBIAN/control");
	cr_assert_str_eq(p->arch, "amd64");
	cr_assert_str_eq(p->purl, "pkg:deb/testos/demo-bin@1:2.0-1?arch=amd64&distro=testos-7");
	cr_assert_str_eq(p->license, "MIT", "Expat in DEP-5 is MIT");
	cr_assert_str_eq(p->supplier, "Demo Team <demo@example.org>");
	cr_assert_str_eq(p->homepage, "https://demo.example.org/");
	cr_assert_str_eq(p->source, "demo");
	cr_assert_str_eq(paths(g, p, buf, sizeof(buf)),
			 "debian/demo-bin/usr/bin/demo "
			 "debian/demo-bin/usr/share/doc/demo-bin/copyright",
			 "no DEBIAN/, no vanished file: %s", buf);

	cr_assert_not_null(p = find(&s, "demo-bin-dbgsym"));
	cr_assert_str_eq(paths(g, p, buf, sizeof(buf)),
			 "debian/.debhelper/demo-bin/dbgsym-root/usr/lib/debug/x.debug", "%s", buf);

	cr_assert_not_null(p = find(&s, "libdemo1"));
	cr_assert_str_eq(p->version, "2.0-1", "from debian/changelog");
	cr_assert_str_eq(p->arch, "arm64", "from the .deb the build wrote");
	cr_assert_str_eq(p->purl, "pkg:deb/testos/libdemo1@2.0-1?arch=arm64&distro=testos-7");
	cr_assert_str_eq(paths(g, p, buf, sizeof(buf)), "debian/libdemo1/usr/lib/libdemo.so.1.0");
	cr_assert_eq(p->nunhashed, 1, "changed.so has no hash");
	pkgsplit_release(&s);
	pkgsplit_release(&s);
	graph_free(g);
}

Test(pkgsplit, no_package_is_enoent)
{
	struct graph *g;
	struct pkgsplit s;
	char err[256], path[256];

	snprintf(path, sizeof(path), "%s/debian/control", src);
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(graph_load(st, bid, &g), 0);
	cr_assert_eq(pkgsplit_find(g, root, &s, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "no debian/control"), "%s", err);
	cr_assert_eq(s.n, 0);
	graph_free(g);
}

Test(pkgsplit, os_release)
{
	char id[64], distro[160];

	pkgsplit_os_release(root, id, distro);
	cr_assert_str_eq(id, "testos");
	cr_assert_str_eq(distro, "testos-7");
	pkgsplit_os_release("/nonexistent", id, distro);
	cr_assert_str_eq(id, "debian", "the default, as the dpkg resolver's");
	cr_assert_str_eq(distro, "");
}
