/* spdx2.c - the SBOM as SPDX 2.3 JSON (docs/sbom-mapping.md says what goes where). */
#include "internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define NOASSERTION "NOASSERTION"

struct w2 {
	const struct sbom_view *v;
	char id[256];
};

/* "SPDXRef-<key>" in w->id (overwritten by the next call). */
static const char *sid(struct w2 *w, enum sbom_node k, int i)
{
	if (k == SBOM_NODE_DOCUMENT)
		return "SPDXRef-DOCUMENT";
	snprintf(w->id, sizeof(w->id), "SPDXRef-%s", sbom_view_key(w->v, k, i));
	return w->id;
}

static const char *or_noassert(const char *s)
{
	return s && *s ? s : NOASSERTION;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The files the package (PRODUCT, or COMPONENT ci) contains, as sorted model indexes in a
 * new array (*n of them; NULL when none). */
static int *contained(const struct sbom_view *v, enum sbom_node k, int ci, size_t *n)
{
	int *r = NULL;

	*n = 0;
	for (size_t i = 0; i < v->n_rels; i++) {
		const struct sbom_rel *x = &v->rels[i];
		if (x->type != SBOM_REL_CONTAINS || x->from_kind != k ||
		    x->to_kind != SBOM_NODE_FILE || (k == SBOM_NODE_COMPONENT && x->from != ci))
			continue;
		int *p = realloc(r, (*n + 1) * sizeof(*r));
		if (!p) {
			free(r);
			*n = 0;
			return NULL;
		}
		r = p;
		r[(*n)++] = x->to;
	}
	return r;
}

/* Package verification code (SPDX 2.3 clause 7.9): SHA1 over the sorted, concatenated SHA1s
 * of the package's files; files without a SHA1 are listed as excluded. */
static void verification_code(cJSON *pkg, const struct sbom_doc *d, const int *files, size_t n)
{
	const char **sums = calloc(n + 1, sizeof(*sums));
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	cJSON *code = sbom_jobj(pkg, "packageVerificationCode"), *ex = NULL;
	size_t m = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!sums || !c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL)) {
		sbom_jobj(NULL, "oom"); /* sets the failure flag */
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sbom_file *f = &d->files[files[i]];
		if (f->sha1) {
			sums[m++] = f->sha1;
			continue;
		}
		if (!ex)
			ex = sbom_jarr(code, "packageVerificationCodeExcludedFiles");
		snprintf(hex, sizeof(hex), ".%s", f->path);
		sbom_jpush_str(ex, hex);
	}
	qsort(sums, m, sizeof(*sums), cmp_cstr);
	for (size_t i = 0; i < m; i++)
		EVP_DigestUpdate(c, sums[i], strlen(sums[i]));
	EVP_DigestFinal_ex(c, md, NULL);
	for (unsigned i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	sbom_jstr(code, "packageVerificationCodeValue", hex);
out:
	EVP_MD_CTX_free(c);
	free(sums);
}

static void ext_ref(cJSON *refs, const char *cat, const char *type, const char *loc)
{
	cJSON *r = sbom_jpush_obj(refs);

	sbom_jstr(r, "referenceCategory", cat);
	sbom_jstr(r, "referenceType", type);
	sbom_jstr(r, "referenceLocator", loc);
}

/* OmniBOR gitoids of the package's files as PERSISTENT-ID gitoid references. */
static void gitoid_refs(cJSON *refs, const struct sbom_doc *d, const int *files, size_t n)
{
	char buf[128];

	for (size_t i = 0; i < n; i++) {
		const struct sbom_file *f = &d->files[files[i]];
		if (f->gitoid_sha1) {
			snprintf(buf, sizeof(buf), "gitoid:blob:sha1:%s", f->gitoid_sha1);
			ext_ref(refs, "PERSISTENT-ID", "gitoid", buf);
		}
		if (f->gitoid_sha256) {
			snprintf(buf, sizeof(buf), "gitoid:blob:sha256:%s", f->gitoid_sha256);
			ext_ref(refs, "PERSISTENT-ID", "gitoid", buf);
		}
	}
}

/* filesAnalyzed, the verification code and gitoid references of a package; returns the
 * number of files it contains. */
static size_t package_files(struct w2 *w, cJSON *pkg, cJSON *refs, enum sbom_node k, int ci)
{
	size_t n;
	int *files = contained(w->v, k, ci, &n);

	sbom_jbool(pkg, "filesAnalyzed", n > 0);
	if (n) {
		verification_code(pkg, w->v->d, files, n);
		gitoid_refs(refs, w->v->d, files, n);
	}
	free(files);
	return n;
}

/* purl and CPE of a package as externalRefs. */
static void ident_refs(cJSON *refs, const char *purl, const char *cpe)
{
	if (purl && *purl)
		ext_ref(refs, "PACKAGE-MANAGER", "purl", purl);
	if (cpe && *cpe)
		ext_ref(refs, "SECURITY", strncmp(cpe, "cpe:2.3:", 8) ? "cpe22Type" : "cpe23Type",
			cpe);
}

