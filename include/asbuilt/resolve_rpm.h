/*
 * resolve_rpm.h - which RPM package owns a file, read from the rpm database under a root
 * through librpm (rpmts, RPMDBI_INSTFILENAMES, header tags), without running rpm.
 *
 * The database is looked for, in this order, as usr/lib/sysimage/rpm/rpmdb.sqlite,
 * var/lib/rpm/rpmdb.sqlite (sqlite: Fedora 33+, RHEL 9), then usr/lib/sysimage/rpm/Packages
 * and var/lib/rpm/Packages (Berkeley DB: RHEL 7/8, read with librpm's bdb_ro) under root.
 * openSUSE's ndb (Packages.db) is refused: Debian's librpm is built without it.
 * The host's own rpm configuration (Debian's rpm keeps its database in ~/.rpmdb) plays no
 * part: the path found is given to librpm explicitly.
 *
 * Paths given to resolve_rpm_lookup() are absolute real paths (symlinks resolved, as in
 * file_versions.path).
 *
 * Not thread-safe: librpm keeps process-wide state (configuration, macros, its log), so use
 * resolvers from one thread at a time.  The first resolve_rpm_load() reads rpm's
 * configuration (rpmReadConfigFiles) and routes librpm's log messages nowhere, so that
 * library code prints nothing; errors come back as negative errnos.
 */
#ifndef ASBUILT_RESOLVE_RPM_H
#define ASBUILT_RESOLVE_RPM_H

/*
 * An installed package.  Every string is owned by the resolver and lives until
 * resolve_rpm_free().  The same package is returned as the same pointer every time.
 *
 * - epoch: the EPOCH tag in decimal, NULL when the package has none.
 * - version: [EPOCH:]VERSION-RELEASE, as `rpm -q --qf '%{EVR}'` prints it.
 * - arch: the ARCH tag ("x86_64", "noarch"); "" when absent (gpg-pubkey entries).
 * - source_rpm: the SOURCERPM tag ("bash-5.2.15-5.fc39.src.rpm"), NULL when absent;
 *   source: the source package's name taken from it ("bash"), else the package's own name.
 * - vendor (VENDOR), homepage (URL), license_tag (LICENSE as written): NULL when absent.
 * - license: spdxlic_normalize() of the LICENSE tag: an SPDX expression kept as it is
 *   (Fedora 38+ writes SPDX), GNU and a few legacy Fedora names mapped to SPDX ids, anything
 *   else LicenseRef-<name>.  NULL when the tag is absent.
 * - purl: pkg:rpm/<os ID>/NAME@VERSION-RELEASE?arch=ARCH&distro=<ID>-<VERSION_ID>&epoch=E,
 *   with ID and VERSION_ID from root's etc/os-release (else usr/lib/os-release); qualifiers
 *   sorted by key as the purl spec's canonical form wants; distro left out when unknown,
 *   epoch when the package has none, the namespace when ID is unknown.  The namespace is
 *   lowercased, the name keeps its case; name, version and qualifier values are
 *   percent-encoded (A-Z a-z 0-9 . - _ ~ stay, all else is %XX: '+' -> %2B).
 * - cpe: cpe:2.3:a:SRC:SRC:VERSION:*:*:*:*:*:*:* with SRC = source and VERSION the VERSION
 *   tag (upstream version, no epoch or release), lowercased; characters other than
 *   A-Z a-z 0-9 _ - . are backslash-escaped (NISTIR 7695 6.2).  Vendor = product = source
 *   package name is a guess, as for dpkg.
 */
struct rpm_pkg {
	const char *name;
	const char *epoch;
	const char *version;
	const char *arch;
	const char *source;
	const char *source_rpm;
	const char *vendor;
	const char *homepage;
	const char *license_tag;
	const char *license;
	const char *purl;
	const char *cpe;
};

struct resolve_rpm;

/*
 * Opens root's rpm database read-only and reads etc/os-release.  root is "/" normally; a
 * test may point it at a fake tree.  Stores a new resolver in *out (free it with
 * resolve_rpm_free()) and returns 0.  Returns -ENOENT when there is no rpm database under
 * root, -ENOTSUP for an ndb Packages.db, -EIO when librpm cannot open the database found
 * (corrupt, or a backend librpm lacks), another negative errno on failure; *out is then
 * NULL.
 */
int resolve_rpm_load(struct resolve_rpm **out, const char *root);

/*
 * The package that installed the file at abspath (an absolute real path), or NULL when no
 * package did (errno 0) or the database could not be read (errno set).  Owned by r.
 *
 * - Matching is by the path string, as the package lists it: librpm's RPMDBI_INSTFILENAMES
 *   query gives the candidates, and one is kept only when its directory and basename are
 *   abspath's (librpm compares directories by device and inode on the live filesystem,
 *   which is the host's, not root's, unless the process is chrooted).  So a file reached
 *   through a symlinked directory other than the /usr-merge ones below does not resolve.
 * - Files that a package lists but rpm did not install (%excludedocs, other languages,
 *   other colours) do not resolve: only file states normal and netshared count.
 * - /usr-merge: when root/X (X = bin, sbin, lib, lib64) is the same directory as
 *   root/usr/X, /X/f and /usr/X/f are one file and either spelling matches the database.
 * - A path several packages own (multilib, shared directories) resolves to the first one
 *   the database returns.
 */
const struct rpm_pkg *resolve_rpm_lookup(struct resolve_rpm *r, const char *abspath);

/* The installed package called name for arch (NULL: any arch), or NULL.  Owned by r. */
const struct rpm_pkg *resolve_rpm_package(struct resolve_rpm *r, const char *name,
					  const char *arch);

/* Closes the database and frees r and every package it returned.  Accepts NULL. */
void resolve_rpm_free(struct resolve_rpm *r);

#endif /* ASBUILT_RESOLVE_RPM_H */
