/* spdx3.c - the SBOM as SPDX 3.0.1 JSON-LD (Core, Software, SimpleLicensing and Build
 * profiles); docs/sbom-mapping.md says what goes where.  Build steps are in spdx3_build.c. */
#include "spdx3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *sbom3_iri(struct w3 *w, const char *key)
{
	snprintf(w->iri, sizeof(w->iri), "%s#%s", w->v->ns, key);
	return w->iri;
}

/* Writes node as the next member of @graph and deletes it. */
static void put(struct w3 *w, cJSON *node)
{
	int r;

	/* laid out as cJSON prints a whole document: a member of @graph is two levels deep */
	if (w->n_written++ && fputs(", ", w->out) == EOF) {
		cJSON_Delete(node);
		r = -EIO;
	} else {
		r = sbom_json_write(node, "\t\t", w->out);
	}
	if (r && !w->rc)
		w->rc = r;
}

/* A new node of @graph; the one made before is complete and is written now. */
static cJSON *node(struct w3 *w)
{
	if (w->pending)
		put(w, w->pending);
	w->pending = cJSON_CreateObject();
	if (!w->pending && !w->rc)
		w->rc = -ENOMEM;
	return w->pending;
}

/* Fills e as the element key and notes its IRI. */
static cJSON *element_of(struct w3 *w, cJSON *e, const char *type, const char *key)
{
	sbom_jstr(e, "type", type);
	sbom_jstr(e, "spdxId", sbom3_iri(w, key));
	sbom_jstr(e, "creationInfo", "_:creationinfo");
	sb_putn(&w->iris, w->iri, strlen(w->iri) + 1);
	return e;
}

cJSON *sbom3_element(struct w3 *w, const char *type, const char *key)
{
	return element_of(w, node(w), type, key);
}

cJSON *sbom3_rel(struct w3 *w, const char *from_key, const char *type, const char *const *to_keys,
		 size_t n, const char *scope)
{
	char key[64];
	cJSON *r, *to;

	if (!n || !to_keys)
		return NULL;
	snprintf(key, sizeof(key), "Relationship-%zu", ++w->n_rels);
	r = sbom3_element(w, scope ? "LifecycleScopedRelationship" : "Relationship", key);
	sbom_jstr(r, "from", sbom3_iri(w, from_key));
	sbom_jstr(r, "relationshipType", type);
	to = sbom_jarr(r, "to");
	for (size_t i = 0; i < n; i++)
		sbom_jpush_str(to, sbom3_iri(w, to_keys[i]));
	if (scope)
		sbom_jstr(r, "scope", scope);
	return r;
}

static bool is_url(const char *s)
{
	return s && strstr(s, "://") != NULL;
}

/* A simplelicensing_LicenseExpression element for expr (one per distinct expression) and
 * "from type license". */
static void license(struct w3 *w, const char *from_key, const char *type, const char *expr)
{
	char key[96], hex[17];
	const char *to[1] = { key };

	if (!expr || !*expr || !strcmp(expr, "NOASSERTION") || !strcmp(expr, "NONE"))
		return;
	sbom_short_hash(expr, hex, 16);
	snprintf(key, sizeof(key), "License-%s", hex);
	if (!cJSON_GetObjectItem(w->seen, key)) {
		cJSON *l = sbom3_element(w, "simplelicensing_LicenseExpression", key);
		sbom_jstr(l, "simplelicensing_licenseExpression", expr);
		sbom_jbool(w->seen, key, 1);
	}
	sbom3_rel(w, from_key, type, to, 1, NULL);
}

/* An Organization element per distinct supplier; returns its key in buf. */
static const char *organization(struct w3 *w, const char *name, char *buf, size_t len)
{
	char hex[13];

	sbom_short_hash(name, hex, 12);
	snprintf(buf, len, "Organization-%s", hex);
	if (!cJSON_GetObjectItem(w->seen, buf)) {
		cJSON *o = sbom3_element(w, "Organization", buf);
		sbom_jstr(o, "name", name);
		sbom_jbool(w->seen, buf, 1);
	}
	return buf;
}

