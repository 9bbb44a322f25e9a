/*
 * directdeps.c - `asbuilt deps --direct` for many outputs, loading the graph once.
 *
 * usage: rw-directdeps FILE.db BUILD < paths
 *
 * For each absolute real path on standard input (one per line) prints
 *     = PATH
 * then the direct inputs of its newest written version, one per line as
 *     <sha256>  <path>          (a version without a hash: "-  <path>")
 * sorted by path, then the files its step used as tools (executables, the loader's
 * libraries, specs, plugins: what deps leaves out) as
 *     T <path>
 * or
 *     ! not an output
 * It runs what cmd_deps.c runs for --direct (graph_load, the newest written version of the
 * path, graph_direct, graph_sort_by_path); a build of 30,000 processes takes about a second
 * to load, so asking `asbuilt deps` once per object would take minutes.  tests/realworld/
 * run.sh checks that both give the same answers.  Exit status: 0, or 2 when the database
 * or the build cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/store.h"

static int newest_written(const struct graph *g, const char *path)
{
	int v = graph_latest(g, path);

	while (v >= 0 && !(g->v[v].flags & GRAPH_V_WRITTEN))
		v = g->v[v].prev_same;
	return v;
}

static int answer(const struct graph *g, const char *path)
{
	struct graph_ivec out = { 0 };
	int v = newest_written(g, path);

	printf("= %s\n", path);
	if (v < 0) {
		printf("! not an output\n");
		return 0;
	}
	if (graph_direct(g, v, &out))
		return -1;
	graph_sort_by_path(g, &out);
	for (size_t k = 0; k < out.n; k++) {
		const struct graph_version *x = &g->v[out.v[k]];

		printf("%s  %s\n", x->sha256 ? x->sha256 : "-", x->path);
	}
	out.n = 0;
	for (size_t k = 0; g->v[v].step >= 0 && k < g->s[g->v[v].step].tools.n; k++)
		if (graph_ivec_push(&out, g->s[g->v[v].step].tools.v[k]))
			return -1;
	graph_sort_by_path(g, &out);
	for (size_t k = 0; k < out.n; k++)
		printf("T %s\n", g->v[out.v[k]].path);
	graph_ivec_release(&out);
	return 0;
}

int main(int argc, char **argv)
{
	struct store *st = NULL;
	struct graph *g = NULL;
	char err[512], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: rw-directdeps FILE.db BUILD < paths\n");
		return 2;
	}
	if (store_open(argv[1], 0, &st, err, sizeof(err))) {
		fprintf(stderr, "rw-directdeps: %s\n", err);
		return 2;
	}
	if (graph_load(st, strtoll(argv[2], NULL, 10), &g)) {
		fprintf(stderr, "rw-directdeps: cannot load build %s of '%s'\n", argv[2], argv[1]);
		goto out;
	}
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		if (*line && answer(g, line)) {
			fprintf(stderr, "rw-directdeps: out of memory\n");
			goto out;
		}
	}
	rc = 0;
out:
	free(line);
	graph_free(g);
	store_close(st);
	return rc;
}
