/* artifacts.c - which versions a build leaves behind as its products (artifacts.h). */
#include <errno.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "asbuilt/steps.h"

static int bookkeeping(const char *path)
{
	static const char *const names[] = { ".ninja_log", ".ninja_deps", "config.log",
					     "config.status", "CMakeCache.txt", NULL };
	const char *b = strrchr(path, '/'), *x;

	b = b ? b + 1 : path;
	x = strrchr(b, '.');
	for (const char *const *n = names; *n; n++)
		if (!strcmp(b, *n))
			return 1;
	if (x && (!strcmp(x, ".d") || !strcmp(x, ".tmp")))
		return 1;
	return strstr(path, "/CMakeFiles/") != NULL;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return 1;
	return !strncmp(path, dir, n) && path[n] == '/';
}

int artifacts_is_final(const struct graph *g, int vi)
{
	const struct graph_version *v = &g->v[vi];

	if (v->step < 0 || !(v->flags & GRAPH_V_WRITTEN) || graph_latest(g, v->path) != vi)
		return 0;
	if (v->flags & (GRAPH_V_TEMP | GRAPH_V_PROBE | GRAPH_V_CONSUMED | GRAPH_V_DIR))
		return 0;
	if (strcmp(v->state, "ok") || bookkeeping(v->path))
		return 0;
	return under(v->path, g->cwd) || g->s[v->step].kind == STEPS_COPY;
}

int artifacts_list(const struct graph *g, struct graph_ivec *out)
{
	size_t first = out->n;

	for (size_t i = 0; i < g->nv; i++)
		if (artifacts_is_final(g, (int)i) && graph_ivec_push(out, (int)i))
			return -ENOMEM;
	if (out->n > first) {
		struct graph_ivec tail = { out->v + first, out->n - first, out->n - first };
		graph_sort_by_path(g, &tail);
	}
	return 0;
}

const char *artifacts_kind(const char *path)
{
	switch (steps_fclass(path)) {
	case STEPS_F_EXEC:
		return "executable";
	case STEPS_F_SHLIB:
		return "shared-library";
	case STEPS_F_ARCHIVE:
		return "static-library";
	case STEPS_F_OBJECT:
		return "object";
	default:
		return "other";
	}
}
