/* cmd_diff.c - asbuilt diff: compare two builds (two databases, or two SBOMs of the same
 * format): components, tools, inputs, steps, intermediate files, artifacts
 * (docs/verify-diff.md). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/build_doc.h"
#include "asbuilt/diff.h"
#include "asbuilt/graph.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt diff [--build-a N] [--build-b N] [--json] A B\n\n"
		"Compares two builds of the same project (a rebuild, another machine, another\n"
		"day): A and B are two asbuilt databases (the same file twice with --build-a and\n"
		"--build-b), or two SBOMs of the same format (SPDX 2.3, SPDX 3.0.1, CycloneDX\n"
		"1.6 JSON, as asbuilt sbom writes them).  Lists, one line each:\n"
		"  component     added, removed, or changed (version, or the hashes of its files)\n"
		"  tool          an executable or library a step ran with another content\n"
		"                (a compiler upgrade: /usr/lib/gcc/.../12/cc1 -> .../13/cc1)\n"
		"  input         a source, header, library ... with another content, added, "
		"removed\n"
		"  step          a tool invocation (keyed by the files it wrote) whose command\n"
		"                changed: the words added and removed (a new compiler flag)\n"
		"  intermediate  objects, archives, generated files that differ\n"
		"  artifact      final outputs that differ\n"
		"then a summary line.  Files of the project are matched by their path relative to\n"
		"the build's directory, so two checkouts in different directories compare; other\n"
		"files by their absolute path.  For a database, components are resolved as\n"
		"'asbuilt components' does (its cache is used, and filled).\n\n"
		"  -1, --build-a N   build number in A (default: the newest)\n"
		"  -2, --build-b N   build number in B (default: the newest)\n"
		"  -j, --json        one JSON object: identical, summary, differences[]\n\n"
		"Example:  asbuilt diff --build-a 1 --build-b 2 asbuilt.db asbuilt.db\n"
		"          asbuilt diff monday.cdx.json tuesday.cdx.json\n\n"
		"Exit status: 0 identical; 1 they differ; 2 unusable input (a missing or damaged\n"
		"database or SBOM, a database compared with an SBOM, SBOMs of two formats).\n");
}

/* One side as loaded. */
struct side {
	const char *path;
	int64_t build;
	int is_db;
	struct store *st;
	struct graph *g;
	struct sbom_doc *doc; /* made from the record (owned) */
	struct sbomread *sr;  /* read from the SBOM (owned) */
	struct diff_side *ds;
};

static void side_release(struct side *s)
{
	diff_side_free(s->ds);
	sbomread_free(s->sr);
	sbom_doc_free(s->doc);
	graphcli_close(s->st, s->g);
}

/* 1 when the file at path is an SQLite database, 0 when not; -errno. */
static int is_sqlite(const char *path)
{
	char head[16];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -errno;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return n == sizeof(head) && !memcmp(head, "SQLite format 3", 16);
}

static void warn_cb(void *ctx, const char *msg)
{
	cli_err("warning: %s: %s", (const char *)ctx, msg);
}

static int load_db(struct side *s)
{
	struct build_doc_opts o = { .include_sources = 1,
				    .warn = warn_cb,
				    .warn_ctx = (void *)s->path };
	struct graph_ivec arts = { 0 };
	int rc;

	if (graphcli_open(s->path, s->build, &s->st, &s->g))
		return EXIT_USAGE;
	o.components.cache = s->st;
	o.components.cache_build = s->g->build_id;
	if (artifacts_list(s->g, &arts)) {
		cli_err("diff: out of memory");
		return 1;
	}
	if (!arts.n) {
		cli_err("diff: build %lld of '%s' has no final artifacts to compare",
			(long long)s->g->build_id, s->path);
		graph_ivec_release(&arts);
		return EXIT_USAGE;
	}
	rc = build_doc_make(s->st, s->g, &arts, &o, &s->doc);
	graph_ivec_release(&arts);
	if (rc) {
		cli_err("diff: cannot read build %lld of '%s': %s", (long long)s->g->build_id,
			s->path, rc == -EIO ? store_errmsg(s->st) : strerror(-rc));
		return rc == -ENOMEM ? 1 : EXIT_USAGE;
	}
	rc = diff_side_new(s->doc, s->g->cwd, &s->ds);
	return rc ? (cli_err("diff: out of memory"), 1) : 0;
}

/* Sets s->is_db; EXIT_USAGE when the file cannot be opened. */
static int probe(struct side *s)
{
	int rc = is_sqlite(s->path);

	if (rc < 0) {
		cli_err("diff: cannot open '%s': %s", s->path, strerror(-rc));
		return EXIT_USAGE;
	}
	s->is_db = rc;
	return 0;
}

static int load(struct side *s)
{
	char err[1024];
	int rc;

	if (s->is_db)
		return load_db(s);
	if (s->build) {
		cli_err("diff: '%s' is not a database: --build-a/--build-b select builds of a "
			"database",
			s->path);
		return EXIT_USAGE;
	}
	if ((rc = sbomread_load(s->path, &s->sr, err, sizeof(err)))) {
		cli_err("diff: %s%s", err,
			rc == -EINVAL && !strstr(err, "truncated")
				? "; it is neither an asbuilt database nor a JSON SBOM"
				: "");
		return rc == -ENOMEM ? 1 : EXIT_USAGE;
	}
	rc = diff_side_new(s->sr->doc, NULL, &s->ds);
	return rc ? (cli_err("diff: out of memory"), 1) : 0;
}

