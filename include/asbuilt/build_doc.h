/*
 * build_doc.h - the SBOM of one recorded build: fills an in-memory SBOM (sbom.h) from the
 * artifact graph (graph.h), the resolved components (components.h) and the rows of the
 * provenance database the graph does not keep (sbomq.h: gitoids, sizes, step times and
 * environments, completeness).  docs/sbom-mapping.md ("From the record") says what goes in.
 *
 * The document holds the artifacts and what they were made from: every file of their
 * transitive closure that the build wrote (objects, archives, generated headers, libraries),
 * every binary input (objects, archives, shared libraries, the tools' executables), every
 * input no component explains, and the shared libraries the ELF files load at run time;
 * plain source and header files that belong to a component only with include_sources
 * (without it they are represented by their component).  Relationships: GENERATED_FROM,
 * STATIC_LINK, DYNAMIC_LINK along the graph's edges and DT_NEEDED, BUILD_TOOL_OF (the
 * packages of the steps' executables), BUILD_DEPENDENCY_OF (packages whose files were
 * inputs); one step per tool invocation that wrote a file of the document.
 */
#ifndef ASBUILT_BUILD_DOC_H
#define ASBUILT_BUILD_DOC_H

#include <stdint.h>

#include "asbuilt/components.h"

struct store;
struct graph;
struct graph_ivec;
struct sbom_doc;
struct sbom_product;

struct build_doc_opts {
	const char *name;    /* product name; NULL: the basename of the build's cwd */
	const char *version; /* product version; NULL: none (omitted from the SBOM) */
	/* the product's identity when it is a package (purl, license, ...); NULL: none */
	const struct sbom_product *product;
	int include_sources;		   /* list source/header files of components as files too */
	struct components_opts components; /* passed to components_resolve() */
	/* called for each warning (a package database that failed to load, a file whose
	 * SHA-1 could not be computed); may be NULL */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
};

/*
 * Builds the SBOM of the artifacts arts (version indices of g, the graph of build g->build_id
 * of st) into a new *out; the product contains exactly the artifacts arts (whether or not
 * the graph calls them final: a file a later step packed is still what was asked for); you own it, free it with sbom_doc_free().  The creation time is
 * SOURCE_DATE_EPOCH when set, else the build's end time (its start when it has none): never
 * the clock.  Returns 0; -EINVAL when SOURCE_DATE_EPOCH is set but not a number or when
 * arts is empty; -EIO on a database error (store_errmsg says which); -ENOMEM.
 */
int build_doc_make(struct store *st, struct graph *g, const struct graph_ivec *arts,
		   const struct build_doc_opts *opts, struct sbom_doc **out);

/*
 * The SHA-1 of a file content, as lowercase hex in out: db_sha1 (file_versions.sha1, from
 * schema version 2 on) when it is given, else computed from the file at path when the file
 * still has the content sha256 says (else there is no honest SHA-1 to give).  Returns 0,
 * -ESTALE when the file changed since the build, or the negative errno of reading it.
 */
int build_doc_file_sha1(const char *path, const char *sha256, const char *db_sha1, char out[41]);

#endif /* ASBUILT_BUILD_DOC_H */
