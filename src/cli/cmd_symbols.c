/* cmd_symbols.c - asbuilt symbols: what a binary takes from each component, symbol by
 * symbol (docs/symbols-vex.md). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/components.h"
#include "asbuilt/graph.h"
#include "asbuilt/store.h"
#include "asbuilt/symbols.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt symbols [--db FILE.db] [--build N] [--component PURL]... [--json]\n"
		"                       ARTIFACT\n\n"
		"Shows, for one executable or shared library the build made, what it takes from\n"
		"each component, symbol by symbol:\n"
		"  - every shared library it needs (DT_NEEDED, resolved as the loader would at\n"
		"    build time) with the dynamic symbols it imports from it, and the libraries\n"
		"    those load in turn;\n"
		"  - for static links, the archive members the link pulled in, the symbols the "
		"link\n"
		"    referenced in each, and the functions each defines (read from the archive "
		"when\n"
		"    it still has the content the record hashed; 'static' marks static "
		"functions).\n"
		"Libraries and archives are grouped by the component they belong to (package, git\n"
		"work tree, the project), as 'asbuilt components' resolves them.\n\n"
		"  -d, --db FILE          database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N          build number (default: the newest)\n"
		"  -c, --component PURL   only the components this package URL names "
		"(repeatable);\n"
		"                         a pattern: what it leaves out (version, qualifiers) is\n"
		"                         not compared, so pkg:deb/debian/zlib1g-dev names every\n"
		"                         version and architecture of that package\n"
		"  -j, --json             one JSON object (fields in docs/symbols-vex.md)\n\n"
		"Example:\n"
		"  asbuilt record -- make\n"
		"  asbuilt symbols --component pkg:deb/debian/zlib1g-dev zstatic\n\n"
		"Exit status: 0 when shown; 1 when the record or a file could not be read;\n"
		"2 on a usage error or unusable input (no such database or build, an ARTIFACT\n"
		"that is not an output of the build or not an ELF executable or shared library,\n"
		"a --component that is not a package URL).\n");
}

/* --- text output ---------------------------------------------------------------------- */

/* Prints word after word, wrapped before column 100 with continuation lines indented like
 * the first word; *col is the current column. */
static void word(const char *w, const char *w2, int indent, int *col)
{
	int n = (int)(strlen(w) + strlen(w2));

	if (*col > indent && *col + 1 + n > 100) {
		printf("\n%*s", indent, "");
		*col = indent;
	}
	*col += printf(" %s%s", w, w2);
}

static void print_imports(const struct symbols_import *v, size_t n, const char *label)
{
	int col;

	if (!n)
		return;
	col = printf("    %s:", label);
	for (size_t i = 0; i < n; i++) {
		char ver[256] = "";

		if (v[i].version)
			snprintf(ver, sizeof(ver), "@%s", v[i].version);
		word(v[i].name, ver, 6, &col);
	}
	printf("\n");
}

static void print_library(const struct symbols_report *r, const struct symbols_library *l)
{
	printf("  library %s => %s", l->needed, l->path ? l->path : "(not found)");
	if (l->loader >= 0)
		printf("  (loaded by %s)", r->libs[l->loader].needed);
	printf("\n");
	print_imports(l->imports, l->n_imports, "imports");
	if (l->loader < 0 && !l->n_imports)
		printf("    imports: (none)\n");
}

static void print_member(const struct symbols_archive *a, const struct symbols_member *m)
{
	int col = printf("    %s  referenced:", m->name);

	for (size_t i = 0; i < m->referenced.n; i++)
		word(m->referenced.v[i], "", 8, &col);
	col = printf("\n      functions:");
	if (!a->read)
		printf(" (not read: the archive changed since the build)");
	for (size_t i = 0; a->read && i < m->n_funcs; i++)
		word(m->funcs[i].name, m->funcs[i].local ? " (static)" : "", 8, &col);
	printf("\n");
}

static void print_object(const struct symbols_object *o)
{
	int col;

	printf("  object %s%s\n", o->path, o->built ? "  (made by the build)" : "");
	col = printf("      functions:");
	if (!o->read)
		printf(" (not read: the object changed since the build)");
	for (size_t i = 0; o->read && i < o->m.n_funcs; i++)
		word(o->m.funcs[i].name, o->m.funcs[i].local ? " (static)" : "", 8, &col);
	printf("\n");
}

static void print_component(const struct symbols_report *r, int c)
{
	const struct symbols_component *k = c >= 0 ? &r->comps[c] : NULL;

	if (k)
		printf("%s%s%s%s%s%s%s\n", k->kind, k->name ? " " : "", k->name ? k->name : "",
		       k->version ? " " : "", k->version ? k->version : "", k->purl ? "  " : "",
		       k->purl ? k->purl : "");
	else
		printf("unresolved (no component)\n");
	for (size_t i = 0; i < r->n_libs; i++)
		if (r->libs[i].component == c)
			print_library(r, &r->libs[i]);
	for (size_t i = 0; i < r->n_archives; i++) {
		const struct symbols_archive *a = &r->archives[i];

		if (a->component != c)
			continue;
		printf("  archive %s%s\n", a->path, a->built ? "  (made by the build)" : "");
		for (size_t k2 = 0; k2 < a->n_members; k2++)
			print_member(a, &a->members[k2]);
	}
	for (size_t i = 0; i < r->n_objects; i++)
		if (r->objects[i].component == c)
			print_object(&r->objects[i]);
}

