/*
 * resolve_apk.h - which Alpine (apk) package owns a file, read from apk's installed database
 * (lib/apk/db/installed, or usr/lib/apk/db/installed) without running apk.
 *
 * The database is a text file of paragraphs separated by blank lines, one "K:value" field a
 * line: P name, V version, A arch, L license, o origin, m maintainer, U url, F a directory
 * (relative to root), R a file in the last F directory.  No C library reads it, so this
 * module does.
 *
 * Paths given to resolve_apk_lookup() are absolute real paths, as in file_versions.path.
 * Lookups do not modify the resolver, so several threads may share one.
 */
#ifndef ASBUILT_RESOLVE_APK_H
#define ASBUILT_RESOLVE_APK_H

/*
 * An installed package.  Every string is owned by the resolver and lives until
 * resolve_apk_free().
 *
 * - version: V as written ("1.36.1-r15"); source: the origin (o:), else the package's name.
 * - maintainer (m:), homepage (U:), license_tag (L: as written): NULL when absent.
 * - license: spdxlic_normalize() of L:, NULL when L: is absent or empty.
 * - purl: pkg:apk/<os ID>/NAME@VERSION?arch=ARCH&distro=<ID>-<VERSION_ID> (etc/os-release,
 *   else usr/lib/os-release; ID "alpine" when unknown, distro left out when unknown).  The
 *   namespace and name are lowercased (the purl apk type is case-insensitive); name, version
 *   and qualifier values are percent-encoded: A-Z a-z 0-9 . - _ ~ stay, all else is %XX.
 * - cpe: cpe:2.3:a:SRC:SRC:UPSTREAM:*:*:*:*:*:*:* with SRC the origin and UPSTREAM the version
 *   without its "-rN" package release, lowercased; characters other than A-Z a-z 0-9 _ - .
 *   are backslash-escaped (NISTIR 7695 6.2).  Vendor = product = origin is a guess.
 */
struct apk_pkg {
	const char *name;
	const char *version;
	const char *arch;
	const char *source;
	const char *maintainer;
	const char *homepage;
	const char *license_tag;
	const char *license;
	const char *purl;
	const char *cpe;
};

struct resolve_apk;

/*
 * Reads root's installed database and etc/os-release and indexes every file path.  root is
 * "/" normally; a test may point it at a fake tree.  Stores a new resolver in *out (free it
 * with resolve_apk_free()) and returns 0; returns -ENOENT when root has no installed
 * database, another negative errno on failure (*out is then NULL).
 */
int resolve_apk_load(struct resolve_apk **out, const char *root);

/* Number of distinct file paths in the index. */
unsigned long resolve_apk_npaths(const struct resolve_apk *r);

/*
 * The package that installed the file at abspath (an absolute real path), or NULL (errno 0)
 * when none did.  Owned by r.  When root/X (X = bin, sbin, lib, lib32, lib64) is the same
 * directory as root/usr/X, /X/f and /usr/X/f are one file and either spelling matches.  A
 * path listed by several packages resolves to the first in database order.
 */
const struct apk_pkg *resolve_apk_lookup(struct resolve_apk *r, const char *abspath);

/* The installed package called name, or NULL.  Owned by r. */
const struct apk_pkg *resolve_apk_package(struct resolve_apk *r, const char *name);

/* Frees r and everything it returned.  Accepts NULL. */
void resolve_apk_free(struct resolve_apk *r);


#endif /* ASBUILT_RESOLVE_APK_H */
