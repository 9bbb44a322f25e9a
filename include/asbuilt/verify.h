/*
 * verify.h - re-hashing files and comparing them with what a record, an SBOM or a signed
 * provenance statement says they were (docs/verify-diff.md).
 *
 * A verify_set is a list of expectations: an absolute path, the SHA-256 it had when the
 * build used or made it, and the role it played.  verify_run() hashes every path (hash.h)
 * and gives each item a status.  Paths under /proc, /dev and /sys are never expected (they
 * are counted as pseudo files); the fillers count the temporaries they pass over and the
 * versions recorded without a hash, so the summary can say what was not checked.
 *
 * Zero-initialise a set; verify_release() frees everything it holds.
 */
#ifndef ASBUILT_VERIFY_H
#define ASBUILT_VERIFY_H

#include <stddef.h>

#include "asbuilt/map.h"

struct graph;
struct graph_ivec;
struct sbom_doc;
struct cJSON;

/* What a file was to the build, in the order findings are listed. */
enum verify_role {
	VERIFY_ARTIFACT,     /* a final output (or a file named on the command line) */
	VERIFY_SUBJECT,	     /* a subject of a provenance statement */
	VERIFY_INTERMEDIATE, /* written by the build and used by a later step (objects, ...) */
	VERIFY_INPUT,	     /* read by the build, not written by it (sources, headers, ...) */
	VERIFY_TOOL,	     /* executed or loaded by a step (cc1, as, ld, their libraries) */
};

enum verify_status {
	VERIFY_OK,	   /* the content is (one of) the recorded one(s) */
	VERIFY_CHANGED,	   /* it differs from the record */
	VERIFY_MISSING,	   /* no file at the path any more */
	VERIFY_UNKNOWN,	   /* named on the command line; neither its path nor its content is
			    * in the record */
	VERIFY_UNREADABLE, /* there, but cannot be read (permissions, a directory, I/O) */
};

struct verify_item {
	char *path;
	enum verify_role role;
	char **recorded; /* the recorded SHA-256s; recorded[0] is the one shown */
	size_t nrecorded;
	char *recorded_as; /* a named file whose content is that of this recorded path */
	enum verify_status status;
	char current[65]; /* its SHA-256 now; "" when it could not be hashed */
	int err;	  /* errno of hashing it (missing, unreadable), else 0 */
	int done;	  /* status already known: verify_run leaves it alone */
};

struct verify_set {
	struct verify_item *items;
	size_t n, cap;
	size_t n_temporary;   /* temporaries the build removed, and files it deleted itself */
	size_t n_pseudo;      /* paths under /proc, /dev, /sys */
	size_t n_unhashed;    /* versions recorded without a hash (changed while used, ...) */
	struct strmap by_key; /* private */
};

/* Frees everything s holds and zeroes it. */
void verify_release(struct verify_set *s);

/*
 * Expects path (absolute) to have content sha256 in role.  The same path again (outside
 * VERIFY_SUBJECT, which is kept apart) adds sha256 to the contents accepted for it and keeps
 * the role listed first in enum verify_role; a higher role's sha256 becomes the one shown.
 * Paths under /proc, /dev, /sys are only counted (n_pseudo).  Returns 0 or -ENOMEM.
 */
int verify_expect(struct verify_set *s, const char *path, const char *sha256,
		  enum verify_role role);

/*
 * A file named on the command line whose path the record does not know: hashes it now; when
 * known (a map sha256 -> recorded path, may be NULL) has its content, it is an ok artifact
 * "recorded as" that path, else it is unknown (also when it cannot be read: err says why).
 * Returns 0 or -ENOMEM.
 */
int verify_add_named(struct verify_set *s, const char *path, const struct strmap *known);

/* Hashes every item not done and sets its status; sorts the items by role, then path.
 * Returns 0 or -ENOMEM. */
int verify_run(struct verify_set *s);

/* Number of items with status st. */
size_t verify_count(const struct verify_set *s, enum verify_status st);

/* Static lowercase names: "ok", "changed", "missing", "unknown", "unreadable"; "artifact",
 * "subject", "intermediate", "input", "tool". */
const char *verify_status_name(enum verify_status st);
const char *verify_role_name(enum verify_role r);

/* --- fillers ---------------------------------------------------------------------------- */

/*
 * Expects, from the record g: the artifacts arts (version indices: their sha256 at the end
 * of the build), every version of their transitive closure (graph_closure) and every tool
 * of the steps that made them.  A path is expected to have the content of its newest
 * version in the build (what the build left behind); a path the build removed, or whose
 * newest version is a temporary, is counted in n_temporary; a version without a hash in
 * n_unhashed.  Returns 0 or -ENOMEM.
 */
int verify_from_graph(struct verify_set *s, const struct graph *g, const struct graph_ivec *arts);

/*
 * A file named on the command line, against the record g: when the build wrote its (real)
 * path, appends the newest written version to *arts and returns 1; when the build only read
 * it, expects it as an input and returns 1; otherwise returns 0 (the caller adds it with
 * verify_add_named).  -ENOMEM.
 */
int verify_graph_named(struct verify_set *s, const struct graph *g, const char *path,
		       struct graph_ivec *arts);

/* The map sha256 -> path of every version of g with a hash (the path the build wrote it
 * at when it did, else where it read it), for verify_add_named; the values are borrowed
 * from g.  Returns 0 or -ENOMEM (*known released). */
int verify_graph_known(const struct graph *g, struct strmap *known);

/*
 * Expects every file of the SBOM d with its SHA-256: artifacts, files written by a step
 * (intermediate), the steps' tools, the other files as inputs (sbomread_classify).  With
 * names (n of them, absolute paths), only those files are artifacts; names the SBOM does not
 * list are added with verify_add_named against the SBOM's hashes.  Returns 0 or -ENOMEM.
 */
int verify_from_sbom(struct verify_set *s, const struct sbom_doc *d, char **names, size_t n);

/*
 * Expects the subjects of an in-toto Statement v1 (payload, len bytes: the decoded DSSE
 * payload) as VERIFY_SUBJECT, names relative to base (NULL: the statement's
 * externalParameters.cwd, else the current directory), and its resolvedDependencies
 * (file:// URIs) as inputs.  Returns 0; -EBADMSG when the payload is not a Statement v1 with
 * subjects (err says why); -ENOMEM.
 */
int verify_from_statement(struct verify_set *s, const void *payload, size_t len, const char *base,
			  char *err, size_t errlen);

/* The findings as JSON: {"files": [{status, role, path, recorded_sha256, current_sha256,
 * recorded_as, error}...], "summary": {...}}; ok items only with include_ok.  A new object
 * you own (cJSON_Delete), or NULL on ENOMEM. */
struct cJSON *verify_json(const struct verify_set *s, int include_ok);

#endif /* ASBUILT_VERIFY_H */
