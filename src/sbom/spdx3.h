/* spdx3.h - what spdx3.c and spdx3_build.c share while writing one SPDX 3.0.1 document. */
#ifndef ASBUILT_SBOM_SPDX3_H
#define ASBUILT_SBOM_SPDX3_H

#include "asbuilt/sbuf.h"
#include "internal.h"

/* The document is written as it is made, one node of @graph at a time: a big record's
 * whole tree took a gigabyte.  A node is complete once the next one is made. */
struct w3 {
	const struct sbom_view *v;
	FILE *out;
	int rc;		  /* the first write failure (-ENOMEM, -EIO), or 0 */
	size_t n_written; /* nodes of @graph written */
	cJSON *pending;	  /* the node made last, written when the next is made */
	struct sb iris;	  /* the IRI of every element made, in order, each NUL-terminated */
	cJSON *seen;	  /* keys of shared elements already made (licenses, organizations) */
	size_t n_rels;
	char iri[1024]; /* scratch for sbom3_iri */
};

/* "<namespace>#<key>" in w->iri (overwritten by the next call). */
const char *sbom3_iri(struct w3 *w, const char *key);

/* Starts a new element {type, spdxId, creationInfo} of the graph and returns it; it is
 * written when the next one is started. */
cJSON *sbom3_element(struct w3 *w, const char *type, const char *key);

/* Appends "from type to[0..n)" (a LifecycleScopedRelationship when scope is not NULL);
 * nothing when n is 0.  Returns the relationship. */
cJSON *sbom3_rel(struct w3 *w, const char *from_key, const char *type, const char *const *to_keys,
		 size_t n, const char *scope);

/* The model's relationships (spdx3_build.c). */
void sbom3_relationships(struct w3 *w);

/* One build_Build per step with its hasInput, hasOutput, invokedBy and usesTool
 * relationships (spdx3_build.c). */
void sbom3_builds(struct w3 *w);

#endif /* ASBUILT_SBOM_SPDX3_H */
