/*
 * resolve_dpkg.h - which Debian package owns a file, read from the dpkg database
 * (var/lib/dpkg/status, info/NAME.list, diversions) without running dpkg.
 *
 * Paths given to resolve_dpkg_lookup() are absolute real paths (symlinks resolved, as in
 * file_versions.path).  Files reached through /etc/alternatives therefore resolve to the
 * package of the alternative's target: /usr/bin/cc -> /etc/alternatives/cc -> /usr/bin/gcc-12
 * is recorded as /usr/bin/gcc-12, which gcc-12 owns.
 *
 * Not thread-safe: lookups fill caches.  One resolver per thread, or a lock around it.
 */
#ifndef ASBUILT_RESOLVE_DPKG_H
#define ASBUILT_RESOLVE_DPKG_H

/*
 * An installed package.  Every string is owned by the resolver and lives until
 * resolve_dpkg_free().  A package is listed once per architecture (libfoo1 amd64 and
 * libfoo1 i386 are two packages).
 *
 * - source, source_version: the Source: field ("bar (1.2-3)" gives "bar" and "1.2-3"); when
 *   absent, the package's own name and version.
 * - license: SPDX expression from a machine-readable (DEP-5) usr/share/doc/NAME/copyright:
 *   the License of the "Files: *" paragraph, else the distinct Licenses of all Files
 *   paragraphs joined with AND.  Debian short names are mapped to SPDX ids (GPL-2+ ->
 *   GPL-2.0-or-later, Expat -> MIT, ...); unknown names become LicenseRef-<name>; "X with Y
 *   exception" becomes "X WITH <SPDX exception>" for the few SPDX-listed ones, otherwise one
 *   LicenseRef-X-with-Y-exception (SPDX 2.3 has no custom exceptions).  NULL when the file
 *   is missing or not DEP-5.
 * - purl: pkg:deb/<os ID>/NAME@VERSION?arch=ARCH&distro=<ID>-<VERSION_ID> (from
 *   etc/os-release; distro left out when unknown).  Name, version and qualifier values are
 *   percent-encoded as the purl spec says: A-Z a-z 0-9 . - _ ~ and ':' stay as they are
 *   (so the epoch colon is kept: libfoo@1:2.3-4), everything else is %XX ('+' -> %2B).
 * - cpe: cpe:2.3:a:SRC:SRC:UPSTREAM:*:*:*:*:*:*:* (CPE 2.3 formatted string).  Vendor and
 *   product are both the source package name (a guess: Debian has no vendor; NVD often
 *   uses the upstream project name, which is usually the source name).  UPSTREAM is the
 *   version without epoch ("N:") and Debian revision (last "-..."), lowercased.  In every
 *   field A-Z a-z 0-9 _ - . stay as they are; every other character is escaped with a
 *   backslash ("1.2+dfsg" -> "1.2\+dfsg"), per NISTIR 7695 section 6.2.
 */
struct dpkg_pkg {
	const char *name;
	const char *version;
	const char *arch;
	const char *source;
	const char *source_version;
	const char *maintainer; /* NULL when absent, as homepage */
	const char *homepage;
	const char *license;
	const char *purl;
	const char *cpe;
};

struct resolve_dpkg;

/*
 * Reads root's package list (root/var/lib/dpkg/status: packages whose files are on disk,
 * i.e. Status "<want> ok <state>" with state installed, triggers-pending,
 * triggers-awaited, half-configured or unpacked), diversions and etc/os-release.  root is
 * "/" normally; a test may point it at a fake tree.  The path index (info/NAME.list) is built
 * on the first lookup, or by resolve_dpkg_index().  Stores a new resolver in *out (free it
 * with resolve_dpkg_free()) and returns 0, or returns -ENOENT when there is no status file,
 * another negative errno on failure.
 */
int resolve_dpkg_load(struct resolve_dpkg **out, const char *root);

/* Builds the path index now if not done yet (it reads every info/NAME.list).  Returns 0 or a
 * negative errno (the next call tries again). */
int resolve_dpkg_index(struct resolve_dpkg *r);

/* Number of distinct paths in the index (0 before it is built). */
unsigned long resolve_dpkg_npaths(const struct resolve_dpkg *r);

/*
 * The package that installed the file at abspath (an absolute real path), or NULL when no
 * package did (errno 0), or when the index could not be built (errno set).  The pointer is
 * owned by r.
 *
 * - /usr-merge: when root/lib (bin, sbin, lib32, lib64, libx32) is the same directory as
 *   root/usr/lib, /lib/x and /usr/lib/x are the same file: either spelling matches a .list
 *   entry in either spelling.
 * - A path under a directory reached through a symlink (a .list says /usr/lib/a/f, /usr/lib/a
 *   is a symlink to b, the real path is /usr/lib/b/f) is found by mapping the real directory
 *   back to the listed one; the map of symlinked listed directories is built on the first
 *   miss.
 * - Diversions (dpkg-divert): with "X diverted to Y by P", packages other than P that list X
 *   had their X installed as Y, so Y resolves to such a package (any package for a local
 *   diversion); X itself resolves to P when P lists X, else to no package (for a local
 *   diversion X is the administrator's file).
 * - A path listed by several packages (shared directories, Multi-Arch: same files) resolves
 *   to the first of them in info/NAME.list name order.  Directories resolve like files; ask
 *   only about files.
 */
const struct dpkg_pkg *resolve_dpkg_lookup(struct resolve_dpkg *r, const char *abspath);

/* The installed package called name for arch (NULL: the first one of that name), or NULL.
 * Owned by r. */
const struct dpkg_pkg *resolve_dpkg_package(struct resolve_dpkg *r, const char *name,
					    const char *arch);

/* Frees r and every string and package it returned.  Accepts NULL. */
void resolve_dpkg_free(struct resolve_dpkg *r);

#endif /* ASBUILT_RESOLVE_DPKG_H */
