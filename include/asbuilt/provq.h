/*
 * provq.h - the read-only queries the provenance writers (OmniBOR, SLSA;
 * omnibor.h, slsa.h) need beyond the artifact graph: the build row as recorded
 * (command, times, backend, completeness), its incompleteness reasons, and the
 * gitoids of its file versions. All SQL is here (src/store/provq.c); each
 * function prepares, binds and finalises its own statement.
 */
#ifndef ASBUILT_PROVQ_H
#define ASBUILT_PROVQ_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* One builds row.  Strings are new copies you own: release with
 * provq_build_release. argv is the raw NUL-separated bytes (argv_len of them).
 * ended_ns 0 = NULL. */
struct provq_build {
	int64_t id, started_ns, ended_ns;
	int exit_status, complete;
	char *argv;
	size_t argv_len;
	char *cwd, *backend, *state, *hostname;
};

/* Reads build id into *out.  Returns 0, -ENOENT (no such build), -EIO, -ENOMEM.
 */
int provq_build_get(struct store *st, int64_t id, struct provq_build *out);

/* Frees the strings of b (not b itself); accepts a zeroed struct. */
void provq_build_release(struct provq_build *b);

/* Calls fn for every incomplete row of build_id, in id order (detail may be
 * NULL; both borrowed for the call).  A non-zero return of fn stops the walk
 * and is returned; otherwise 0 or -EIO. */
int provq_each_incomplete(struct store *st, int64_t build_id,
			  int (*fn)(const char *reason, const char *detail, void *ctx), void *ctx);

/* Calls fn for every file version of build_id that has gitoids, in id order,
 * with the version id and its two gitoids (lowercase hex, borrowed for the
 * call).  Stops as above. */
int provq_each_gitoid(struct store *st, int64_t build_id,
		      int (*fn)(int64_t version_id, const char *gitoid_sha1,
				const char *gitoid_sha256, void *ctx),
		      void *ctx);

#endif /* ASBUILT_PROVQ_H */
