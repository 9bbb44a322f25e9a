/*
 * pkgsplit.h - the binary packages a recorded distro build made, and which recorded file
 * versions went into each: what `asbuilt sbom --per-package` describes (docs/sbom-mapping.md,
 * "One SBOM per binary package").
 *
 * Debian (dpkg-buildpackage, debhelper): the build's directory holds debian/control.  The
 * binary packages are its Package: paragraphs, plus the automatic debug-symbol package
 * NAME-dbgsym of each one that has a staging tree debian/.debhelper/NAME/dbgsym-root.  A
 * package's files are the newest recorded versions of the paths under its staging tree
 * (debian/NAME/, dbgsym-root/) except DEBIAN/ (package metadata, not part of the data
 * archive), leaving out directories and files the build removed again.  Name, version and
 * architecture come from the control file the build generated for the package
 * (STAGE/DEBIAN/control, written by dh_gencontrol); without one, the version is the first
 * entry of debian/changelog and the architecture the one of the .deb the build wrote
 * (NAME_VERSION_ARCH.deb), else debian/control's Architecture field.  License: the
 * "Files: *" License of a machine-readable debian/copyright (DEP-5), as SPDX.
 *
 * A package the build neither staged a file of nor wrote a .deb of is left out (an
 * Architecture: all package under dpkg-buildpackage -B; every package when rpmbuild ran in
 * a tree that also has debian/).
 *
 * RPM (rpmbuild): the binary .rpm files the build wrote (not .src.rpm), read with librpm:
 * name, [epoch:]version-release, arch, license, vendor, URL and the package's own file list
 * with its digests.  A listed regular file is matched to the version the build wrote at
 * BUILDROOT/<nvra>/<path> (rpmbuild's %{buildroot}): among the versions of that path the
 * one whose SHA-256 is the digest the .rpm records for the file (when the package uses
 * SHA-256 file digests), else the newest one.  Directories, symlinks and %ghost files have
 * no content in the package and are not listed.
 *
 * The purl is pkg:deb/<os ID>/NAME@VERSION?arch=ARCH&distro=<ID>-<VERSION_ID> (rpm:
 * pkg:rpm/... with &epoch= when there is one), the build host's /etc/os-release naming the
 * distribution, as the dpkg and rpm resolvers write purls (resolve_dpkg.h, resolve_rpm.h).
 */
#ifndef ASBUILT_PKGSPLIT_H
#define ASBUILT_PKGSPLIT_H

#include <stddef.h>

#include "asbuilt/graph.h"

enum pkgsplit_kind {
	PKGSPLIT_DEB,
	PKGSPLIT_RPM,
};

/* One binary package.  Strings are owned by the set; any of them but name and version may
 * be NULL (unknown). */
struct pkgsplit_pkg {
	enum pkgsplit_kind kind;
	char *name, *version, *arch;
	char *source;		    /* the source package's name */
	char *purl, *cpe, *license; /* license: an SPDX expression */
	char *supplier;		    /* deb Maintainer, rpm Vendor */
	char *homepage;
	char *stage;		 /* where its files were staged (absolute), or the .rpm file */
	char *comment;		 /* one sentence: what the package is and where its files are */
	struct graph_ivec files; /* its files: version indices of the graph, sorted by path */
	size_t nunhashed;	 /* files of the package without a hashed version (not listed) */
	size_t nunrecorded;	 /* rpm: listed files the record has no version of at all */
};

/* The packages, sorted by name.  Zero-initialised = empty; pkgsplit_release frees it. */
struct pkgsplit {
	struct pkgsplit_pkg *p;
	size_t n, cap;
};

/*
 * Finds the binary packages the build of g made (g->cwd is where dpkg-buildpackage ran) and
 * their files.  root is where /etc/os-release is read ("/" or NULL normally; a test may
 * point it at a fake tree).  Returns 0 with at least one package in *out; -ENOENT when the
 * build made none (no debian/control in its directory and no .rpm written), -ENOEXEC when
 * debian/control names no binary package or a .rpm cannot be read, -ENOMEM; err gets a
 * sentence naming what is missing.  *out is released on failure.
 */
int pkgsplit_find(const struct graph *g, const char *root, struct pkgsplit *out, char *err,
		  size_t errlen);

/* Frees everything in s; accepts a zeroed set. */
void pkgsplit_release(struct pkgsplit *s);

/* --- shared by pkgsplit.c (Debian) and pkgsplit_rpm.c -------------------------------- */

/* Appends a new zeroed package to s: its address (owned by s; valid until the next add), or
 * NULL on ENOMEM. */
struct pkgsplit_pkg *pkgsplit_add(struct pkgsplit *s);

/* The os-release ID ("debian") and "<ID>-<VERSION_ID>" ("debian-12", or with the codename
 * when there is no VERSION_ID; "" when unknown) of root. */
void pkgsplit_os_release(const char *root, char id[64], char distro[160]);

/* Adds the RPM packages the build wrote (pkgsplit_rpm.c).  0, -ENOEXEC (a .rpm librpm
 * cannot read; err says which), -ENOMEM. */
int pkgsplit_rpm(const struct graph *g, const char *root, struct pkgsplit *out, char *err,
		 size_t errlen);

#endif /* ASBUILT_PKGSPLIT_H */