static void supplier(cJSON *p, const char *name)
{
	char buf[512];

	if (!name || !*name) {
		sbom_jstr(p, "supplier", NOASSERTION);
		return;
	}
	snprintf(buf, sizeof(buf), "Organization: %s", name);
	sbom_jstr(p, "supplier", buf);
}

static void product(struct w2 *w, cJSON *pkgs)
{
	const struct sbom_doc *d = w->v->d;
	const struct sbom_product *id = &d->product;
	cJSON *p = sbom_jpush_obj(pkgs), *refs = cJSON_CreateArray();

	sbom_jstr(p, "SPDXID", sid(w, SBOM_NODE_PRODUCT, 0));
	sbom_jstr(p, "name", d->name);
	sbom_jstr(p, "versionInfo", d->version);
	if (id->supplier)
		supplier(p, id->supplier);
	sbom_jstr(p, "downloadLocation", or_noassert(id->download_location));
	if (id->homepage && *id->homepage)
		sbom_jstr(p, "homepage", id->homepage);
	package_files(w, p, refs, SBOM_NODE_PRODUCT, 0);
	sbom_jstr(p, "licenseConcluded", NOASSERTION);
	sbom_jstr(p, "licenseDeclared", or_noassert(id->license_declared));
	sbom_jstr(p, "copyrightText", NOASSERTION);
	sbom_jstr(p, "builtDate", w->v->created);
	sbom_jstr(p, "comment",
		  id->comment ? id->comment
			      : "The product of the recorded build: it contains the "
				"build's artifacts; the verification code covers those "
				"files.");
	ident_refs(refs, id->purl, id->cpe);
	if (cJSON_GetArraySize(refs))
		cJSON_AddItemToObject(p, "externalRefs", refs);
	else
		cJSON_Delete(refs);
}

static void component(struct w2 *w, cJSON *pkgs, int ci)
{
	const struct sbom_component *c = &w->v->d->comps[ci];
	cJSON *p = sbom_jpush_obj(pkgs), *refs = cJSON_CreateArray();
	char buf[512];
	size_t nfiles;

	sbom_jstr(p, "SPDXID", sid(w, SBOM_NODE_COMPONENT, ci));
	sbom_jstr(p, "name", c->name);
	sbom_jstr(p, "versionInfo", c->version);
	supplier(p, c->supplier);
	sbom_jstr(p, "downloadLocation", or_noassert(c->download_location));
	if (c->homepage && *c->homepage)
		sbom_jstr(p, "homepage", c->homepage);
	nfiles = package_files(w, p, refs, SBOM_NODE_COMPONENT, ci);
	sbom_jstr(p, "licenseConcluded", or_noassert(c->license_concluded));
	sbom_jstr(p, "licenseDeclared", or_noassert(c->license_declared));
	sbom_jstr(p, "copyrightText", NOASSERTION);
	snprintf(buf, sizeof(buf), "%s component%s%s%s", sbom_kind_name(c->kind),
		 c->identified_by ? "; identified by: " : "",
		 c->identified_by ? c->identified_by : "",
		 nfiles ? "; the verification code covers only the files listed "
			  "in this document"
			: "");
	sbom_jstr(p, "comment", buf);
	ident_refs(refs, c->purl, c->cpe);
	if (cJSON_GetArraySize(refs))
		cJSON_AddItemToObject(p, "externalRefs", refs);
	else
		cJSON_Delete(refs);
}

static const char *file_type(enum sbom_file_role r)
{
	switch (r) {
	case SBOM_ROLE_SOURCE:
	case SBOM_ROLE_HEADER:
		return "SOURCE";
	case SBOM_ROLE_ARCHIVE:
		return "ARCHIVE";
	case SBOM_ROLE_OBJECT:
	case SBOM_ROLE_EXECUTABLE:
	case SBOM_ROLE_SHARED_LIBRARY:
		return "BINARY";
	case SBOM_ROLE_OTHER:
		break;
	}
	return "OTHER";
}

/* License identifiers of the expressions found in a file (operators and exceptions left
 * out), for licenseInfoInFiles. */
static void license_ids(cJSON *f, const struct sbom_file *sf)
{
	cJSON *arr = NULL;

	for (size_t i = 0; i < sf->n_licenses; i++) {
		char *copy = strdup(sf->licenses[i]), *save = NULL, *tok;
		int skip = 0;
		for (tok = copy ? strtok_r(copy, " ()\t", &save) : NULL; tok;
		     tok = strtok_r(NULL, " ()\t", &save)) {
			if (skip || !strcmp(tok, "AND") || !strcmp(tok, "OR") ||
			    !strcmp(tok, "WITH")) {
				skip = !skip && !strcmp(tok, "WITH");
				continue;
			}
			if (!arr)
				arr = sbom_jarr(f, "licenseInfoInFiles");
			sbom_jpush_str(arr, tok);
		}
		free(copy);
	}
}