/* Both sides databases, or neither (before loading anything). */
static int same_kind(const struct side *a, const struct side *b)
{
	if (a->is_db != b->is_db) {
		const struct side *db = a->is_db ? a : b, *sb = a->is_db ? b : a;
		cli_err("diff: '%s' is a database and '%s' is not: compare two databases or two "
			"SBOMs of the same format (asbuilt sbom writes one from a database)",
			db->path, sb->path);
		return EXIT_USAGE;
	}
	return 0;
}

/* Two SBOMs of one format. */
static int comparable(const struct side *a, const struct side *b)
{
	if (!a->is_db && a->sr->format != b->sr->format) {
		cli_err("diff: '%s' is %s but '%s' is %s: compare two SBOMs of the same format",
			a->path, sbomread_format_name(a->sr->format), b->path,
			sbomread_format_name(b->sr->format));
		return EXIT_USAGE;
	}
	return 0;
}

static void print_words(const char *label, char **w, size_t n)
{
	if (!n)
		return;
	printf("  %s", label);
	for (size_t i = 0; i < n; i++)
		printf(" %s", w[i]);
}

static void print_entry(const struct diff_entry *e)
{
	printf("%-8s %-13s %s", diff_change_name(e->change), diff_section_name(e->section), e->key);
	switch (e->section) {
	case DIFF_COMPONENT:
		if (e->change != DIFF_CHANGED)
			printf("  version %s", *(e->a ? e->a : e->b) ? (e->a ? e->a : e->b) : "-");
		else if (strstr(e->what, "version"))
			printf("  version %s -> %s", *e->a ? e->a : "-", *e->b ? e->b : "-");
		if (e->change == DIFF_CHANGED && strstr(e->what, "files"))
			printf("  files differ (files sha256 %.12s -> %.12s)",
			       e->a_more ? e->a_more : "-", e->b_more ? e->b_more : "-");
		break;
	case DIFF_STEP:
		printf("  (%s)", e->b_more ? e->b_more : e->a_more);
		print_words("added:", e->plus, e->nplus);
		print_words("removed:", e->minus, e->nminus);
		if (e->change != DIFF_CHANGED)
			printf("  %s", e->a ? e->a : e->b);
		else if (!e->nplus && !e->nminus && strstr(e->what, "command"))
			printf("  argument order: %s -> %s", e->a, e->b);
		break;
	default:
		if (e->change == DIFF_CHANGED)
			printf("  sha256 %s -> %s", e->a, e->b);
		else
			printf("  sha256 %s", e->a ? e->a : e->b);
		if (e->section == DIFF_TOOL && e->change == DIFF_CHANGED)
			printf("  (%s -> %s)", e->a_more, e->b_more);
		else if (e->section == DIFF_TOOL)
			printf("  (%s)", e->a_more ? e->a_more : e->b_more);
	}
	putchar('\n');
}

static void print_summary(const struct diff_result *r)
{
	size_t n[DIFF_CHANGED + 1] = { 0 };

	for (int s = 0; s < DIFF_NSECTIONS; s++)
		for (int c = 0; c <= DIFF_CHANGED; c++)
			n[c] += r->count[s][c];
	if (!r->n)
		printf("diff: identical");
	else
		printf("diff: %zu differences (%zu added, %zu removed, %zu changed):", r->n,
		       n[DIFF_ADDED], n[DIFF_REMOVED], n[DIFF_CHANGED]);
	for (int s = 0; r->n && s < DIFF_NSECTIONS; s++)
		printf("%s %s %zu", s ? "," : "", diff_section_name(s),
		       r->count[s][0] + r->count[s][1] + r->count[s][2]);
	printf("; the same:");
	for (int s = 0; s < DIFF_NSECTIONS; s++)
		printf("%s %s %zu", s ? "," : "", diff_section_name(s), r->same[s]);
	putchar('\n');
}

static int print(const struct diff_result *r, int json)
{
	if (json) {
		cJSON *root = diff_json(r);
		char *text = root ? cJSON_Print(root) : NULL;
		cJSON_Delete(root);
		if (!text)
			return 1;
		printf("%s\n", text);
		free(text);
	} else {
		for (size_t i = 0; i < r->n; i++)
			print_entry(&r->e[i]);
		print_summary(r);
	}
	return fflush(stdout) ? 1 : 0;
}

static int parse(int argc, char **argv, struct side *a, struct side *b, int *json)
{
	static const struct option longopts[] = {
		{ "build-a", required_argument, NULL, '1' },
		{ "build-b", required_argument, NULL, '2' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "1:2:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case '1':
		case '2':
			if (graphcli_build_arg(optarg, ch == '1' ? &a->build : &b->build))
				return EXIT_USAGE;
			break;
		case 'j':
			*json = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_err("diff: name two databases or two SBOMs to compare");
		usage(stderr);
		return EXIT_USAGE;
	}
	a->path = argv[optind];
	b->path = argv[optind + 1];
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct side a = { 0 }, b = { 0 };
	struct diff_result *r = NULL;
	int json = 0, rc = parse(argc, argv, &a, &b, &json);

	if (!rc)
		rc = probe(&a);
	if (!rc)
		rc = probe(&b);
	if (!rc)
		rc = same_kind(&a, &b);
	if (!rc)
		rc = load(&a);
	if (!rc)
		rc = load(&b);
	if (!rc)
		rc = comparable(&a, &b);
	if (!rc && diff_compare(a.ds, b.ds, &r)) {
		cli_err("diff: out of memory");
		rc = 1;
	}
	if (!rc && print(r, json)) {
		cli_err("diff: cannot write the differences");
		rc = 1;
	} else if (!rc) {
		rc = r->n ? 1 : 0;
	}
	diff_result_free(r);
	side_release(&b);
	side_release(&a);
	return rc < 0 ? 0 : rc;
}