static void cpe_identifier(cJSON *p, const char *cpe)
{
	cJSON *x;

	if (!cpe || !*cpe)
		return;
	x = sbom_jpush_obj(sbom_jarr(p, "externalIdentifier"));
	sbom_jstr(x, "type", "ExternalIdentifier");
	sbom_jstr(x, "externalIdentifierType", strncmp(cpe, "cpe:2.3:", 8) ? "cpe22" : "cpe23");
	sbom_jstr(x, "identifier", cpe);
}

static void component(struct w3 *w, int ci)
{
	const struct sbom_component *c = &w->v->d->comps[ci];
	const char *key = w->v->comp_key[ci];
	char org[64], text[1024];
	cJSON *p;

	if (c->supplier && *c->supplier)
		organization(w, c->supplier, org, sizeof(org));
	p = sbom3_element(w, "software_Package", key);
	sbom_jstr(p, "name", c->name);
	snprintf(text, sizeof(text), "%s component%s%s", sbom_kind_name(c->kind),
		 c->identified_by ? "; identified by: " : "",
		 c->identified_by ? c->identified_by : "");
	sbom_jstr(p, "comment", text);
	if (c->supplier && *c->supplier)
		sbom_jstr(p, "suppliedBy", sbom3_iri(w, org));
	sbom_jstr(p, "software_packageVersion", c->version);
	if (c->purl && *c->purl)
		sbom_jstr(p, "software_packageUrl", c->purl);
	if (is_url(c->download_location))
		sbom_jstr(p, "software_downloadLocation", c->download_location);
	if (is_url(c->homepage))
		sbom_jstr(p, "software_homePage", c->homepage);
	cpe_identifier(p, c->cpe);
	license(w, key, "hasDeclaredLicense", c->license_declared);
	license(w, key, "hasConcludedLicense", c->license_concluded);
}

static const char *purpose(enum sbom_file_role r)
{
	switch (r) {
	case SBOM_ROLE_SOURCE:
	case SBOM_ROLE_HEADER:
		return "source";
	case SBOM_ROLE_ARCHIVE:
		return "archive";
	case SBOM_ROLE_EXECUTABLE:
		return "executable";
	case SBOM_ROLE_SHARED_LIBRARY:
		return "library";
	case SBOM_ROLE_OBJECT:
	case SBOM_ROLE_OTHER:
		break;
	}
	return "other";
}

static void hash(cJSON *arr, const char *alg, const char *value)
{
	cJSON *h;

	if (!value)
		return;
	h = sbom_jpush_obj(arr);
	sbom_jstr(h, "type", "Hash");
	sbom_jstr(h, "algorithm", alg);
	sbom_jstr(h, "hashValue", value);
}

static void gitoid(cJSON *arr, const char *alg, const char *value)
{
	char buf[128];
	cJSON *g;

	if (!value)
		return;
	snprintf(buf, sizeof(buf), "gitoid:blob:%s:%s", alg, value);
	g = sbom_jpush_obj(arr);
	sbom_jstr(g, "type", "software_ContentIdentifier");
	sbom_jstr(g, "software_contentIdentifierType", "gitoid");
	sbom_jstr(g, "software_contentIdentifierValue", buf);
}

static void file(struct w3 *w, int fi)
{
	const struct sbom_file *f = &w->v->d->files[fi];
	const char *key = w->v->file_key[fi];
	char text[128];
	cJSON *e = sbom3_element(w, "software_File", key), *arr;

	sbom_jstr(e, "name", f->path);
	snprintf(text, sizeof(text), "role: %s%s", sbom_role_name(f->role),
		 f->is_artifact ? "; build artifact" : "");
	sbom_jstr(e, "comment", text);
	arr = sbom_jarr(e, "verifiedUsing");
	hash(arr, "sha256", f->sha256);
	hash(arr, "sha1", f->sha1);
	if (f->gitoid_sha1 || f->gitoid_sha256) {
		arr = sbom_jarr(e, "software_contentIdentifier");
		gitoid(arr, "sha1", f->gitoid_sha1);
		gitoid(arr, "sha256", f->gitoid_sha256);
	}
	sbom_jstr(e, "software_primaryPurpose", purpose(f->role));
	sbom_jstr(e, "software_fileKind", "file");
	for (size_t i = 0; i < f->n_licenses; i++)
		license(w, key, "hasDeclaredLicense", f->licenses[i]);
}

