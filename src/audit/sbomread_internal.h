/*
 * sbomread_internal.h - what the three SBOM readers (sbomread_spdx2.c, sbomread_cdx.c,
 * sbomread_spdx3.c) share with sbomread.c: the parse context, identifier maps and small
 * cJSON accessors.
 */
#ifndef ASBUILT_SBOMREAD_INTERNAL_H
#define ASBUILT_SBOMREAD_INTERNAL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "asbuilt/map.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"

/* One parse.  Identifiers (SPDXID, bom-ref, spdxId) map to model indexes + 1. */
struct sr {
	struct sbomread *r;
	struct sbom_doc *d;
	struct strmap files, comps;
	struct strmap file_comp; /* file id -> component id (borrowed from the JSON) */
	struct strmap artifact;	 /* file ids the product contains (value: non-NULL) */
	char *err;
	size_t errlen;
};

/* Creates the document for the product name (NULL: "unnamed") and version (may be NULL).
 * 0 or -ENOMEM. */
int sr_begin(struct sr *x, const char *name, const char *version);

/* Formats err and returns rc. */
int sr_fail(struct sr *x, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The string member name of obj, or NULL (absent, not a string, or obj NULL). */
const char *sr_str(const cJSON *obj, const char *name);

/* The array member name of obj, or NULL. */
const cJSON *sr_arr(const cJSON *obj, const char *name);

/* The value of the CycloneDX property name in obj's "properties", or NULL. */
const char *sr_prop(const cJSON *obj, const char *name);

/* The component kind named by word (asbuilt's kind names: "deb", "project", ...), else the
 * purl type, else generic. */
enum sbom_comp_kind sr_kind(const char *word, size_t wlen, const char *purl);

/* The file role named by the start of s ("executable", "shared-library", ...). */
enum sbom_file_role sr_role(const char *s);

/* The first word of an asbuilt comment "deb component; ..." (length in *len), or NULL. */
const char *sr_comment_kind(const char *comment, size_t *len);

/* Adds component c under id.  0 or a negative errno (message set). */
int sr_add_comp(struct sr *x, const char *id, const struct sbom_component *c);

/* Adds file f under id, its component taken from x->file_comp and its artifact flag or-ed
 * with x->artifact; a file without sha256 is counted in n_unhashed.  0 or -errno. */
int sr_add_file(struct sr *x, const char *id, struct sbom_file *f);

/* Index of the file / component with identifier id, or -1. */
int sr_file(const struct sr *x, const char *id);
int sr_comp(const struct sr *x, const char *id);

/* Adds "from type to" between two file ids when both are files; 0 or -ENOMEM. */
int sr_file_rel(struct sr *x, const char *from, const char *to, enum sbom_rel_type type);

/* A growable int array for step file lists. */
struct sr_ints {
	int *v;
	size_t n, cap;
};
int sr_ints_push(struct sr_ints *a, int x);

/* The readers: fill x->d from root.  0 or a negative errno (message set). */
int sr_read_spdx2(struct sr *x, const cJSON *root);
int sr_read_cdx(struct sr *x, const cJSON *root);
int sr_read_spdx3(struct sr *x, const cJSON *root);

#endif
