/*
 * artifacts.h - the final outputs of a build (docs/graph.md): the newest version of every
 * path a step wrote that no other step consumed (read, or ran), that is not a temporary,
 * a configure/CMake probe or build bookkeeping (.d, .ninja_log, config.log, CMakeFiles/),
 * and that lies under the build's cwd - or that a copy/install step wrote anywhere
 * (make install DESTDIR=..., install -D x /opt/...).
 */
#ifndef ASBUILT_ARTIFACTS_H
#define ASBUILT_ARTIFACTS_H

struct graph;
struct graph_ivec;

/* Appends the final outputs of g (version indices) to *out, sorted by path.
 * Returns 0 or -ENOMEM. */
int artifacts_list(const struct graph *g, struct graph_ivec *out);

/* Whether version vi is a final output of g. */
int artifacts_is_final(const struct graph *g, int vi);

/* "executable", "shared-library", "static-library", "object" or "other" for the file at
 * path (static string). */
const char *artifacts_kind(const char *path);

#endif /* ASBUILT_ARTIFACTS_H */
