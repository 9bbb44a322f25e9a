/* graphcli.c - database and artifact handling shared by the graph commands. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/graph.h"
#include "asbuilt/graphq.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "graphcli.h"

int graphcli_build_arg(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (!*s || *end || v <= 0) {
		cli_err("--build: '%s' is not a build number", s);
		return EXIT_USAGE;
	}
	*id = v;
	return 0;
}

static int check_state(const char *db, int64_t id, const char *state)
{
	if (!strcmp(state, "finished"))
		return 0;
	if (!strcmp(state, "running"))
		cli_err("build %lld in '%s' is still 'running': its record was interrupted "
			"(asbuilt record or its collector was killed), so its graph would be "
			"partial; record the build again",
			(long long)id, db);
	else
		cli_err("build %lld in '%s' was interrupted (state '%s'): the build did not "
			"run to its end, so its graph would be partial; record it again",
			(long long)id, db, state);
	return EXIT_USAGE;
}

int graphcli_open(const char *db, int64_t build, struct store **st, struct graph **g)
{
	char err[512];
	int rc;

	*st = NULL;
	*g = NULL;
	if (store_open(db, 0, st, err, sizeof(err))) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	if (!build && (rc = graphq_latest_build(*st, &build))) {
		if (rc == -ENOENT)
			cli_err("database '%s' holds no build", db);
		else
			cli_err("cannot read database '%s': %s", db, store_errmsg(*st));
		goto fail;
	}
	rc = graph_load(*st, build, g);
	if (rc == -ENOENT) {
		cli_err("database '%s' has no build %lld", db, (long long)build);
		goto fail;
	}
	if (rc) {
		cli_err("cannot read build %lld of '%s': %s", (long long)build, db,
			rc == -EIO ? store_errmsg(*st) : strerror(-rc));
		goto fail;
	}
	if (check_state(db, build, (*g)->state))
		goto fail;
	return 0;
fail:
	graphcli_close(*st, *g);
	*st = NULL;
	*g = NULL;
	return EXIT_USAGE;
}

void graphcli_close(struct store *st, struct graph *g)
{
	graph_free(g);
	store_close(st);
}

char *graphcli_realpath(const char *arg)
{
	char *r = realpath(arg, NULL), *cwd, *s;

	if (r || errno == ENOMEM)
		return r;
	if (arg[0] == '/')
		return strdup(arg);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (asprintf(&s, "%s/%s", cwd, arg) < 0)
		s = NULL;
	free(cwd);
	return s;
}

int graphcli_output(const struct graph *g, const char *arg)
{
	char *path = graphcli_realpath(arg);
	int v = path ? graph_latest(g, path) : -1;

	while (v >= 0 && !(g->v[v].flags & GRAPH_V_WRITTEN))
		v = g->v[v].prev_same;
	if (v < 0)
		cli_err("'%s' is not an output of build %lld", arg, (long long)g->build_id);
	free(path);
	return v;
}
