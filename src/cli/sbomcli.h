/* sbomcli.h - what `asbuilt sbom` runs once its options are read: one format for one set of
 * artifacts written to one file or directory (sbomcli_emit), and the same for every binary
 * package a distro build made (sbomcli_per_package, --per-package DIR). */
#ifndef ASBUILT_SBOMCLI_H
#define ASBUILT_SBOMCLI_H

#include <stddef.h>
#include <stdio.h>

#include "asbuilt/build_doc.h"

struct store;
struct graph;
struct graph_ivec;
struct sbom_doc;
struct evp_pkey_st;

enum sbomcli_kind {
	SBOMCLI_DOC,	 /* an SBOM document from the model (build_doc + a writer) */
	SBOMCLI_OMNIBOR, /* a directory of OmniBOR manifests (omnibor_write) */
	SBOMCLI_SLSA,	 /* an in-toto statement, or its DSSE envelope (slsa_write) */
};

struct sbomcli_format {
	const char *name, *what;
	const char *ext; /* of the per-package outputs: DIR/<package><ext> */
	enum sbomcli_kind kind;
	int (*write)(const struct sbom_doc *d, FILE *out); /* SBOMCLI_DOC only */
};

/* The formats, in the order --help lists them. */
extern const struct sbomcli_format sbomcli_formats[];
extern const size_t sbomcli_nformats;

/* One run of asbuilt sbom: the open database and graph and the format's options. */
struct sbomcli {
	struct store *st;
	struct graph *g;
	const struct sbomcli_format *fmt;
	struct build_doc_opts o; /* SBOMCLI_DOC */
	unsigned omnibor_flags;	 /* SBOMCLI_OMNIBOR: OMNIBOR_EMBED */
	struct evp_pkey_st *key; /* SBOMCLI_SLSA: sign with it when not NULL */
};

/* Writes the format for arts to out: a file (SBOMCLI_DOC, SBOMCLI_SLSA; NULL or "-" is
 * standard output; written through a temporary file renamed into place, so a failure leaves
 * nothing behind) or a directory (SBOMCLI_OMNIBOR; NULL is $OMNIBOR_DIR, else ./.omnibor).
 * report (may be NULL) gets what omnibor_write prints.  Prints what went wrong; returns 0,
 * 1 (an error) or EXIT_USAGE (SOURCE_DATE_EPOCH is not a number). */
int sbomcli_emit(struct sbomcli *c, const struct graph_ivec *arts, const char *out, FILE *report);

/* Writes one output per binary package of the build (pkgsplit.h) as DIR/<name><ext>
 * (created when missing), each describing the package: its files are the artifacts, its
 * name, version, purl, license and supplier the product's.  Prints one line per package on
 * standard output ("<name> <version> <arch>  <n> files  <output>") and a warning per
 * package with files the record has no hash of.  Returns 0, 1 or EXIT_USAGE (no package). */
int sbomcli_per_package(struct sbomcli *c, const char *dir);

#endif
