/*
 * slsa.h - SLSA provenance v1 of a recorded build in an in-toto Statement v1
 * (docs/provenance.md), optionally signed into a DSSE envelope (dsse.h).
 *
 * subject: the artifacts, {name (path relative to the build's cwd, else
 * absolute), digest {sha256}}, sorted by name; predicate.buildDefinition:
 * buildType SLSA_BUILD_TYPE, externalParameters {command (argv), cwd},
 * internalParameters {backend}, resolvedDependencies: every version that went
 * into an artifact, transitively (graph_closure), {uri file:///..., digest
 * {sha256, gitBlob}}, sorted by path; runDetails: builder {id SLSA_BUILDER_ID,
 * version}, metadata {invocationId, startedOn, finishedOn}, byproducts: one
 * entry per reason the record is incomplete.  Nothing reads the clock or the
 * environment: the same record gives the same bytes.
 */
#ifndef ASBUILT_SLSA_H
#define ASBUILT_SLSA_H

#include <stddef.h>
#include <stdio.h>

#include "asbuilt/version.h"

#define SLSA_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define SLSA_PREDICATE_TYPE "https://slsa.dev/provenance/v1"
#define SLSA_BUILD_TYPE "https://asbuilt.invalid/buildtypes/recorded-build/v1"
#define SLSA_BUILDER_ID "https://asbuilt.invalid/asbuilt@" ASBUILT_VERSION

struct graph;
struct graph_ivec;
struct gitoids;
struct provq_build;
struct store;
struct evp_pkey_st;

/* One reason the record is incomplete (incomplete table row); detail may be
 * NULL. */
struct slsa_reason {
	const char *reason, *detail;
};

/* The statement for the artifacts arts (version indices of g) of build b, as a
 * new JSON text you own (*len bytes; pretty: formatted with a final newline,
 * else compact, as signed).  reasons are b's incompleteness reasons.  NULL with
 * errno ENOMEM. */
char *slsa_statement(const struct graph *g, const struct gitoids *ids, const struct provq_build *b,
		     const struct slsa_reason *reasons, size_t nreasons,
		     const struct graph_ivec *arts, int pretty, size_t *len);

/* Loads what the statement needs from st (the build row, its incompleteness
 * reasons, the gitoids), and writes the statement for arts to out, or, with a
 * private key, the DSSE envelope that signs it.  Returns 0, -EIO (a database
 * error: store_errmsg; or a write error), -ENOMEM. */
int slsa_write(struct store *st, const struct graph *g, const struct graph_ivec *arts,
	       struct evp_pkey_st *sign_key, FILE *out);

/* path as a file:// URI: bytes other than A-Z a-z 0-9 - . _ ~ /
 * percent-encoded.  A new string you own; NULL on ENOMEM. */
char *slsa_file_uri(const char *path);

#endif /* ASBUILT_SLSA_H */
