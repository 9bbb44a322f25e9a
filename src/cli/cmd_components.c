/* cmd_components.c - asbuilt components: the packages and sources in the artifacts. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/artifacts.h"
#include "asbuilt/components.h"
#include "asbuilt/graph.h"
#include "cli.h"
#include "graphcli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: asbuilt components [--db FILE.db] [--build N] [--json] [--refresh]\n"
		"                         [ARTIFACT...]\n\n"
		"Lists the components that went into the artifacts (all final outputs when\n"
		"none are named): every file they were made from and every library they\n"
		"load at run time (DT_NEEDED), grouped by what it came from: a package\n"
		"(deb, rpm, apk), something the build fetched (generic download, git clone,\n"
		"npm, pypi, cargo, golang), a git work tree (git), the project's own source\n"
		"tree (project), or unresolved (flagged 'prebuilt binary' for ELF/ar files).\n"
		"Files declaring an SPDX-License-Identifier show it.  What a file resolved to\n"
		"is cached in the database (when it can be written) and reused by later runs.\n\n"
		"  -d, --db FILE   database (default: $ASBUILT_DB or ./asbuilt.db)\n"
		"  -b, --build N   build number (default: the newest)\n"
		"  -j, --json      a JSON array of components\n"
		"  -r, --refresh   resolve every file again (package databases and work trees\n"
		"                  as they are now) and replace the build's cached answers\n\n"
		"Example:  asbuilt components ./hello\n"
		"          asbuilt components --json --refresh > components.json\n\n"
		"Exit status: 0 listed; 1 the components could not be resolved (out of memory,\n"
		"an unreadable cache); 2 usage, an unusable database or build (missing, not an\n"
		"asbuilt database, no such build, a record that was interrupted), or an\n"
		"ARTIFACT the build did not write.\n");
}

static int has_package_fields(const struct component *c)
{
	return c->kind != COMPONENT_PROJECT && c->kind != COMPONENT_UNRESOLVED;
}

static void print_list(const char *label, const char *const *v, size_t n, const char *sep)
{
	if (!n)
		return;
	printf("  %s: ", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? sep : "", v[i]);
	printf("\n");
}

static void print_one(const struct component *c)
{
	printf("%s", components_kind_name(c->kind));
	if (c->name)
		printf(" %s", c->name);
	if (c->version)
		printf(" %s", c->version);
	printf("\n");
	if (has_package_fields(c)) {
		printf("  purl: %s\n", c->purl ? c->purl : "");
		if (c->cpe || c->kind == COMPONENT_DEB)
			printf("  cpe: %s\n", c->cpe ? c->cpe : "");
		printf("  license: %s\n", c->license ? c->license : "NOASSERTION");
	}
	print_list("licenses in files", c->licenses_found, c->n_licenses_found, "; ");
	if (c->remote_url)
		printf("  remote: %s\n", c->remote_url);
	if (c->kind == COMPONENT_GIT)
		printf("  commit: %s%s\n", c->commit ? c->commit : "(none)",
		       c->dirty == 1 ? " (dirty)" : c->dirty < 0 ? " (state unknown)" : "");
	if (c->superproject)
		printf("  submodule of: %s\n", c->superproject);
	if (c->download_location && c->kind != COMPONENT_GIT)
		printf("  download: %s\n", c->download_location);
	if (c->kind != COMPONENT_UNRESOLVED && c->identified_by)
		printf("  identified by: %s\n", c->identified_by);
	print_list("evidence", c->evidence, c->n_evidence, ", ");
	printf("  files:\n");
	for (size_t k = 0; k < c->n_files; k++) {
		const struct component_file *f = &c->files[k];

		printf("    %s  %s%s%s", f->sha256 ? f->sha256 : "-", f->path,
		       f->prebuilt ? "  (prebuilt binary)" : "",
		       f->runtime ? "  (runtime: DT_NEEDED)" : "");
		if (f->license)
			printf("  (SPDX-License-Identifier: %s)", f->license);
		printf("\n");
	}
}

static void str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *str_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *json_one(const struct component *c)
{
	cJSON *o = cJSON_CreateObject(), *files = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "kind", components_kind_name(c->kind));
	str_or_null(o, "name", c->name);
	str_or_null(o, "version", c->version);
	str_or_null(o, "purl", c->purl);
	str_or_null(o, "cpe", c->cpe);
	str_or_null(o, "license", c->license);
	cJSON_AddItemToObject(o, "licenses_found", str_array(c->licenses_found, c->n_licenses_found));
	cJSON_AddItemToObject(o, "license_concluded",
			      c->license ? str_array(&c->license, 1)
					 : str_array(c->licenses_found, c->n_licenses_found));
	str_or_null(o, "download_location", c->download_location);
	str_or_null(o, "homepage", c->homepage);
	str_or_null(o, "supplier", c->supplier);
	if (c->kind == COMPONENT_GIT) {
		str_or_null(o, "remote_url", c->remote_url);
		str_or_null(o, "commit", c->commit);
		if (c->dirty < 0)
			cJSON_AddNullToObject(o, "dirty");
		else
			cJSON_AddBoolToObject(o, "dirty", c->dirty);
		str_or_null(o, "superproject", c->superproject);
	}
	str_or_null(o, "identified_by", c->kind != COMPONENT_UNRESOLVED ? c->identified_by : NULL);
	cJSON_AddItemToObject(o, "evidence", str_array(c->evidence, c->n_evidence));
	for (size_t k = 0; k < c->n_files; k++) {
		const struct component_file *f = &c->files[k];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "path", f->path);
		str_or_null(j, "sha256", f->sha256);
		str_or_null(j, "identified_by", f->identified_by);
		str_or_null(j, "license", f->license);
		cJSON_AddBoolToObject(j, "prebuilt_binary", f->prebuilt);
		cJSON_AddBoolToObject(j, "runtime", f->runtime);
		cJSON_AddBoolToObject(j, "fetched", f->fetched);
		cJSON_AddItemToArray(files, j);
	}
	cJSON_AddItemToObject(o, "files", files);
	return o;
}

static int print_json(const struct component_set *s)
{
	cJSON *arr = cJSON_CreateArray();
	char *text;

	for (size_t i = 0; arr && i < components_count(s); i++)
		cJSON_AddItemToArray(arr, json_one(components_get(s, i)));
	text = arr ? cJSON_Print(arr) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(arr);
	return text ? 0 : -1;
}

int cmd_components(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "build", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "refresh", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = cli_default_db();
	struct graph_ivec arts = { 0 };
	struct component_set *set = NULL;
	struct components_opts o = { 0 };
	struct graph *g = NULL;
	struct store *st;
	int64_t build = 0;
	int ch, json = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "d:b:jrh", longopts, NULL)) != -1) {
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
		case 'r':
			o.refresh = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (graphcli_open(db, build, &st, &g))
		return EXIT_USAGE;
	for (int i = optind; i < argc && !rc; i++) {
		int v = graphcli_output(g, argv[i]);
		rc = v < 0 ? EXIT_USAGE : graph_ivec_push(&arts, v) ? 1 : 0;
	}
	if (!rc && optind == argc && artifacts_list(g, &arts))
		rc = 1;
	if (rc)
		goto out;
	o.cache = st;
	o.cache_build = g->build_id;
	if ((ch = components_resolve(g, &arts, &o, &set))) {
		cli_err("components: %s", strerror(-ch));
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < components_nwarnings(set); i++)
		cli_err("warning: %s", components_warning(set, i));
	if (json)
		rc = print_json(set) ? 1 : 0;
	else
		for (size_t i = 0; i < components_count(set); i++)
			print_one(components_get(set, i));
out:
	components_free(set);
	graph_ivec_release(&arts);
	graphcli_close(st, g);
	return rc;
}
