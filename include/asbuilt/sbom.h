/*
 * sbom.h - an in-memory SBOM (the product, its files, the components they belong to, the
 * relationships between them, the build steps) and deterministic writers for SPDX 2.3 JSON,
 * SPDX 3.0.1 JSON-LD and CycloneDX 1.6 JSON.
 *
 * The model knows nothing of the database: the artifact graph fills it with sbom_add_*()
 * and a writer serialises it.  Every string and array passed in is copied; the caller keeps
 * ownership of what it passed.  Elements are referred to by the index the add function
 * returned.  The writers never read the clock or the environment: the creation time is set
 * once with sbom_doc_set_created() (SOURCE_DATE_EPOCH wins when set), and identifiers are
 * derived from content, so the same model gives the same bytes.  docs/sbom-mapping.md says
 * how each field appears in each format.
 */
#ifndef ASBUILT_SBOM_H
#define ASBUILT_SBOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "asbuilt/map.h"

#define SBOM_TOOL_NAME "asbuilt"

/* What kind of thing a component is; decides the purl type a resolver would use and the
 * CycloneDX component type (PROJECT is the first-party code, UNRESOLVED files nobody owns). */
enum sbom_comp_kind {
	SBOM_COMP_GENERIC,
	SBOM_COMP_DEB,
	SBOM_COMP_RPM,
	SBOM_COMP_APK,
	SBOM_COMP_GIT,
	SBOM_COMP_NPM,
	SBOM_COMP_PROJECT,
	SBOM_COMP_UNRESOLVED,
};

/* How a component was identified (CycloneDX evidence.identity.methods[].technique). */
enum sbom_technique {
	SBOM_HOW_NONE,	   /* not stated: no identity evidence is written */
	SBOM_HOW_MANIFEST, /* a package database lists the file (dpkg .list, rpmdb) */
	SBOM_HOW_HASH,	   /* the file's hash matches the package database's hash */
	SBOM_HOW_FILENAME, /* the path alone */
	SBOM_HOW_OTHER,
};

enum sbom_file_role {
	SBOM_ROLE_OTHER,
	SBOM_ROLE_SOURCE,
	SBOM_ROLE_HEADER,
	SBOM_ROLE_OBJECT,
	SBOM_ROLE_ARCHIVE,
	SBOM_ROLE_EXECUTABLE,
	SBOM_ROLE_SHARED_LIBRARY,
};

/* The two ends of a relationship: the document itself, the product, a component, a file. */
enum sbom_node {
	SBOM_NODE_DOCUMENT,
	SBOM_NODE_PRODUCT,
	SBOM_NODE_COMPONENT,
	SBOM_NODE_FILE,
};

/* Relationship types, read as "from TYPE to" in the SPDX 2.3 sense:
 * main.o GENERATED_FROM main.c; app STATIC_LINK libgreet.a; app DYNAMIC_LINK libc.so.6;
 * component CONTAINS file; gcc BUILD_TOOL_OF main.o; x BUILD_DEPENDENCY_OF y;
 * app DEPENDS_ON component; DOCUMENT DESCRIBES x. */
enum sbom_rel_type {
	SBOM_REL_GENERATED_FROM,
	SBOM_REL_STATIC_LINK,
	SBOM_REL_DYNAMIC_LINK,
	SBOM_REL_CONTAINS,
	SBOM_REL_BUILD_TOOL_OF,
	SBOM_REL_BUILD_DEPENDENCY_OF,
	SBOM_REL_DEPENDS_ON,
	SBOM_REL_DESCRIBES,
};

/* A component.  Every string may be NULL (unknown) except name.  The licenses are SPDX
 * license expressions.  identified_by says in words how the component was found
 * ("/var/lib/dpkg/info/libc6-dev:amd64.list lists /usr/include/stdio.h"); evidence is a
 * list of paths that led to it.  confidence (0..1) goes with technique; 0 means "use the
 * technique's default" (hash 1.0, manifest 0.9, filename 0.3, other 0.5). */
struct sbom_component {
	enum sbom_comp_kind kind;
	const char *name, *version, *purl, *cpe;
	const char *license_declared, *license_concluded;
	const char *supplier; /* an organisation's name, without "Organization: " */
	const char *download_location, *homepage;
	enum sbom_technique technique;
	double confidence;
	const char *identified_by;
	const char *const *evidence;
	size_t n_evidence;
};

/* A file: one content of one absolute path.  Hashes are lowercase hex, NULL when unknown;
 * sha256 is required (a file whose content is unknown is not an SBOM file: report it with
 * sbom_set_incomplete instead).  SPDX 2.3 requires sha1 on every file: a file without it is
 * still written, with its SHA256 only and a comment saying so.  component is the index of
 * the component the file belongs to, or -1.  licenses are the SPDX-License-Identifier
 * expressions found in the file. */
struct sbom_file {
	const char *path;
	enum sbom_file_role role;
	bool is_artifact; /* a final product of the build: the product contains it */
	const char *sha1, *sha256, *gitoid_sha1, *gitoid_sha256;
	uint64_t size;
	int component;
	const char *const *licenses;
	size_t n_licenses;
};

struct sbom_kv {
	const char *name, *value;
};

/* One build step (a tool invocation).  kind is a short word ("compile", "link", "archive",
 * "other").  Times are nanoseconds since the epoch, 0 when unknown.  inputs, outputs and
 * tool_files are file indexes, tool_components component indexes. */
