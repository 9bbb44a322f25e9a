/*
 * vex.h - VEX verdicts from symbol-level evidence (docs/symbols-vex.md): given a binary's
 * symbols report (symbols.h), the component a vulnerability affects (package URL patterns)
 * and the vulnerable functions, decide per binary whether it is affected, and write the
 * verdicts as a CycloneDX 1.6 VEX BOM or an OpenVEX 0.2.0 document.
 *
 * The rule (docs/symbols-vex.md has it with its reasons), per vulnerable symbol, the finding
 * that claims the least safety winning (affected, then under investigation, then
 * not affected - vulnerable code not in execute path, then vulnerable code not present):
 *   - component not present: no library the binary loads, no archive member its link pulled
 *     in and no object it read belongs to the component: not_affected,
 *     component_not_present.
 *   - static part (the component's members the link pulled in, objects it read whole), for
 *     one that defines the symbol: the binary's .symtab lacks it (dropped by the linker):
 *     vulnerable_code_not_present; the link references it, or a relocation of a pulled
 *     member or linked object names it: affected; a static (local) function: under
 *     investigation; otherwise not_affected, vulnerable_code_not_in_execute_path.  None
 *     defines it: vulnerable_code_not_present (under investigation when an archive or object
 *     changed since the build hides the answer).
 *   - dynamic part (the component's libraries the binary loads that export the symbol): the
 *     binary, or another library it loads, imports it: affected; the library names it in
 *     its own dynamic relocations, binds it directly (protected visibility, DT_SYMBOLIC),
 *     reaches fewer than one in ten of its exports through its relocations (hidden
 *     aliases), or strict is set: under investigation; otherwise not_affected,
 *     vulnerable_code_not_in_execute_path.  No library of the component exports it (an
 *     internal function?) or one could not be read: under investigation.
 */
#ifndef ASBUILT_VEX_H
#define ASBUILT_VEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct symbols_report;
struct symbols_purl;

/* Ordered from the weakest claim of safety to none: a larger value wins when combining. */
enum vex_status {
	VEX_NOT_AFFECTED,
	VEX_UNDER_INVESTIGATION,
	VEX_AFFECTED,
};

enum vex_justification {
	VEX_J_NONE,
	VEX_J_COMPONENT_NOT_PRESENT,
	VEX_J_CODE_NOT_PRESENT,
	VEX_J_NOT_IN_EXECUTE_PATH,
};

/* What the evidence says of one vulnerable symbol in one binary. */
struct vex_finding {
	char *symbol;
	enum vex_status status;
	enum vex_justification justification; /* VEX_J_NONE unless not affected */
	char *evidence; /* sentences naming the member, archive, import or library */
	int known;	/* some archive or library of the component defines the symbol */
};

/* The verdict for one binary. */
struct vex_verdict {
	enum vex_status status;
	enum vex_justification justification;
	int present;		      /* the component is linked in or loaded */
	struct vex_finding *findings; /* one per symbol, in the order given */
	size_t n_findings;
	char **subcomponents; /* purls of the matching components present */
	size_t n_subcomponents;
};

/*
 * Assesses report r for the component matching any of pats[0..npats) and the vulnerable
 * symbols syms[0..nsyms), by the rule above; strict makes every "not in execute path" of a
 * shared library "under investigation".  Fills *out (release with vex_verdict_release).
 * Returns 0 or -ENOMEM.
 */
int vex_assess(const struct symbols_report *r, const struct symbols_purl *pats, size_t npats,
	       const char *const *syms, size_t nsyms, int strict, struct vex_verdict *out);

/* Frees what v holds.  NULL is fine. */
void vex_verdict_release(struct vex_verdict *v);

/* The names of the two vocabularies (static strings): OpenVEX "not_affected", "affected",
 * "under_investigation" and "component_not_present", "vulnerable_code_not_present",
 * "vulnerable_code_not_in_execute_path"; CycloneDX "not_affected", "exploitable",
 * "in_triage" and "code_not_present", "code_not_reachable".  NULL for VEX_J_NONE. */
const char *vex_status_openvex(enum vex_status s);
const char *vex_status_cyclonedx(enum vex_status s);
const char *vex_justification_openvex(enum vex_justification j);
const char *vex_justification_cyclonedx(enum vex_justification j);

/* One binary of a VEX document.  Strings are borrowed from the caller. */
struct vex_product {
	const char *path, *sha256;
	const struct vex_verdict *verdict;
};

/* A VEX document: one vulnerability, the component patterns and symbols as given, the
 * creation time (seconds since the epoch), and the verdict per binary.  Borrowed. */
struct vex_doc {
	const char *vuln;
	const char *const *components;
	size_t n_components;
	const char *const *symbols;
	size_t n_symbols;
	int64_t created;
	const struct vex_product *products;
	size_t n_products;
};

/* Write d as CycloneDX 1.6 JSON (a BOM with the binaries and the component as components
 * and one vulnerabilities[] entry per binary) or as OpenVEX 0.2.0 JSON (one statement per
 * binary).  Same document, same bytes: identifiers are derived from the content.  Return 0,
 * -ENOMEM, or -EIO when f cannot be written. */
int vex_write_cyclonedx(const struct vex_doc *d, FILE *f);
int vex_write_openvex(const struct vex_doc *d, FILE *f);

#endif /* ASBUILT_VEX_H */
