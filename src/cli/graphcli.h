/* graphcli.h - what the graph commands (deps, artifacts, why, components) share: opening the
 * database and one build's graph with the right messages, and naming an artifact. */
#ifndef ASBUILT_GRAPHCLI_H
#define ASBUILT_GRAPHCLI_H

#include <stdint.h>

struct store;
struct graph;

/* Opens db and loads build (0 = the newest).  A missing, foreign or newer-schema database,
 * a build that does not exist or whose record is unfinished ('running': asbuilt record was
 * killed) or interrupted, print a message and return EXIT_USAGE; 0 on success with *st and
 * *g (close with graphcli_close). */
int graphcli_open(const char *db, int64_t build, struct store **st, struct graph **g);

void graphcli_close(struct store *st, struct graph *g);

/* The version of the output named arg (relative to the current directory): the newest
 * version of its real path that the build wrote.  Prints "'x' is not an output of build N"
 * and returns -1 when there is none. */
int graphcli_output(const struct graph *g, const char *arg);

/* arg made absolute with symlinks resolved (lexically when it no longer exists); you own
 * the result.  NULL on ENOMEM. */
char *graphcli_realpath(const char *arg);

/* Parses a --build argument; returns 0 and *id, or prints and returns EXIT_USAGE. */
int graphcli_build_arg(const char *s, int64_t *id);

#endif