static void product(struct w3 *w)
{
	const struct sbom_product *id = &w->v->d->product;
	const char *key = w->v->product_key;
	char org[64];
	cJSON *p;

	if (id->supplier && *id->supplier)
		organization(w, id->supplier, org, sizeof(org));
	p = sbom3_element(w, "software_Package", key);
	sbom_jstr(p, "name", w->v->d->name);
	sbom_jstr(p, "comment",
		  id->comment ? id->comment
			      : "The product of the recorded build: it contains the "
				"build's artifacts.");
	if (id->supplier && *id->supplier)
		sbom_jstr(p, "suppliedBy", sbom3_iri(w, org));
	sbom_jstr(p, "builtTime", w->v->created);
	sbom_jstr(p, "software_packageVersion", w->v->d->version);
	if (id->purl && *id->purl)
		sbom_jstr(p, "software_packageUrl", id->purl);
	if (is_url(id->download_location))
		sbom_jstr(p, "software_downloadLocation", id->download_location);
	if (is_url(id->homepage))
		sbom_jstr(p, "software_homePage", id->homepage);
	sbom_jstr(p, "software_primaryPurpose", "application");
	cpe_identifier(p, id->cpe);
	license(w, key, "hasDeclaredLicense", id->license_declared);
}

/* The head of the graph: CreationInfo, the agent and tool; and the document and the SBOM,
 * returned without their element lists (the caller writes them at the end). */
static cJSON *head(struct w3 *w, cJSON **sbom)
{
	cJSON *ci = node(w), *doc, *a, *prof;
	char name[512];
	char *text = sbom_incomplete_text(w->v->d);
	const struct sbom_doc *d = w->v->d;

	sbom_jstr(ci, "type", "CreationInfo");
	sbom_jstr(ci, "@id", "_:creationinfo");
	sbom_jstr(ci, "specVersion", "3.0.1");
	sbom_jstr(ci, "created", w->v->created);
	sbom_jpush_str(sbom_jarr(ci, "createdBy"), sbom3_iri(w, "SoftwareAgent-asbuilt"));
	sbom_jpush_str(sbom_jarr(ci, "createdUsing"), sbom3_iri(w, "Tool-" SBOM_TOOL_ID));
	a = sbom3_element(w, "SoftwareAgent", "SoftwareAgent-asbuilt");
	sbom_jstr(a, "name", "asbuilt record");
	sbom_jstr(a, "comment", "asbuilt recorded the build and invoked its first process.");
	sbom_jstr(sbom3_element(w, "Tool", "Tool-" SBOM_TOOL_ID), "name", SBOM_TOOL_ID);
	/* the document and the SBOM list every element: they are written last */
	doc = element_of(w, cJSON_CreateObject(), "SpdxDocument", "DOCUMENT");
	snprintf(name, sizeof(name), "%s%s%s", d->name, d->version ? "-" : "",
		 d->version ? d->version : "");
	sbom_jstr(doc, "name", name);
	snprintf(w->iri, sizeof(w->iri), "As-built SBOM written by %s from %s build record%s%s",
		 SBOM_TOOL_ID, sbom_doc_complete(d) ? "a complete" : "an INCOMPLETE",
		 sbom_doc_complete(d) ? "." : ": ",
		 sbom_doc_complete(d) ? ""
		 : text		      ? text
				      : "");
	sbom_jstr(doc, "comment", w->iri);
	free(text);
	sbom_jstr(doc, "dataLicense", "https://spdx.org/licenses/CC0-1.0");
	prof = sbom_jarr(doc, "profileConformance");
	sbom_jpush_str(prof, "core");
	sbom_jpush_str(prof, "software");
	sbom_jpush_str(prof, "simpleLicensing");
	sbom_jpush_str(prof, "build");
	sbom_jpush_str(sbom_jarr(doc, "rootElement"), sbom3_iri(w, "SBOM"));
	*sbom = element_of(w, cJSON_CreateObject(), "software_Sbom", "SBOM");
	sbom_jstr(*sbom, "name", name);
	sbom_jpush_str(sbom_jarr(*sbom, "software_sbomType"), "build");
	sbom_jpush_str(sbom_jarr(*sbom, "rootElement"), sbom3_iri(w, w->v->product_key));
	return doc;
}

