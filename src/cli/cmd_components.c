/* cmd_components.c - asbuilt components: the packages and sources in the artifacts. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/map.h"
#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/steps.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: asbuilt components [--db FILE.db] [--build N] [--json] [ARTIFACT...]\n\n"
		   "Lists the components that went into the artifacts (all final outputs when\n"
		   "none are named): every file they were made from and every library they\n"
		   "load at run time (DT_NEEDED), grouped by the Debian package that owns it\n"
		   "(kind deb: name, version, purl, CPE, license), the project's own source tree\n"
		   "(kind project), or unresolved (flagged 'prebuilt binary' for ELF/ar files).\n\n"
		   "  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		   "  -b, --build N   build number (default: the newest)\n"
		   "  -j, --json      a JSON array of components\n");
}

struct cfile {
	char *path, *sha256;
	int runtime, prebuilt;
};

struct comp {
	const char *kind; /* "deb" "project" "unresolved" */
	const struct dpkg_pkg *pkg;
	struct cfile *f;
	size_t n, cap;
};

struct ctx {
	struct graph *g;
	struct resolve_dpkg *dpkg;
	struct strmap seen; /* path -> 1 */
	struct comp *c;
	size_t nc;
	const char *project;
};

static struct comp *comp_for(struct ctx *x, const char *kind, const struct dpkg_pkg *pkg)
{
	for (size_t i = 0; i < x->nc; i++)
		if (!strcmp(x->c[i].kind, kind) && x->c[i].pkg == pkg)
			return &x->c[i];
	struct comp *c = realloc(x->c, (x->nc + 1) * sizeof(*c));
	if (!c)
		return NULL;
	x->c = c;
	c = &x->c[x->nc++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->pkg = pkg;
	return c;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Files the build did not produce: put path into its component. */
static int add_file(struct ctx *x, const char *path, const char *sha256, int runtime)
{
	enum steps_fclass fc;
	const struct dpkg_pkg *pkg = NULL;
	struct comp *c;
	struct cfile *f;
	int binary;

	if (strmap_get(&x->seen, path))
		return 0;
	if (strmap_put(&x->seen, path, (void *)1))
		return -1;
	fc = steps_fclass(path);
	binary = fc == STEPS_F_OBJECT || fc == STEPS_F_ARCHIVE || fc == STEPS_F_SHLIB ||
		 fc == STEPS_F_EXEC;
	if (x->dpkg)
		pkg = resolve_dpkg_lookup(x->dpkg, path);
	if (pkg)
		c = comp_for(x, "deb", pkg);
	else if (under(path, x->g->cwd) && !binary)
		c = comp_for(x, "project", NULL);
	else
		c = comp_for(x, "unresolved", NULL);
	if (!c || (c->n == c->cap &&
		   !(c->f = realloc(c->f, (c->cap = c->cap ? 2 * c->cap : 8) * sizeof(*f)))))
		return -1;
	f = &c->f[c->n++];
	f->path = strdup(path);
	f->sha256 = sha256 ? strdup(sha256) : NULL;
	f->runtime = runtime;
	f->prebuilt = !pkg && binary;
	return f->path ? 0 : -1;
}

/* The libraries binary loads at run time, resolved like the dynamic loader, recursively. */
static int add_needed(struct ctx *x, const char *binary, int depth)
{
	struct elfinfo *ei;
	char **paths = NULL;
	int rc = 0;

	if (depth > 16 || elfinfo_read(binary, &ei))
		return 0;
	if (elfinfo_resolve_needed(ei, binary, &paths) == 0) {
		for (size_t i = 0; i < ei->n_needed && !rc; i++) {
			int v = paths[i] ? graph_latest(x->g, paths[i]) : -1;
			struct hash_result h;
			struct stat sb;

			if (!paths[i] || strmap_get(&x->seen, paths[i]))
				continue;
			if (v >= 0 && (x->g->v[v].flags & GRAPH_V_WRITTEN))
				continue; /* a library this build made: its inputs are counted */
			rc = add_file(x, paths[i], hash_path(paths[i], &sb, &h) ? NULL : h.sha256, 1);
			if (!rc)
				rc = add_needed(x, paths[i], depth + 1);
		}
	}
	elfinfo_paths_free(paths, ei->n_needed);
	elfinfo_free(ei);
	return rc;
}

static int collect(struct ctx *x, const struct graph_ivec *arts)
{
	struct graph_ivec all = { 0 };
	int rc = 0;

	for (size_t k = 0; k < arts->n && !rc; k++)
		rc = graph_closure(x->g, arts->v[k], &all);
	graph_sort_by_path(x->g, &all);
	for (size_t k = 0; k < all.n && !rc; k++) {
		const struct graph_version *v = &x->g->v[all.v[k]];
		if (!(v->flags & GRAPH_V_WRITTEN))
			rc = add_file(x, v->path, v->sha256, 0);
	}
	for (size_t k = 0; k < arts->n && !rc; k++)
		rc = add_needed(x, x->g->v[arts->v[k]].path, 0);
	graph_ivec_release(&all);
	return rc;
}

static const char *comp_name(const struct ctx *x, const struct comp *c)
{
	return c->pkg ? c->pkg->name : !strcmp(c->kind, "project") ? x->project : "";
}

static const struct ctx *sort_x;

static int by_comp(const void *a, const void *b)
{
	const struct comp *p = a, *q = b;
	int r = strcmp(p->kind, q->kind);

	if (r)
		return r;
	r = strcmp(comp_name(sort_x, p), comp_name(sort_x, q));
	return r ? r : strcmp(p->pkg ? p->pkg->arch : "", q->pkg ? q->pkg->arch : "");
}

static int by_file(const void *a, const void *b)
{
	return strcmp(((const struct cfile *)a)->path, ((const struct cfile *)b)->path);
}

static void identified(const struct ctx *x, const struct comp *c, const struct cfile *f,
		       char *buf, size_t n)
{
	if (c->pkg)
		snprintf(buf, n, "dpkg database owns %s", f->path);
	else if (!strcmp(c->kind, "project"))
		snprintf(buf, n, "source tree %s", x->g->cwd);
	else
		snprintf(buf, n, "%s", f->prebuilt ? "prebuilt binary, not made by this build"
						   : "no package owns it");
}

static void print_text(const struct ctx *x)
{
	char buf[4200];

	for (size_t i = 0; i < x->nc; i++) {
		const struct comp *c = &x->c[i];
		const struct dpkg_pkg *p = c->pkg;

		if (p)
			printf("deb %s %s\n  purl: %s\n  cpe: %s\n  license: %s\n", p->name,
			       p->version, p->purl ? p->purl : "", p->cpe ? p->cpe : "",
			       p->license ? p->license : "NOASSERTION");
		else
			printf("%s%s%s\n", c->kind, *comp_name(x, c) ? " " : "", comp_name(x, c));
		if (strcmp(c->kind, "unresolved")) {
			identified(x, c, &c->f[0], buf, sizeof(buf));
			printf("  identified by: %s\n", buf);
		}
		printf("  files:\n");
		for (size_t k = 0; k < c->n; k++)
			printf("    %s  %s%s%s\n", c->f[k].sha256 ? c->f[k].sha256 : "-",
			       c->f[k].path, c->f[k].prebuilt ? "  (prebuilt binary)" : "",
			       c->f[k].runtime ? "  (runtime: DT_NEEDED)" : "");
	}
}

static void str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static int print_json(const struct ctx *x)
{
	cJSON *arr = cJSON_CreateArray();
	char buf[4200], *s;

	for (size_t i = 0; arr && i < x->nc; i++) {
		const struct comp *c = &x->c[i];
		const struct dpkg_pkg *p = c->pkg;
		cJSON *o = cJSON_CreateObject(), *files = cJSON_CreateArray();

		cJSON_AddStringToObject(o, "kind", c->kind);
		str_or_null(o, "name", *comp_name(x, c) ? comp_name(x, c) : NULL);
		str_or_null(o, "version", p ? p->version : NULL);
		str_or_null(o, "purl", p ? p->purl : NULL);
		str_or_null(o, "cpe", p ? p->cpe : NULL);
		str_or_null(o, "license", p ? p->license : NULL);
		identified(x, c, &c->f[0], buf, sizeof(buf));
		str_or_null(o, "identified_by", strcmp(c->kind, "unresolved") ? buf : NULL);
		for (size_t k = 0; k < c->n; k++) {
			cJSON *f = cJSON_CreateObject();

			cJSON_AddStringToObject(f, "path", c->f[k].path);
			str_or_null(f, "sha256", c->f[k].sha256);
			identified(x, c, &c->f[k], buf, sizeof(buf));
			cJSON_AddStringToObject(f, "identified_by", buf);
			cJSON_AddBoolToObject(f, "prebuilt_binary", c->f[k].prebuilt);
			cJSON_AddBoolToObject(f, "runtime", c->f[k].runtime);
			cJSON_AddItemToArray(files, f);
		}
		cJSON_AddItemToObject(o, "files", files);
		cJSON_AddItemToArray(arr, o);
	}
	s = arr ? cJSON_Print(arr) : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	cJSON_Delete(arr);
	return s ? 0 : -1;
}

static void ctx_release(struct ctx *x)
{
	for (size_t i = 0; i < x->nc; i++) {
		for (size_t k = 0; k < x->c[i].n; k++) {
			free(x->c[i].f[k].path);
			free(x->c[i].f[k].sha256);
		}
		free(x->c[i].f);
	}
	free(x->c);
	strmap_release(&x->seen);
	resolve_dpkg_free(x->dpkg);
}

int cmd_components(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct graph_ivec arts = { 0 };
	struct ctx x = { 0 };
	struct store *st;
	int64_t build = 0;
	int ch, json = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "d:b:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (graphcli_open(db, build, &st, &x.g))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !rc; i++) {
		int v = graphcli_output(x.g, argv[i]);
		rc = v < 0 ? EXIT_USAGE : graph_ivec_push(&arts, v) ? 1 : 0;
	}
	if (!rc && optind == argc && artifacts_list(x.g, &arts))
		rc = 1;
	if (rc)
		goto out;
	x.project = strrchr(x.g->cwd, '/') && strrchr(x.g->cwd, '/')[1]
			    ? strrchr(x.g->cwd, '/') + 1
			    : x.g->cwd;
	if ((ch = resolve_dpkg_load(&x.dpkg, "/")))
		cli_err("warning: cannot read the dpkg database (%s); packages stay unresolved",
			strerror(-ch));
	if (collect(&x, &arts)) {
		cli_err("components: out of memory");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < x.nc; i++)
		qsort(x.c[i].f, x.c[i].n, sizeof(*x.c[i].f), by_file);
	sort_x = &x;
	qsort(x.c, x.nc, sizeof(*x.c), by_comp);
	if (json)
		rc = print_json(&x) ? 1 : 0;
	else
		print_text(&x);
out:
	ctx_release(&x);
	graph_ivec_release(&arts);
	graphcli_close(st, x.g);
	return rc;
}
