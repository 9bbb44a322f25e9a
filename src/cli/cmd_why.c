/* cmd_why.c - asbuilt why: the chain from an artifact down to a file or a package. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/steps.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt why [--db FILE.db] [--build N] PATH-OR-PURL [ARTIFACT]\n\n"
		"Prints, for each final output (or only ARTIFACT), the shortest chain of\n"
		"steps through which the file PATH - or any file of the package with that\n"
		"purl (pkg:deb/debian/NAME[@VERSION[?...]]) - went into it: one line per\n"
		"link, '  <- INPUT  [KIND: COMMAND]' where COMMAND made the line above.\n\n"
		"  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N   build number (default: the newest)\n\n"
		"Example:  asbuilt why /usr/include/stdio.h ./hello\n"
		"          asbuilt why pkg:deb/debian/libc6-dev\n\n"
		"Exit status: 0 a chain was found; 1 the file or package went into none of the\n"
		"artifacts (or the dpkg database cannot be read); 2 usage, an unusable database\n"
		"or build (missing, not an asbuilt database, no such build, a record that was\n"
		"interrupted), or an ARTIFACT the build did not write.\n");
}

struct target {
	const char *path, *purl;
	struct resolve_dpkg *dpkg;
	char *hit; /* per version: 0 unknown, 1 no, 2 yes */
};

static int purl_match(const char *want, const char *have)
{
	size_t n = strlen(want);

	return !strncmp(want, have, n) && (have[n] == 0 || have[n] == '?' || have[n] == '@');
}

static int is_target(const struct graph *g, struct target *t, int vi)
{
	const struct dpkg_pkg *pkg;

	if (t->path)
		return !strcmp(g->v[vi].path, t->path);
	if (!t->hit[vi]) {
		pkg = (g->v[vi].flags & GRAPH_V_WRITTEN) ? NULL
							: resolve_dpkg_lookup(t->dpkg, g->v[vi].path);
		t->hit[vi] = pkg && pkg->purl && purl_match(t->purl, pkg->purl) ? 2 : 1;
	}
	return t->hit[vi] == 2;
}

static void print_link(const struct graph *g, int upper, int lower, int as_tool)
{
	int s = g->v[upper].step;
	char *cmd = graph_step_cmdline(g, s);

	printf("  <- %s  [%s%s: %s]\n", g->v[lower].path,
	       s >= 0 ? steps_kind_name(g->s[s].kind) : "?", as_tool ? ", run as tool" : "",
	       cmd ? cmd : "?");
	free(cmd);
}

/* Breadth-first from artifact a; prints the shortest chain to a target.  1 when found. */
static int chain(const struct graph *g, struct target *t, int a)
{
	int *from = malloc(g->nv * sizeof(int)), found = -1;
	char *tool = calloc(g->nv, 1);
	struct graph_ivec q = { 0 }, path = { 0 };

	if (!from || !tool)
		goto out;
	for (size_t i = 0; i < g->nv; i++)
		from[i] = -2;
	from[a] = -1;
	graph_ivec_push(&q, a);
	for (size_t h = 0; h < q.n && found < 0; h++) {
		const struct graph_version *v = &g->v[q.v[h]];
		const struct graph_ivec *bt = v->step >= 0 ? &g->s[v->step].btools : NULL;
		size_t nin = v->in.n, nb = bt ? bt->n : 0;

		for (size_t k = 0; k < nin + nb && found < 0; k++) {
			int y = k < nin ? v->in.v[k] : bt->v[k - nin];

			if (from[y] != -2 || (g->v[y].flags & GRAPH_V_PROBE))
				continue;
			from[y] = q.v[h];
			tool[y] = k >= nin;
			if (is_target(g, t, y))
				found = y;
			else if (graph_ivec_push(&q, y))
				goto out;
		}
	}
	if (found < 0)
		goto out;
	for (int x = found; x >= 0; x = from[x])
		graph_ivec_push(&path, x);
	printf("%s\n", g->v[a].path);
	for (size_t k = path.n - 1; k > 0; k--)
		print_link(g, path.v[k], path.v[k - 1], tool[path.v[k - 1]]);
	if (t->purl) {
		const struct dpkg_pkg *p = resolve_dpkg_lookup(t->dpkg, g->v[found].path);
		printf("  = %s %s (%s)\n", p->name, p->version, p->purl);
	}
	printf("\n");
out:
	graph_ivec_release(&q);
	graph_ivec_release(&path);
	free(from);
	free(tool);
	return found >= 0;
}

static int run(struct graph *g, struct target *t, const char *artifact)
{
	struct graph_ivec arts = { 0 };
	int n = 0, rc = 0;

	if (artifact) {
		int v = graphcli_output(g, artifact);
		if (v < 0)
			return EXIT_USAGE;
		graph_ivec_push(&arts, v);
	} else if (artifacts_list(g, &arts)) {
		return 1;
	}
	for (size_t k = 0; k < arts.n; k++)
		n += chain(g, t, arts.v[k]);
	if (!n) {
		cli_err("'%s' did not go into %s of build %lld", t->path ? t->path : t->purl,
			artifact ? artifact : "any artifact", (long long)g->build_id);
		rc = 1;
	}
	graph_ivec_release(&arts);
	return rc;
}

int cmd_why(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct target t = { 0 };
	struct store *st;
	struct graph *g;
	int64_t build = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "d:b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &build))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc || argc - optind > 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	if (!strncmp(argv[optind], "pkg:", 4)) {
		t.purl = argv[optind];
		t.hit = calloc(g->nv + 1, 1);
		if ((rc = resolve_dpkg_load(&t.dpkg, "/"))) {
			cli_err("cannot read the dpkg database: %s", strerror(-rc));
			rc = 1;
			goto out;
		}
	} else {
		t.path = graphcli_realpath(argv[optind]);
	}
	rc = run(g, &t, optind + 1 < argc ? argv[optind + 1] : NULL);
out:
	if (t.path)
		free((char *)t.path);
	free(t.hit);
	resolve_dpkg_free(t.dpkg);
	graphcli_close(st, g);
	return rc;
}
