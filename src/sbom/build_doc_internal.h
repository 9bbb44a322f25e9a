/* build_doc_internal.h - shared by build_doc.c (files, relationships, completeness) and
 * build_doc_steps.c (build steps, the packages of the tools, SHA-1). */
#ifndef ASBUILT_BUILD_DOC_INTERNAL_H
#define ASBUILT_BUILD_DOC_INTERNAL_H

#include <stdint.h>

#include "asbuilt/build_doc.h"
#include "asbuilt/map.h"

/* What the database says about one version that the graph does not keep (owned). */
struct bd_vinfo {
	char *sha1, *gitoid_sha1, *gitoid_sha256;
	int64_t size;
};

/* One file of the component set, by path. */
struct bd_cfile {
	int comp; /* sbom component index, or -1 (unresolved) */
	int pkg;  /* the component is a package (deb, rpm, apk, npm, ...) */
	const struct component_file *f;
};

struct bd {
	struct store *st;
	struct graph *g;
	const struct build_doc_opts *o;
	struct sbom_doc *d;
	struct component_set *set;
	struct bd_vinfo *vi;   /* per version index */
	int *fidx;	       /* per version index: the sbom file index, or -1 */
	char *is_art;	       /* per version index: 1 for the artifacts asked for */
	struct bd_cfile *cf;   /* the files of the component set */
	struct strmap cpath;   /* path -> struct bd_cfile * */
	struct strmap fpath;   /* path -> (intptr_t) sbom file index + 1 */
	unsigned long no_sha1; /* files written without SHA-1 */
};

/* Adds version vi as a file (once) and returns its index, or a negative errno; comp >= -1
 * overrides the component (-2: the component set's).  -ENOENT when vi has no hash. */
int bd_add_version(struct bd *b, int vi, int comp);

/* Adds "from type to" to the document; ignores -EINVAL (an index that is not there). */
int bd_rel(struct bd *b, int from_kind, int from, int to_kind, int to, int type);

void bd_warn(struct bd *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds the steps that wrote a file of the document, with their tools and the packages the
 * tools came from (BUILD_TOOL_OF).  Returns 0, -EIO, -ENOMEM. */
int bd_steps(struct bd *b);

#endif
