/* components_internal.h - shared by components.c (the chain, the set) and
 * components_fetch.c (what downloads and package managers wrote, package directories). */
#ifndef ASBUILT_COMPONENTS_INTERNAL_H
#define ASBUILT_COMPONENTS_INTERNAL_H

#include "asbuilt/components.h"
#include "asbuilt/map.h"

struct graph;
struct resolve_git;

/* What one resolver says about one file.  Every string is malloc'ed and owned by the
 * candidate until comp_cand_release(); the set takes what it keeps. */
struct comp_cand {
	enum component_kind kind;
	char *name, *version, *purl, *cpe, *license;
	char *download_location, *homepage, *supplier;
	char *remote_url, *commit, *superproject;
	int dirty;
	char *evidence[3];
	char *identified_by;
};

void comp_cand_release(struct comp_cand *c);

/* strdup that accepts NULL (returns NULL then); sets *oom on allocation failure. */
char *comp_strdup(const char *s, int *oom);

/* A malloc'ed printf, or NULL. */
char *comp_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Appends s to the FILE percent-encoded: A-Z a-z 0-9 . - _ ~ and the characters of keep
 * stay, everything else is %XX. */
void comp_pct(void *file, const char *s, size_t n, const char *keep);

struct git_checkout;

/* Fills the git fields of *c from checkout co (may be NULL) and remote url (may be NULL:
 * co's remote): kind git, name (the URL's last segment without .git, else the work tree's
 * basename), version = commit, purl, download location, dirty, superproject, evidence
 * WORKDIR/.git.  identified_by is left to the caller.  Returns 0 or -ENOMEM. */
int comp_git_fill(const struct git_checkout *co, const char *url, struct comp_cand *c);

struct comp_fetch;

/* Flags of a file in its component (struct component_file). */
#define COMP_F_RUNTIME 1u
#define COMP_F_PREBUILT 2u
#define COMP_F_FETCHED 4u

/* A resolution to write to the cache at the end (components_cache.c).  none: a fetched
 * artifact nothing identified, which is not listed. */
struct comp_pending {
	char *path, *sha256, *license;
	struct comp_cand c;
	unsigned flags;
	int none;
};

/* What components_resolve() works with. */
struct comp_ctx {
	struct graph *g;
	const char *root;
	struct components_opts o;
	struct component_set *set;
	int loaded; /* the databases and work trees below are loaded (on the first miss) */
	struct resolve_dpkg *dpkg;
	struct resolve_rpm *rpm;
	struct resolve_apk *apk;
	struct resolve_git *git;
	struct comp_fetch *fetch;
	struct strmap seen; /* path -> (void *)1 */
	const char *project;
	struct comp_pending *pend; /* what the chain resolved in this run, for the cache */
	size_t npend, cappend;
	size_t ncached; /* files taken from the cache */
	int cache_off;	/* the cache could not be read: no more lookups */
};

/* --- the resolution cache (components_cache.c) ---------------------------------------- */

/* Looks up (path, sha256) in the cache when x->o asks for one.  A hit needs an entry made
 * for a file reached the same way (flags & (COMP_F_RUNTIME | COMP_F_FETCHED) equal).
 * Returns 1 and fills *c, *license (yours) and *flags; 2 for a cached "not a component"
 * of an artifact (artifact != 0); 0 on a miss (nothing filled); -ENOMEM. */
int comp_cache_lookup(struct comp_ctx *x, const char *path, const char *sha256,
		      unsigned flags_in, int artifact, struct comp_cand *c, char **license,
		      unsigned *flags);

/* Remembers what the chain said about path (c NULL: a fetched artifact nothing identified)
 * for comp_cache_write().  Copies everything.  Returns 0 or -ENOMEM. */
int comp_cache_note(struct comp_ctx *x, const char *path, const char *sha256,
		    const struct comp_cand *c, const char *license, unsigned flags);

/* Writes what was noted to the cache in one transaction (first removing the build's
 * entries when x->o.refresh).  Writes no entry when warned (a database that failed to load
 * left files unresolved: a later run may do better), and quietly nothing when the database
 * cannot be written (read-only). */
void comp_cache_write(struct comp_ctx *x, int warned);

/* Frees what comp_cache_note() kept. */
void comp_cache_release(struct comp_ctx *x);

/* Runs the chain on path (version vi of g, or -1; binary: ELF or ar).  Fills *c (always:
 * unresolved when nothing answered) and returns 0, or -ENOMEM. */
int comp_identify(struct comp_ctx *x, const char *path, int vi, int binary, struct comp_cand *c);

/* Whether the file at path is ELF (object, library, executable) or an ar archive. */
int comp_is_binary(const char *path);

/* Package directories (components_pkgdir.c): like comp_fetch_pkgdir(), with records the
 * cache of site-packages RECORD files (release it with comp_pkgdir_release()). */
int comp_pkgdir(struct strmap *records, const char *path, const char *by, struct comp_cand *c);
void comp_pkgdir_release(struct strmap *records);

/* A new fetch resolver for g (git may be NULL: clones then have no commit).  Returns 0 or
 * -ENOMEM.  Free with comp_fetch_free(). */
int comp_fetch_new(struct comp_fetch **out, struct graph *g, struct resolve_git *git);
void comp_fetch_free(struct comp_fetch *f);

/* Gives f the work trees to look clones up in (loaded after f was made; may be NULL). */
void comp_fetch_set_git(struct comp_fetch *f, struct resolve_git *git);

/* Whether step (index into g->s) downloaded or installed packages: classified download or
 * package-manager, or one of its images runs curl, wget, git clone, npm, yarn, pnpm, pip,
 * cargo or go (also through an interpreter: "node /usr/bin/npm install"). */
int comp_fetch_step(struct comp_fetch *f, int step);

/* The version vi, written by a fetch step: fills *c and returns 1, returns 0 when the
 * fetch does not say what the file is, or -ENOMEM. */
int comp_fetch_written(struct comp_fetch *f, int vi, struct comp_cand *c);

/* A file in a package directory that existed before the build (node_modules/NAME,
 * site-packages with *.dist-info, the cargo registry, the Go module cache): fills *c and
 * returns 1, or returns 0, or -ENOMEM.  fetched_by names the command that wrote it, or
 * NULL. */
int comp_fetch_pkgdir(struct comp_fetch *f, const char *path, const char *fetched_by,
		      struct comp_cand *c);

#endif /* ASBUILT_COMPONENTS_INTERNAL_H */
