/*
 * components.h - the components that went into a build's artifacts (docs/graph.md,
 * "Components"): every file the artifacts were made from, and every library they load at
 * run time, resolved to the package, repository, download or source tree it came from.
 *
 * Each input file goes through a chain of resolvers, the first answer wins:
 *   1. dpkg, rpm, apk: a package database under opts->root owns it (databases that do not
 *      exist are skipped quietly);
 *   2. fetched during the build: a download step (curl, wget, git clone) or a package
 *      manager (npm, pip, cargo, go) wrote it: a generic download, a git clone, an npm /
 *      PyPI / cargo / Go package read from the metadata the package manager wrote;
 *   3. a package directory of those ecosystems that existed before the build
 *      (node_modules/NAME/package.json, site-packages *.dist-info, the cargo registry, the
 *      Go module cache);
 *   4. git: a file git tracks in a work tree (submodules are their own repository);
 *   5. the project: a file under the build's cwd that the build did not write (not ELF/ar);
 *   6. unresolved, flagged as a prebuilt binary when it is ELF or an ar archive.
 * Text files (not ELF/ar) are scanned for SPDX-License-Identifier tags (licscan.h).
 *
 * Everything a component_set holds is owned by it and freed by components_free().
 */
#ifndef ASBUILT_COMPONENTS_H
#define ASBUILT_COMPONENTS_H

#include <stddef.h>
#include <stdint.h>

struct graph;
struct store;
struct graph_ivec;

enum component_kind {
	COMPONENT_DEB,
	COMPONENT_RPM,
	COMPONENT_APK,
	COMPONENT_NPM,
	COMPONENT_PYPI,
	COMPONENT_CARGO,
	COMPONENT_GOLANG,
	COMPONENT_GENERIC, /* a download (curl, wget) */
	COMPONENT_GIT,	   /* a git work tree: a checkout, a submodule or a clone made by the build */
	COMPONENT_PROJECT, /* the build's own source tree */
	COMPONENT_UNRESOLVED,
};

/* One input file of a component.  Strings are owned by the set. */
struct component_file {
	const char *path;	   /* absolute real path */
	const char *sha256;	   /* of the version the build used; NULL when unknown */
	const char *license;	   /* its SPDX-License-Identifier expression, or NULL */
	const char *identified_by; /* "dpkg database owns /usr/include/stdio.h", ... */
	int version;		   /* index into g->v, or -1 (a runtime library the build
				    * never opened) */
	unsigned runtime : 1;	   /* a DT_NEEDED library of an artifact (or of such a one) */
	unsigned prebuilt : 1;	   /* ELF or ar that no package, fetch or repository explains */
	unsigned fetched : 1;	   /* written by a download or package-manager step */
};

/*
 * A component.  Every string may be NULL (unknown) unless said otherwise; all are owned by
 * the set.
 * - name: package or repository name; the cwd's basename for the project; NULL when
 *   unresolved.  version: package version, the commit for git.
 * - license: the declared license (package metadata), an SPDX expression.
 * - licenses_found: the distinct SPDX-License-Identifier expressions of its files, sorted;
 *   when license is NULL this list is the concluded license.
 * - identified_by: how the component was found (its first file's identified_by).
 * - evidence: the metadata files that identified it (a dpkg .list, a package.json, a
 *   package-lock.json, a .git directory, ...), distinct, in the order found.
 * - git only: remote_url, commit, dirty (1, 0, -1 unknown), superproject (for a submodule).
 * Files are sorted by path.
 */
struct component {
	enum component_kind kind;
	const char *name, *version, *purl, *cpe;
	const char *license;
	const char **licenses_found;
	size_t n_licenses_found;
	const char *download_location, *homepage, *supplier;
	const char *identified_by;
	const char **evidence;
	size_t n_evidence;
	const char *remote_url, *commit, *superproject;
	int dirty;
	struct component_file *files;
	size_t n_files;
};

struct components_opts {
	const char *root; /* where the package databases live; NULL means "/" */
	int no_runtime;	  /* leave out DT_NEEDED libraries */
	int no_licscan;	  /* do not scan files for SPDX-License-Identifier tags */
	/*
	 * The resolution cache (compcache.h), used when cache is not NULL: cache_build is the
	 * build g was loaded from.  A file whose (path, sha256) has an entry, made for a file
	 * reached the same way (runtime library or input, fetched or not), is rebuilt from it
	 * with every field, without running the chain (nor licscan); the set is the same as
	 * an uncached run's.  The databases and work trees are loaded only when some file is
	 * not cached.  What the chain resolved is written to the cache in one transaction at
	 * the end, unless the run had warnings or no_licscan is set; a database that cannot be
	 * written (read-only) is quietly not written.  The entries hold the answers of the
	 * first resolution (with the root given then): refresh ignores the build's entries
	 * and replaces them all with this run's.
	 */
	struct store *cache;
	int64_t cache_build;
	int refresh;
};

/* The resolved components, sorted by kind name, name, version.  Read it through
 * components_count() / components_get(); warnings says what could not be read (a package
 * database that exists but failed to load, ...), one lowercase sentence each. */
struct component_set;

/*
 * Resolves the inputs of the artifacts (version indices of g) and stores a new set in *out
 * (free it with components_free()).  opts may be NULL (defaults).  Returns 0, or -ENOMEM
 * (*out NULL).  Without opts->cache nothing is written anywhere and package databases and
 * work trees are read as they are now; with it, see struct components_opts.
 */
int components_resolve(struct graph *g, const struct graph_ivec *artifacts,
		       const struct components_opts *opts, struct component_set **out);

/* Number of components in s. */
size_t components_count(const struct component_set *s);

/* Component i (0 <= i < components_count(s)); owned by s. */
const struct component *components_get(const struct component_set *s, size_t i);

/* Number of files of s taken from the resolution cache (0 without opts->cache). */
size_t components_ncached(const struct component_set *s);

/* Number of warnings and warning i (owned by s). */
size_t components_nwarnings(const struct component_set *s);
const char *components_warning(const struct component_set *s, size_t i);

/* Frees s and everything it returned.  Accepts NULL. */
void components_free(struct component_set *s);

/* Static lowercase name of k: "deb", "rpm", "apk", "npm", "pypi", "cargo", "golang",
 * "generic", "git", "project", "unresolved" (the purl type where there is one). */
const char *components_kind_name(enum component_kind k);

#endif /* ASBUILT_COMPONENTS_H */