/* One Annotation on the document per incompleteness reason. */
static void annotations(struct w3 *w)
{
	const struct sbom_doc *d = w->v->d;
	char key[48], text[1024];

	for (size_t i = 0; i < d->n_reasons; i++) {
		snprintf(key, sizeof(key), "Annotation-incomplete-%zu", i + 1);
		cJSON *a = sbom3_element(w, "Annotation", key);
		snprintf(text, sizeof(text), "record incomplete: %s%s%s", d->reasons[i].reason,
			 d->reasons[i].detail ? ": " : "",
			 d->reasons[i].detail ? d->reasons[i].detail : "");
		sbom_jstr(a, "annotationType", "other");
		sbom_jstr(a, "subject", sbom3_iri(w, "DOCUMENT"));
		sbom_jstr(a, "statement", text);
	}
}

/* Gives e the list "element" of every element made but those named in skip[0..nskip)
 * and writes it. */
static void put_with_elements(struct w3 *w, cJSON *e, const char *const *skip, size_t nskip)
{
	cJSON *arr = sbom_jarr(e, "element");
	const char *p = w->iris.p, *end = p + w->iris.len;

	for (; p && p < end; p += strlen(p) + 1) {
		size_t i = 0;

		while (i < nskip && strcmp(p, skip[i]))
			i++;
		if (i == nskip)
			sbom_jpush_str(arr, p);
	}
	put(w, e);
}

int sbom_write_spdx3(const struct sbom_doc *d, FILE *out)
{
	struct sbom_view v;
	struct w3 w = { .v = &v, .out = out };
	cJSON *doc, *sbom;
	char doc_iri[sizeof(w.iri)], sbom_iri[sizeof(w.iri)];
	const char *skip[2] = { doc_iri, sbom_iri };
	int r = sbom_view_init(&v, d, "spdx3");

	if (r)
		return r;
	w.seen = cJSON_CreateObject();
	if (fputs("{\n\t\"@context\":\t\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\n"
		  "\t\"@graph\":\t[", out) == EOF)
		w.rc = -EIO;
	doc = head(&w, &sbom);
	annotations(&w);
	product(&w);
	for (size_t i = 0; i < d->n_comps; i++)
		component(&w, (int)v.comp_order[i]);
	for (size_t i = 0; i < d->n_files; i++)
		file(&w, (int)v.file_order[i]);
	sbom3_relationships(&w);
	sbom3_builds(&w);
	if (w.pending)
		put(&w, w.pending);
	/* the document lists every element but itself; the SBOM every element but the two */
	snprintf(doc_iri, sizeof(doc_iri), "%s", sbom3_iri(&w, "DOCUMENT"));
	snprintf(sbom_iri, sizeof(sbom_iri), "%s", sbom3_iri(&w, "SBOM"));
	put_with_elements(&w, doc, skip, 1);
	put_with_elements(&w, sbom, skip, 2);
	if (fputs("]\n}\n", out) == EOF || fflush(out) == EOF)
		w.rc = w.rc ? w.rc : -EIO;
	if (w.iris.oom && !w.rc)
		w.rc = -ENOMEM;
	cJSON_Delete(w.seen);
	free(w.iris.p);
	sbom_view_release(&v);
	return w.rc;
}
