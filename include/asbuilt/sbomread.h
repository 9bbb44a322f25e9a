/*
 * sbomread.h - reading an SBOM back into the in-memory model (sbom.h): SPDX 2.3 JSON,
 * SPDX 3.0.1 JSON-LD and CycloneDX 1.6 JSON, as asbuilt writes them (docs/sbom-mapping.md),
 * parsed with cJSON.  The format is detected from the document itself.
 *
 * What comes back, per format:
 *   - files: absolute path, SHA-256 (required: a file without one is only counted),
 *     SHA-1, gitoids, role, is_artifact (the product CONTAINS it; CycloneDX: the product
 *     depends on it, or property asbuilt:artifact), the component that contains it;
 *   - components: every package but the product, with kind (asbuilt's comment or
 *     asbuilt:kind property, else the purl type), name, version, purl, cpe, licenses;
 *   - relationships between files: GENERATED_FROM, STATIC_LINK, DYNAMIC_LINK,
 *     BUILD_TOOL_OF (CycloneDX has only "dependsOn": DEPENDS_ON);
 *   - steps (CycloneDX formulation tasks, SPDX 3 build_Build; SPDX 2.3 has none): kind,
 *     argv, cwd, input, output and tool files, tool components.
 * SPDX 2.3 file names are "." + the absolute path (asbuilt's convention): the "." is
 * dropped.
 */
#ifndef ASBUILT_SBOMREAD_H
#define ASBUILT_SBOMREAD_H

#include <stddef.h>

struct sbom_doc;

enum sbomread_format {
	SBOMREAD_SPDX2,
	SBOMREAD_SPDX3,
	SBOMREAD_CYCLONEDX,
};

struct sbomread {
	enum sbomread_format format;
	struct sbom_doc *doc; /* owned: freed by sbomread_free */
	size_t n_unhashed;    /* files listed without a SHA-256 (not in doc) */
};

/*
 * Parses the SBOM in json (len bytes) into a new *out (free with sbomread_free).  Returns 0;
 * -EINVAL when it is not JSON (err says "truncated: ..." when the text ends inside the
 * document, else near which byte it goes wrong); -EPROTO when it
 * is JSON but none of the three formats; -EBADMSG when it is one of them but malformed (a
 * required member missing or of the wrong type: err names it); -ENOMEM.  err gets one
 * lowercase sentence on failure.
 */
int sbomread_parse(const char *json, size_t len, struct sbomread **out, char *err, size_t errlen);

/* Reads the file at path and parses it as sbomread_parse does.  Also returns the negative
 * errno of opening or reading it; err names path. */
int sbomread_load(const char *path, struct sbomread **out, char *err, size_t errlen);

/* Frees r and its document; accepts NULL. */
void sbomread_free(struct sbomread *r);

/* "SPDX 2.3", "SPDX 3.0.1" or "CycloneDX 1.6" (static). */
const char *sbomread_format_name(enum sbomread_format f);

/* Splits a shell-quoted command line (words separated by blanks; '...', "..." and
 * backslash quoting as sh does, no expansion) into a new NULL-terminated *argv of *argc
 * words; free it with free(*argv) (one block).  Returns 0, -EINVAL (an unterminated quote),
 * -ENOMEM. */
int sbomread_split_shell(const char *line, char ***argv, size_t *argc);

/* What a file of a document is to the build, by precedence (the first that applies). */
enum sbomread_class {
	SBOMREAD_ARTIFACT,     /* is_artifact */
	SBOMREAD_INTERMEDIATE, /* an output of a step, or the source end of a GENERATED_FROM or
				* STATIC_LINK relationship: the build made it */
	SBOMREAD_TOOL,	       /* a tool file of a step */
	SBOMREAD_INPUT,	       /* anything else */
};

/* The class of every file of d, in a new array of d->n_files entries you own (free it);
 * NULL with errno ENOMEM (or for a document without files). */
enum sbomread_class *sbomread_classify(const struct sbom_doc *d);

#endif /* ASBUILT_SBOMREAD_H */