static void file(struct w2 *w, cJSON *files, int fi)
{
	const struct sbom_file *sf = &w->v->d->files[fi];
	cJSON *f = sbom_jpush_obj(files), *sums, *s, *types;
	char name[4096];

	sbom_jstr(f, "SPDXID", sid(w, SBOM_NODE_FILE, fi));
	snprintf(name, sizeof(name), ".%s", sf->path);
	sbom_jstr(f, "fileName", name);
	sums = sbom_jarr(f, "checksums");
	if (sf->sha1) {
		s = sbom_jpush_obj(sums);
		sbom_jstr(s, "algorithm", "SHA1");
		sbom_jstr(s, "checksumValue", sf->sha1);
	}
	s = sbom_jpush_obj(sums);
	sbom_jstr(s, "algorithm", "SHA256");
	sbom_jstr(s, "checksumValue", sf->sha256);
	types = sbom_jarr(f, "fileTypes");
	sbom_jpush_str(types, file_type(sf->role));
	sbom_jstr(f, "licenseConcluded", NOASSERTION);
	license_ids(f, sf);
	sbom_jstr(f, "copyrightText", NOASSERTION);
	snprintf(name, sizeof(name), "role: %s%s%s", sbom_role_name(sf->role),
		 sf->is_artifact ? "; build artifact" : "",
		 sf->sha1 ? "" : "; SHA1 not available (the file changed after it was recorded)");
	sbom_jstr(f, "comment", name);
}

static void relationships(struct w2 *w, cJSON *root)
{
	cJSON *rels = sbom_jarr(root, "relationships");

	for (size_t i = 0; i < w->v->n_rels; i++) {
		const struct sbom_rel *x = &w->v->rels[i];
		cJSON *r = sbom_jpush_obj(rels);
		sbom_jstr(r, "spdxElementId", sid(w, x->from_kind, x->from));
		sbom_jstr(r, "relationshipType", sbom_rel_name(x->type));
		sbom_jstr(r, "relatedSpdxElement", sid(w, x->to_kind, x->to));
	}
}

/* The document comment, plus one OTHER annotation per reason when incomplete. */
static void completeness(struct w2 *w, cJSON *root)
{
	const struct sbom_doc *d = w->v->d;
	char *text = sbom_incomplete_text(d);
	char buf[1024];
	cJSON *anns;

	if (sbom_doc_complete(d)) {
		sbom_jstr(root, "comment",
			  "As-built SBOM written by " SBOM_TOOL_ID
			  " from a build record that is complete.");
		free(text);
		return;
	}
	snprintf(buf, sizeof(buf),
		 "As-built SBOM written by " SBOM_TOOL_ID " from an INCOMPLETE build record: %s",
		 text ? text : "");
	sbom_jstr(root, "comment", buf);
	free(text);
	anns = sbom_jarr(root, "annotations");
	for (size_t i = 0; i < d->n_reasons; i++) {
		cJSON *a = sbom_jpush_obj(anns);
		snprintf(buf, sizeof(buf), "asbuilt:incomplete: %s%s%s", d->reasons[i].reason,
			 d->reasons[i].detail ? ": " : "",
			 d->reasons[i].detail ? d->reasons[i].detail : "");
		sbom_jstr(a, "annotationDate", w->v->created);
		sbom_jstr(a, "annotationType", "OTHER");
		sbom_jstr(a, "annotator", "Tool: " SBOM_TOOL_ID);
		sbom_jstr(a, "comment", buf);
	}
}

int sbom_write_spdx2(const struct sbom_doc *d, FILE *out)
{
	struct sbom_view v;
	struct w2 w = { .v = &v };
	cJSON *root, *ci, *pkgs, *files;
	char name[512];
	int r = sbom_view_init(&v, d, "spdx2");

	if (r)
		return r;
	root = cJSON_CreateObject();
	sbom_jstr(root, "spdxVersion", "SPDX-2.3");
	sbom_jstr(root, "dataLicense", "CC0-1.0");
	sbom_jstr(root, "SPDXID", "SPDXRef-DOCUMENT");
	snprintf(name, sizeof(name), "%s%s%s", d->name, d->version ? "-" : "",
		 d->version ? d->version : "");
	sbom_jstr(root, "name", name);
	sbom_jstr(root, "documentNamespace", v.ns);
	ci = sbom_jobj(root, "creationInfo");
	sbom_jstr(ci, "created", v.created);
	sbom_jpush_str(sbom_jarr(ci, "creators"), "Tool: " SBOM_TOOL_ID);
	completeness(&w, root);
	pkgs = sbom_jarr(root, "packages");
	product(&w, pkgs);
	for (size_t i = 0; i < d->n_comps; i++)
		component(&w, pkgs, (int)v.comp_order[i]);
	files = sbom_jarr(root, "files");
	for (size_t i = 0; i < d->n_files; i++)
		file(&w, files, (int)v.file_order[i]);
	relationships(&w, root);
	r = sbom_json_emit(root, out);
	sbom_view_release(&v);
	return r;
}
