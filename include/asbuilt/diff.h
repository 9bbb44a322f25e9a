/*
 * diff.h - comparing two builds (docs/verify-diff.md): what each used and made, as an SBOM
 * model (sbom.h) holds it - made from a record by build_doc_make(), or read back from an
 * SBOM by sbomread - keyed so that two checkouts in different directories match.
 *
 * A side is one build's model cut into sections:
 *   - components, keyed by kind and name ("deb libc6"; the project is "project" whatever
 *     its directory is called), compared by version and by a digest of their files;
 *   - files by what they were to the build (sbomread_classify): artifacts, intermediate
 *     files, inputs and tools, keyed by path relative to the build's directory ("greet.h")
 *     or absolute outside it ("/usr/include/stdio.h"), compared by SHA-256 (the set of
 *     SHA-256s when a document lists several contents of one path); a tool removed on one
 *     side and one with the same name (basename without version suffix) added on the
 *     other are one changed tool (/usr/lib/gcc/x86_64-linux-gnu/12/cc1 -> .../13/cc1);
 *   - steps, keyed by the files they wrote (relative), compared by their command line with
 *     the build's directory replaced by "." (the words added and removed are listed) and
 *     by their kind.
 * Everything a side or a result holds is owned by it.
 */
#ifndef ASBUILT_DIFF_H
#define ASBUILT_DIFF_H

#include <stddef.h>

struct sbom_doc;
struct cJSON;

/* Sections, in the order differences are listed (causes first). */
enum diff_section {
	DIFF_COMPONENT,
	DIFF_TOOL,
	DIFF_INPUT,
	DIFF_STEP,
	DIFF_INTERMEDIATE,
	DIFF_ARTIFACT,
	DIFF_NSECTIONS,
};

enum diff_change {
	DIFF_ADDED,   /* only in B */
	DIFF_REMOVED, /* only in A */
	DIFF_CHANGED, /* in both, different */
};

/*
 * One difference.  a and b are the compared value on each side (NULL on the side it is
 * missing from): a SHA-256 (or several, comma-separated) for files, the version for
 * components, the command line for steps.  a_more / b_more: the file digest of a component,
 * the path of a tool (with its package "name version" after a space when known), the kind
 * of a step.  what says what differs ("sha256", "version", "files", "command", "kind",
 * comma-separated).  Steps: the words of the command only in B (plus) and only in A (minus).
 */
struct diff_entry {
	enum diff_section section;
	enum diff_change change;
	char *key;
	char *a, *b, *a_more, *b_more;
	char *what;
	char **plus, **minus;
	size_t nplus, nminus;
};

struct diff_result {
	struct diff_entry *e; /* sorted by section, then key */
	size_t n, cap;
	size_t same[DIFF_NSECTIONS];			/* keys equal on both sides */
	size_t count[DIFF_NSECTIONS][DIFF_CHANGED + 1]; /* differences by section and change */
};

struct diff_side;

/* Cuts d into a new side (free with diff_side_free).  root is the build's directory
 * (NULL: the common directory of the steps' cwds, else of the artifacts).  d must outlive
 * the side.  Returns 0 or -ENOMEM. */
int diff_side_new(const struct sbom_doc *d, const char *root, struct diff_side **out);

/* Frees s; accepts NULL. */
void diff_side_free(struct diff_side *s);

/* The directory paths were made relative to (borrowed), or NULL. */
const char *diff_side_root(const struct diff_side *s);

/* Compares a with b into a new *out (free with diff_result_free).  0 or -ENOMEM. */
int diff_compare(const struct diff_side *a, const struct diff_side *b, struct diff_result **out);

/* Frees r; accepts NULL. */
void diff_result_free(struct diff_result *r);

/* Static names: "component", "tool", "input", "step", "intermediate", "artifact";
 * "added", "removed", "changed". */
const char *diff_section_name(enum diff_section s);
const char *diff_change_name(enum diff_change c);

/* The result as JSON: {"identical": bool, "summary": {section: {same, added, removed,
 * changed}}, "differences": [{section, change, key, what, a: {...}, b: {...}, argv_added,
 * argv_removed}]}.  A new object you own, or NULL on ENOMEM. */
struct cJSON *diff_json(const struct diff_result *r);

#endif /* ASBUILT_DIFF_H */