static int has_unattributed(const struct symbols_report *r)
{
	for (size_t i = 0; i < r->n_libs; i++)
		if (r->libs[i].component < 0)
			return 1;
	for (size_t i = 0; i < r->n_archives; i++)
		if (r->archives[i].component < 0)
			return 1;
	for (size_t i = 0; i < r->n_objects; i++)
		if (r->objects[i].component < 0)
			return 1;
	return 0;
}

static void print_text(const struct symbols_report *r, const char *mask, int all)
{
	printf("%s  (%s%s, sha256 %s)\n", r->path, r->type, r->is_static ? ", static" : "",
	       r->sha256 ? r->sha256 : "unknown");
	for (size_t c = 0; c < r->n_comps; c++)
		if (mask[c])
			print_component(r, (int)c);
	if (all && has_unattributed(r))
		print_component(r, -1);
	if (all && r->n_unresolved) {
		printf("imports no needed library provides:\n");
		print_imports(r->unresolved, r->n_unresolved, "imports");
	}
}

static int print_json(const struct symbols_report *r, const char *mask, int all)
{
	cJSON *o = symbols_report_json(r, mask, all);
	char *text = o ? cJSON_Print(o) : NULL;

	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
	return text ? 0 : 1;
}

/* --- the command ---------------------------------------------------------------------- */

struct opts {
	const char *db;
	int64_t build;
	int json;
	struct symbols_purl *pats;
	size_t npats;
};

static int add_pattern(struct opts *o, const char *arg)
{
	struct symbols_purl *p = realloc(o->pats, (o->npats + 1) * sizeof(*p));
	int rc;

	if (!p)
		return 1;
	o->pats = p;
	rc = symbols_purl_parse(arg, &o->pats[o->npats]);
	if (rc == -EINVAL) {
		cli_err("--component: '%s' is not a package URL (pkg:TYPE/NAMESPACE/NAME"
			"[@VERSION][?QUALIFIERS], e.g. pkg:deb/debian/zlib1g)",
			arg);
		return EXIT_USAGE;
	}
	if (!rc)
		o->npats++;
	return rc ? 1 : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "component", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "d:b:c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->db = optarg;
			break;
		case 'b':
			if (graphcli_build_arg(optarg, &o->build))
				return EXIT_USAGE;
			break;
		case 'c':
			if ((rc = add_pattern(o, optarg)))
				return rc;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_err(optind == argc ? "symbols: name one ARTIFACT (a binary the build made)"
				       : "symbols: name only one ARTIFACT");
		return EXIT_USAGE;
	}
	return 0;
}

/* The report of arg; prints why not and returns the exit status. */
static int make_report(struct store *st, struct graph *g, const char *arg,
		       struct symbols_report **r)
{
	struct components_opts co = { .cache = st, .cache_build = g->build_id };
	int vi = graphcli_output(g, arg), rc;

	if (vi < 0)
		return EXIT_USAGE;
	rc = symbols_report_make(st, g, vi, &co, r);
	if (rc == -ENOEXEC) {
		cli_err("'%s' is not an ELF executable or shared library (the record holds no ELF "
			"facts of it as one)",
			arg);
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err("cannot read the symbols of '%s': %s", arg,
			rc == -EIO ? store_errmsg(st) : strerror(-rc));
		return 1;
	}
	for (size_t i = 0; i < (*r)->warnings.n; i++)
		cli_err("warning: %s", (*r)->warnings.v[i]);
	return 0;
}

int cmd_symbols(int argc, char **argv)
{
	struct opts o = { .db = cli_default_db() };
	struct symbols_report *r = NULL;
	struct graph *g = NULL;
	struct store *st = NULL;
	char *mask = NULL;
	int rc = parse(argc, argv, &o);

	if (rc)
		goto out;
	if ((rc = graphcli_open(o.db, o.build, &st, &g)))
		goto out;
	if ((rc = make_report(st, g, argv[optind], &r)))
		goto out;
	if (!(mask = calloc(r->n_comps + 1, 1))) {
		rc = 1;
		goto out;
	}
	if (!symbols_report_select(r, o.pats, o.npats, mask) && o.npats)
		cli_err("note: no library or archive of '%s' belongs to the component%s named",
			argv[optind], o.npats > 1 ? "s" : "");
	if (o.json)
		rc = print_json(r, mask, !o.npats);
	else
		print_text(r, mask, !o.npats);
out:
	free(mask);
	symbols_report_free(r);
	graphcli_close(st, g);
	for (size_t i = 0; i < o.npats; i++)
		symbols_purl_release(&o.pats[i]);
	free(o.pats);
	return rc < 0 ? 0 : rc;
}
