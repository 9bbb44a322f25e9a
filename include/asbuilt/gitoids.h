/*
 * gitoids.h - the recorded gitoids (OmniBOR artifact ids) of the file versions
 * of one build, by graph version index: the artifact graph (graph.h) carries
 * only sha256, the database has both gitoids of every hashed version
 * (provq_each_gitoid).
 */
#ifndef ASBUILT_GITOIDS_H
#define ASBUILT_GITOIDS_H

#include <stddef.h>

struct store;
struct graph;

/* Zero-initialised = empty.  Release with gitoids_release. */
struct gitoids {
	char (*sha1)[41];   /* by version index; "" when unknown */
	char (*sha256)[65]; /* by version index; "" when unknown */
	size_t n;
};

/* Loads the gitoids of every version of g (which was loaded from st).  Returns
 * 0, -EIO (an SQLite error; store_errmsg says which), -ENOMEM. */
int gitoids_load(struct store *st, const struct graph *g, struct gitoids *out);

/* Frees the tables; accepts a zeroed struct. */
void gitoids_release(struct gitoids *t);

/* The gitoid:blob:sha256 / gitoid:blob:sha1 of version vi as lowercase hex
 * (borrowed from t), or NULL when the version has none (not hashed: changed,
 * vanished, unreadable). */
const char *gitoids_sha256(const struct gitoids *t, int vi);
const char *gitoids_sha1(const struct gitoids *t, int vi);

#endif /* ASBUILT_GITOIDS_H */