struct sbom_step {
	const char *kind;
	const char *const *argv;
	size_t argc;
	const char *cwd;
	const struct sbom_kv *env;
	size_t n_env;
	int64_t start_ns, end_ns;
	const int *inputs, *outputs, *tool_files, *tool_components;
	size_t n_inputs, n_outputs, n_tool_files, n_tool_components;
};

struct sbom_rel {
	enum sbom_node from_kind, to_kind;
	int from, to; /* indexes; ignored for DOCUMENT and PRODUCT */
	enum sbom_rel_type type;
};

struct sbom_reason {
	char *reason, *detail; /* detail may be NULL */
};

/* What identifies the product beyond its name and version, when it is something the world
 * names (a binary package the recorded build made: asbuilt sbom --per-package).  Every
 * string may be NULL (not stated).  license_declared is an SPDX license expression;
 * supplier an organisation's name; comment replaces the writers' default description of
 * the product ("The product of the recorded build..."). */
struct sbom_product {
	const char *purl, *cpe, *license_declared, *supplier, *homepage, *download_location;
	const char *comment;
};

/* The document.  Read its fields freely; change it only through the functions below.
 * The strings inside comps, files and steps belong to the document. */
struct sbom_doc {
	char *name, *version;	     /* the product */
	struct sbom_product product; /* strings owned by the document; all NULL by default */
	int64_t created;	     /* seconds since the epoch */
	struct sbom_component *comps;
	struct sbom_file *files;
	struct sbom_rel *rels;
	struct sbom_step *steps;
	struct sbom_reason *reasons; /* empty = the record is complete */
	size_t n_comps, n_files, n_rels, n_steps, n_reasons;
	size_t cap_comps, cap_files, cap_rels, cap_steps, cap_reasons;
	struct strmap comp_idx, file_idx; /* private: identity key -> index + 1 */
};

/* A new empty document for the product name (required) and version (may be NULL), created
 * at SOURCE_DATE_EPOCH when that is set and valid, else at 0 until sbom_doc_set_created is
 * called.  You own it: sbom_doc_free.  NULL with errno set (EINVAL, ENOMEM). */
struct sbom_doc *sbom_doc_new(const char *name, const char *version);

/* Frees d and everything in it; accepts NULL. */
void sbom_doc_free(struct sbom_doc *d);

/* Sets the creation time: SOURCE_DATE_EPOCH from the environment when set, else fallback
 * (seconds since the epoch, e.g. the build's end time).  Returns 0, or -EINVAL when
 * SOURCE_DATE_EPOCH is set but not a non-negative integer (fallback is used then). */
int sbom_doc_set_created(struct sbom_doc *d, int64_t fallback);

/* Sets the product's identity to a copy of p (replacing an earlier one).  Returns 0 or
 * -ENOMEM (the identity is then unchanged). */
int sbom_doc_set_product(struct sbom_doc *d, const struct sbom_product *p);

/* Adds a copy of c.  Returns its index (>= 0); an identical kind+name+version+purl returns
 * the existing index.  -EINVAL without a name, -ENOMEM. */
int sbom_add_component(struct sbom_doc *d, const struct sbom_component *c);

/* Adds a copy of f.  Returns its index; the same path with the same sha256 returns the
 * existing index (is_artifact is or-ed in).  -EINVAL for a relative path, a missing sha256
 * or a component index out of range; -ENOMEM. */
int sbom_add_file(struct sbom_doc *d, const struct sbom_file *f);

/* Adds "from type to".  Indexes are checked against the kind; DESCRIBES must come from the
 * DOCUMENT.  Duplicates are allowed (the writers drop them).  Returns 0, -EINVAL, -ENOMEM.
 * The writers add on their own: DOCUMENT DESCRIBES PRODUCT, PRODUCT CONTAINS every
 * artifact, and component CONTAINS every file whose component it is. */
int sbom_add_rel(struct sbom_doc *d, enum sbom_node from_kind, int from, enum sbom_node to_kind,
		 int to, enum sbom_rel_type type);

/* Adds a copy of s.  Returns its index, -EINVAL (an index out of range), -ENOMEM. */
int sbom_add_step(struct sbom_doc *d, const struct sbom_step *s);

/* Marks the record incomplete for reason (required, e.g. "static-exec") with detail (may be
 * NULL); may be called any number of times.  Returns 0, -EINVAL, -ENOMEM. */
int sbom_set_incomplete(struct sbom_doc *d, const char *reason, const char *detail);

/* True when no reason was given. */
bool sbom_doc_complete(const struct sbom_doc *d);

/* The writers: write d to out.  Return 0, -ENOMEM, or -EIO on a write error. */
int sbom_write_spdx2(const struct sbom_doc *d, FILE *out);
int sbom_write_cyclonedx(const struct sbom_doc *d, FILE *out);
int sbom_write_spdx3(const struct sbom_doc *d, FILE *out);

/* Names for messages and documents: "GENERATED_FROM", "header", "deb", ... (static). */
const char *sbom_rel_name(enum sbom_rel_type t);
const char *sbom_role_name(enum sbom_file_role r);
const char *sbom_kind_name(enum sbom_comp_kind k);

#endif /* ASBUILT_SBOM_H */
