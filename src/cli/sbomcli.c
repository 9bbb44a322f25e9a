/* sbomcli.c - the outputs of `asbuilt sbom`: one format for one set of artifacts, and one
 * per binary package (see sbomcli.h). */
#include "sbomcli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/graph.h"
#include "asbuilt/omnibor.h"
#include "asbuilt/pkgsplit.h"
#include "asbuilt/sbom.h"
#include "asbuilt/slsa.h"
#include "asbuilt/store.h"
#include "cli.h"

const struct sbomcli_format sbomcli_formats[] = {
	{ "spdx", "SPDX 2.3 JSON", ".spdx.json", SBOMCLI_DOC, sbom_write_spdx2 },
	{ "spdx3", "SPDX 3.0.1 JSON-LD", ".spdx3.json", SBOMCLI_DOC, sbom_write_spdx3 },
	{ "cyclonedx", "CycloneDX 1.6 JSON", ".cdx.json", SBOMCLI_DOC, sbom_write_cyclonedx },
	{ "omnibor", "OmniBOR input manifests, a directory", ".omnibor", SBOMCLI_OMNIBOR, NULL },
	{ "slsa", "SLSA provenance v1 in an in-toto Statement v1", ".intoto.json", SBOMCLI_SLSA,
	  NULL },
};

const size_t sbomcli_nformats = sizeof(sbomcli_formats) / sizeof(sbomcli_formats[0]);

/* What one file output is made of: the document (DOC) or the run (SLSA). */
struct payload {
	struct sbomcli *c;
	const struct graph_ivec *arts;
	const struct sbom_doc *d;
};

static int write_payload(const struct payload *p, FILE *f)
{
	if (p->c->fmt->kind == SBOMCLI_DOC)
		return p->c->fmt->write(p->d, f);
	return slsa_write(p->c->st, p->c->g, p->arts, p->c->key, f);
}

static void say_write_error(struct sbomcli *c, const char *path, int rc)
{
	if (rc == -EIO && *store_errmsg(c->st) && c->fmt->kind == SBOMCLI_SLSA)
		cli_err("cannot write '%s' (or read the database: %s)", path ? path : "-",
			store_errmsg(c->st));
	else
		cli_err("cannot write %s%s%s: %s", path ? "'" : "the output to standard output",
			path ? path : "", path ? "'" : "", strerror(-rc));
}

static int write_cb(void *ctx, FILE *f)
{
	return write_payload(ctx, f);
}

/* Writes p to path ("-" or NULL: stdout), never partially (cli_write_out).  Returns 0 or 1
 * (message printed). */
static int write_file(const struct payload *p, const char *path)
{
	int rc = cli_write_out(path, write_cb, (void *)p);

	if (rc)
		say_write_error(p->c, path && strcmp(path, "-") ? path : NULL, rc);
	return rc ? 1 : 0;
}

static int emit_doc(struct sbomcli *c, const struct graph_ivec *arts, const char *out)
{
	struct sbom_doc *d = NULL;
	int rc = build_doc_make(c->st, c->g, arts, &c->o, &d);

	if (rc == -EINVAL) {
		cli_err("SOURCE_DATE_EPOCH='%s' is not a number of seconds",
			getenv("SOURCE_DATE_EPOCH") ? getenv("SOURCE_DATE_EPOCH") : "");
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err("cannot make the SBOM of build %lld: %s", (long long)c->g->build_id,
			rc == -EIO ? store_errmsg(c->st) : strerror(-rc));
		return 1;
	}
	rc = write_file(&(struct payload){ c, arts, d }, out);
	sbom_doc_free(d);
	return rc;
}

static int emit_omnibor(struct sbomcli *c, const struct graph_ivec *arts, const char *dir,
			FILE *report)
{
	const char *env = getenv("OMNIBOR_DIR");
	char err[1024];
	int rc;

	if (!dir || !*dir)
		dir = env && *env ? env : ".omnibor";
	rc = omnibor_write(c->st, c->g, arts, dir, c->omnibor_flags, report, err, sizeof(err));
	if (rc)
		cli_err("omnibor: %s", *err	    ? err
				       : rc == -EIO ? store_errmsg(c->st)
						    : strerror(-rc));
	return rc ? 1 : 0;
}

int sbomcli_emit(struct sbomcli *c, const struct graph_ivec *arts, const char *out, FILE *report)
{
	switch (c->fmt->kind) {
	case SBOMCLI_DOC:
		return emit_doc(c, arts, out);
	case SBOMCLI_OMNIBOR:
		return emit_omnibor(c, arts, out, report);
	case SBOMCLI_SLSA:
		return write_file(&(struct payload){ c, arts, NULL }, out);
	}
	return 1;
}

/* --- --per-package ------------------------------------------------------------------------ */

static int one_package(struct sbomcli *c, const struct pkgsplit_pkg *p, const char *dir)
{
	struct sbom_product id = { .purl = p->purl,
				   .cpe = p->cpe,
				   .license_declared = p->license,
				   .supplier = p->supplier,
				   .homepage = p->homepage,
				   .comment = p->comment };
	char *out = NULL;
	int rc;

	if (p->nunhashed || p->nunrecorded)
		cli_err("warning: package %s: %zu of its files have no hash in the record (changed "
			"or gone before they could be hashed) and are not listed",
			p->name, p->nunhashed + p->nunrecorded);
	if (!p->files.n) {
		cli_err("warning: package %s: the record holds none of its files; nothing written",
			p->name);
		return 0;
	}
	if (asprintf(&out, "%s/%s%s", dir, p->name, c->fmt->ext) < 0)
		return 1;
	c->o.name = p->name;
	c->o.version = p->version;
	c->o.product = &id;
	rc = sbomcli_emit(c, &p->files, out, NULL);
	c->o.product = NULL;
	if (!rc)
		printf("%s %s %s  %zu files  %s\n", p->name, p->version, p->arch ? p->arch : "-",
		       p->files.n, out);
	free(out);
	return rc;
}

int sbomcli_per_package(struct sbomcli *c, const char *dir)
{
	struct pkgsplit ps;
	char err[1024];
	int rc;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		cli_err("cannot create the directory '%s': %s", dir, strerror(errno));
		return 1;
	}
	rc = pkgsplit_find(c->g, NULL, &ps, err, sizeof(err));
	if (rc) {
		cli_err("--per-package: %s", err);
		return rc == -ENOMEM ? 1 : EXIT_USAGE;
	}
	for (size_t i = 0; i < ps.n && !rc; i++)
		rc = one_package(c, &ps.p[i], dir);
	pkgsplit_release(&ps);
	return rc;
}
