/*
 * internal.h - what the three SBOM writers share (src/sbom/view.c): a sorted, keyed view of
 * a document, its content-derived UUID, time formatting and JSON output.
 */
#ifndef ASBUILT_SBOM_INTERNAL_H
#define ASBUILT_SBOM_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "asbuilt/sbom.h"
#include "asbuilt/version.h"

#define SBOM_TOOL_ID SBOM_TOOL_NAME "-" ASBUILT_VERSION

/* A read-only view of a document prepared for writing.  Keys are stable identifiers made of
 * [A-Za-z0-9.-] only: "DOCUMENT", "Product-<name>", "Package-<name>-<version>-<hash>",
 * "File-<basename>-<hash>"; each writer prefixes them its own way. */
struct sbom_view {
	const struct sbom_doc *d;
	size_t *file_order, *comp_order, *step_order; /* model indexes in output order */
	char **file_key, **comp_key;		      /* by model index */
	char *product_key;
	struct sbom_rel *rels; /* explicit and implied, sorted by keys, no duplicates */
	size_t n_rels;
	char uuid[37];	  /* v4-shaped UUID from a SHA-256 of the content and the format */
	char created[32]; /* ISO 8601 UTC, seconds */
	char *ns;	  /* https://spdx.org/spdxdocs/asbuilt-<name>-<uuid> */
};

/* Fills v for d; tag ("spdx2", "cyclonedx", "spdx3") goes into the UUID.  0 or -ENOMEM;
 * on failure v is released.  sbom_view_release accepts a zeroed view. */
int sbom_view_init(struct sbom_view *v, const struct sbom_doc *d, const char *tag);
void sbom_view_release(struct sbom_view *v);

/* The key of one end of a relationship (borrowed from v). */
const char *sbom_view_key(const struct sbom_view *v, enum sbom_node k, int i);

/* The first nhex (<= 64) hex digits of a SHA-256 of s, into hex (nhex + 1 bytes). */
void sbom_short_hash(const char *s, char *hex, size_t nhex);

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
void sbom_iso8601(int64_t sec, char out[32]);

/* The basename of an absolute path (borrowed from path). */
const char *sbom_basename(const char *path);

/* Prints root (formatted), then a newline, to out and deletes root.  0, -ENOMEM, -EIO. */
int sbom_json_emit(cJSON *root, FILE *out);

/* Prints item (formatted, with indent after every line break: its depth in the document)
 * to out and deletes it: a part of a document written piece by piece.  -ENOMEM also for an
 * allocation failure of any helper below since the view was made (the flag stays set).
 * 0, -ENOMEM, -EIO. */
int sbom_json_write(cJSON *item, const char *indent, FILE *out);

/* The incompleteness statement in one line: "record incomplete: r1 (detail); r2" as a new
 * string you free, or NULL (ENOMEM). */
char *sbom_incomplete_text(const struct sbom_doc *d);

/* cJSON helpers.  A NULL value adds nothing (and returns NULL); a NULL obj/arr (an
 * earlier allocation failure) adds nothing.  An allocation failure returns NULL and sets
 * the thread's sticky flag, which sbom_view_init clears and sbom_json_emit reports as
 * -ENOMEM, so writers need not check each call. */
cJSON *sbom_jstr(cJSON *obj, const char *name, const char *value);
cJSON *sbom_jarr(cJSON *obj, const char *name);
cJSON *sbom_jobj(cJSON *obj, const char *name);
cJSON *sbom_jpush_str(cJSON *arr, const char *value);
cJSON *sbom_jpush_obj(cJSON *arr);
cJSON *sbom_jnum(cJSON *obj, const char *name, double value);
cJSON *sbom_jbool(cJSON *obj, const char *name, int value);

/* Adds CycloneDX "formulation" (one workflow, one task per step) to root; nothing when
 * there are no steps (cdx_formula.c). */
void sbom_cdx_formulation(const struct sbom_view *v, cJSON *root);

#endif /* ASBUILT_SBOM_INTERNAL_H */
