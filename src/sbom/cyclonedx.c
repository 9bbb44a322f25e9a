/* cyclonedx.c - the SBOM as CycloneDX 1.6 JSON (docs/sbom-mapping.md says what goes where). */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A node of the dependency graph: the product (-1) or a component or a file. */
struct node {
	enum sbom_node kind;
	int i;
};

struct edge {
	struct node from, to;
};

static const char *nkey(const struct sbom_view *v, struct node n)
{
	return sbom_view_key(v, n.kind, n.i);
}

static void prop(cJSON *props, const char *name, const char *value)
{
	cJSON *p = sbom_jpush_obj(props);

	sbom_jstr(p, "name", name);
	sbom_jstr(p, "value", value);
}

static void hash(cJSON *hashes, const char *alg, const char *content)
{
	cJSON *h;

	if (!content)
		return;
	h = sbom_jpush_obj(hashes);
	sbom_jstr(h, "alg", alg);
	sbom_jstr(h, "content", content);
}

static void license_expr(cJSON *obj, const char *expr, const char *ack)
{
	cJSON *l = sbom_jpush_obj(sbom_jarr(obj, "licenses"));

	sbom_jstr(l, "expression", expr);
	if (ack)
		sbom_jstr(l, "acknowledgement", ack);
}

static void ext_ref(cJSON *obj, cJSON **refs, const char *type, const char *url)
{
	cJSON *r;

	if (!url || !strstr(url, "://")) /* NOASSERTION, NONE: not a URL */
		return;
	if (!*refs)
		*refs = sbom_jarr(obj, "externalReferences");
	r = sbom_jpush_obj(*refs);
	sbom_jstr(r, "type", type);
	sbom_jstr(r, "url", url);
}

static const char *technique(enum sbom_technique t, double *conf)
{
	static const struct {
		const char *name;
		double conf;
	} tab[] = {
		[SBOM_HOW_NONE] = { NULL, 0 },
		[SBOM_HOW_MANIFEST] = { "manifest-analysis", 0.9 },
		[SBOM_HOW_HASH] = { "hash-comparison", 1.0 },
		[SBOM_HOW_FILENAME] = { "filename", 0.3 },
		[SBOM_HOW_OTHER] = { "other", 0.5 },
	};
	if ((unsigned)t > SBOM_HOW_OTHER)
		t = SBOM_HOW_OTHER;
	if (*conf <= 0 || *conf > 1)
		*conf = tab[t].conf;
	return tab[t].name;
}

/* evidence: identity (how the component was found) and occurrences (its files' paths and
 * the evidence paths). */
static void comp_evidence(const struct sbom_view *v, cJSON *o, int ci)
{
	const struct sbom_component *c = &v->d->comps[ci];
	double conf = c->confidence;
	const char *how = technique(c->technique, &conf);
	cJSON *ev = sbom_jobj(o, "evidence"), *occ = NULL;

	if (how) {
		cJSON *id = sbom_jpush_obj(sbom_jarr(ev, "identity")), *m;
		sbom_jstr(id, "field", c->purl ? "purl" : "name");
		sbom_jnum(id, "confidence", conf);
		sbom_jstr(id, "concludedValue", c->purl ? c->purl : c->name);
		m = sbom_jpush_obj(sbom_jarr(id, "methods"));
		sbom_jstr(m, "technique", how);
		sbom_jnum(m, "confidence", conf);
		sbom_jstr(m, "value", c->identified_by);
	}
	for (size_t k = 0; k < v->d->n_files; k++) {
		const struct sbom_file *f = &v->d->files[v->file_order[k]];
		if (f->component != ci)
			continue;
		if (!occ)
			occ = sbom_jarr(ev, "occurrences");
		sbom_jstr(sbom_jpush_obj(occ), "location", f->path);
	}
	for (size_t k = 0; k < c->n_evidence; k++) {
		if (!occ)
			occ = sbom_jarr(ev, "occurrences");
		sbom_jstr(sbom_jpush_obj(occ), "location", c->evidence[k]);
	}
	if (!how && !occ)
		cJSON_DeleteItemFromObject(o, "evidence");
}

static void component(const struct sbom_view *v, cJSON *comps, int ci)
{
	const struct sbom_component *c = &v->d->comps[ci];
	cJSON *o = sbom_jpush_obj(comps), *refs = NULL, *props;

	sbom_jstr(o, "type", c->kind == SBOM_COMP_PROJECT ? "application" : "library");
	sbom_jstr(o, "bom-ref", v->comp_key[ci]);
	if (c->supplier && *c->supplier)
		sbom_jstr(sbom_jobj(o, "supplier"), "name", c->supplier);
	sbom_jstr(o, "name", c->name);
	sbom_jstr(o, "version", c->version);
	if (c->license_declared)
		license_expr(o, c->license_declared, "declared");
	else if (c->license_concluded)
		license_expr(o, c->license_concluded, "concluded");
	sbom_jstr(o, "cpe", c->cpe);
	sbom_jstr(o, "purl", c->purl);
	ext_ref(o, &refs, "distribution", c->download_location);
	ext_ref(o, &refs, "website", c->homepage);
	comp_evidence(v, o, ci);
	props = sbom_jarr(o, "properties");
	prop(props, "asbuilt:kind", sbom_kind_name(c->kind));
	if (c->license_declared && c->license_concluded &&
	    strcmp(c->license_declared, c->license_concluded))
		prop(props, "asbuilt:license-concluded", c->license_concluded);
}

static void file(const struct sbom_view *v, cJSON *comps, int fi)
{
	const struct sbom_file *f = &v->d->files[fi];
	cJSON *o = sbom_jpush_obj(comps), *hashes, *ids, *props;
	char buf[160];

	sbom_jstr(o, "type", "file");
	sbom_jstr(o, "bom-ref", v->file_key[fi]);
	sbom_jstr(o, "name", f->path);
	hashes = sbom_jarr(o, "hashes");
	hash(hashes, "SHA-1", f->sha1);
	hash(hashes, "SHA-256", f->sha256);
	if (f->n_licenses == 1) {
		license_expr(o, f->licenses[0], NULL);
	} else if (f->n_licenses > 1) {
		size_t len = 1;
		for (size_t i = 0; i < f->n_licenses; i++)
			len += strlen(f->licenses[i]) + 8;
		char *e = calloc(1, len);
		for (size_t i = 0; e && i < f->n_licenses; i++) {
			strcat(e, i ? " AND (" : "(");
			strcat(e, f->licenses[i]);
			strcat(e, ")");
		}
		license_expr(o, e, NULL);
		free(e);
	}
	if (f->gitoid_sha1 || f->gitoid_sha256) {
		ids = sbom_jarr(o, "omniborId");
		if (f->gitoid_sha1) {
			snprintf(buf, sizeof(buf), "gitoid:blob:sha1:%s", f->gitoid_sha1);
			sbom_jpush_str(ids, buf);
		}
		if (f->gitoid_sha256) {
			snprintf(buf, sizeof(buf), "gitoid:blob:sha256:%s", f->gitoid_sha256);
			sbom_jpush_str(ids, buf);
		}
	}
	sbom_jstr(sbom_jpush_obj(sbom_jarr(sbom_jobj(o, "evidence"), "occurrences")), "location",
		  f->path);
	props = sbom_jarr(o, "properties");
	prop(props, "asbuilt:role", sbom_role_name(f->role));
	if (f->is_artifact)
		prop(props, "asbuilt:artifact", "true");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)f->size);
	prop(props, "asbuilt:size", buf);
}

/* ---- dependencies ---------------------------------------------------------------------- */

static int cmp_edge(const void *a, const void *b, void *ctx)
{
	const struct edge *x = a, *y = b;
	int r = strcmp(nkey(ctx, x->from), nkey(ctx, y->from));

	return r ? r : strcmp(nkey(ctx, x->to), nkey(ctx, y->to));
}

static int cmp_node(const void *a, const void *b, void *ctx)
{
	return strcmp(nkey(ctx, *(const struct node *)a), nkey(ctx, *(const struct node *)b));
}

/* The graph's edges: X dependsOn Y for GENERATED_FROM, STATIC_LINK, DYNAMIC_LINK,
 * DEPENDS_ON and the product's CONTAINS; Y dependsOn X for X BUILD_DEPENDENCY_OF Y; and X
 * dependsOn Y's component too when Y is a file that belongs to one. */
static struct edge *edges(const struct sbom_view *v, size_t *n)
{
	struct edge *e = malloc((2 * v->n_rels + 1) * sizeof(*e));

	*n = 0;
	for (size_t i = 0; e && i < v->n_rels; i++) {
		const struct sbom_rel *r = &v->rels[i];
		struct node a = { r->from_kind, r->from }, b = { r->to_kind, r->to }, t;
		switch (r->type) {
		case SBOM_REL_BUILD_DEPENDENCY_OF:
			t = a, a = b, b = t;
			break;
		case SBOM_REL_CONTAINS:
			if (a.kind != SBOM_NODE_PRODUCT)
				continue;
			break;
		case SBOM_REL_BUILD_TOOL_OF:
		case SBOM_REL_DESCRIBES:
			continue;
		default:
			break;
		}
		if (a.kind == SBOM_NODE_DOCUMENT || (a.kind == b.kind && a.i == b.i))
			continue;
		e[(*n)++] = (struct edge){ a, b };
		if (b.kind == SBOM_NODE_FILE && v->d->files[b.i].component >= 0 &&
		    !(a.kind == SBOM_NODE_COMPONENT && a.i == v->d->files[b.i].component))
			e[(*n)++] = (struct edge){
				a, { SBOM_NODE_COMPONENT, v->d->files[b.i].component }
			};
	}
	if (e)
		qsort_r(e, *n, sizeof(*e), cmp_edge, (void *)v);
	return e;
}

static void dependencies(const struct sbom_view *v, cJSON *root, cJSON *comp_refs)
{
	size_t ne, nn = 0, k = 0;
	struct edge *e = edges(v, &ne);
	struct node *nodes = malloc((1 + v->d->n_comps + v->d->n_files) * sizeof(*nodes));
	cJSON *deps = sbom_jarr(root, "dependencies");

	if (!e || !nodes) {
		sbom_jobj(NULL, "oom"); /* sets the failure flag */
		goto out;
	}
	nodes[nn++] = (struct node){ SBOM_NODE_PRODUCT, 0 };
	for (size_t i = 0; i < v->d->n_comps; i++)
		nodes[nn++] = (struct node){ SBOM_NODE_COMPONENT, (int)i };
	for (size_t i = 0; i < v->d->n_files; i++)
		nodes[nn++] = (struct node){ SBOM_NODE_FILE, (int)i };
	qsort_r(nodes, nn, sizeof(*nodes), cmp_node, (void *)v);
	for (size_t i = 0; i < nn; i++) {
		const char *key = nkey(v, nodes[i]), *last = NULL;
		cJSON *d = sbom_jpush_obj(deps), *on = NULL;
		sbom_jstr(d, "ref", key);
		sbom_jpush_str(comp_refs, key);
		while (k < ne && strcmp(nkey(v, e[k].from), key) < 0)
			k++;
		for (; k < ne && strcmp(nkey(v, e[k].from), key) == 0; k++) {
			const char *to = nkey(v, e[k].to);
			if (last && !strcmp(last, to))
				continue;
			if (!on)
				on = sbom_jarr(d, "dependsOn");
			sbom_jpush_str(on, to);
			last = to;
		}
	}
out:
	free(nodes);
	free(e);
}

/* ---- completeness ---------------------------------------------------------------------- */

static void compositions(const struct sbom_view *v, cJSON *root, cJSON *dep_refs)
{
	cJSON *c = sbom_jpush_obj(sbom_jarr(root, "compositions")), *as;

	sbom_jstr(c, "aggregate", sbom_doc_complete(v->d) ? "complete" : "incomplete");
	as = sbom_jarr(c, "assemblies");
	sbom_jpush_str(as, v->product_key);
	for (size_t i = 0; i < v->d->n_files; i++)
		if (v->d->files[v->file_order[i]].is_artifact)
			sbom_jpush_str(as, v->file_key[v->file_order[i]]);
	cJSON_AddItemToObject(c, "dependencies", dep_refs);
}

static void annotations(const struct sbom_view *v, cJSON *root, cJSON *meta_props)
{
	const struct sbom_doc *d = v->d;
	cJSON *anns;
	char buf[1024];

	if (sbom_doc_complete(d))
		return;
	anns = sbom_jarr(root, "annotations");
	for (size_t i = 0; i < d->n_reasons; i++) {
		cJSON *a = sbom_jpush_obj(anns), *tool;
		snprintf(buf, sizeof(buf), "record incomplete: %s%s%s", d->reasons[i].reason,
			 d->reasons[i].detail ? ": " : "",
			 d->reasons[i].detail ? d->reasons[i].detail : "");
		sbom_jpush_str(sbom_jarr(a, "subjects"), v->product_key);
		tool = sbom_jobj(sbom_jobj(a, "annotator"), "component");
		sbom_jstr(tool, "type", "application");
		sbom_jstr(tool, "name", SBOM_TOOL_NAME);
		sbom_jstr(tool, "version", ASBUILT_VERSION);
		sbom_jstr(a, "timestamp", v->created);
		sbom_jstr(a, "text", buf);
		prop(meta_props, "asbuilt:incomplete", buf + strlen("record incomplete: "));
	}
}

/* metadata.component beyond its type and bom-ref: the product's name, version and, when
 * the product is a package, its supplier, license, purl, CPE and references. */
static void product_identity(const struct sbom_doc *d, cJSON *p)
{
	const struct sbom_product *id = &d->product;
	cJSON *refs = NULL;

	if (id->supplier && *id->supplier)
		sbom_jstr(sbom_jobj(p, "supplier"), "name", id->supplier);
	sbom_jstr(p, "name", d->name);
	sbom_jstr(p, "version", d->version);
	sbom_jstr(p, "description", id->comment);
	if (id->license_declared && *id->license_declared)
		license_expr(p, id->license_declared, "declared");
	if (id->cpe && *id->cpe)
		sbom_jstr(p, "cpe", id->cpe);
	if (id->purl && *id->purl)
		sbom_jstr(p, "purl", id->purl);
	ext_ref(p, &refs, "distribution", id->download_location);
	ext_ref(p, &refs, "website", id->homepage);
}

static void metadata(const struct sbom_view *v, cJSON *root)
{
	cJSON *m = sbom_jobj(root, "metadata"), *t, *p, *props;

	sbom_jstr(m, "timestamp", v->created);
	sbom_jstr(sbom_jpush_obj(sbom_jarr(m, "lifecycles")), "phase", "build");
	t = sbom_jpush_obj(sbom_jarr(sbom_jobj(m, "tools"), "components"));
	sbom_jstr(t, "type", "application");
	sbom_jstr(t, "bom-ref", SBOM_TOOL_ID);
	sbom_jstr(t, "name", SBOM_TOOL_NAME);
	sbom_jstr(t, "version", ASBUILT_VERSION);
	p = sbom_jobj(m, "component");
	sbom_jstr(p, "type", "application");
	sbom_jstr(p, "bom-ref", v->product_key);
	product_identity(v->d, p);
	props = sbom_jarr(m, "properties");
	prop(props, "asbuilt:complete", sbom_doc_complete(v->d) ? "true" : "false");
	annotations(v, root, props);
}

int sbom_write_cyclonedx(const struct sbom_doc *d, FILE *out)
{
	struct sbom_view v;
	cJSON *root, *comps, *refs;
	char serial[64];
	int r = sbom_view_init(&v, d, "cyclonedx");

	if (r)
		return r;
	root = cJSON_CreateObject();
	sbom_jstr(root, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
	sbom_jstr(root, "bomFormat", "CycloneDX");
	sbom_jstr(root, "specVersion", "1.6");
	snprintf(serial, sizeof(serial), "urn:uuid:%s", v.uuid);
	sbom_jstr(root, "serialNumber", serial);
	sbom_jnum(root, "version", 1);
	metadata(&v, root);
	comps = sbom_jarr(root, "components");
	for (size_t i = 0; i < d->n_comps; i++)
		component(&v, comps, (int)v.comp_order[i]);
	for (size_t i = 0; i < d->n_files; i++)
		file(&v, comps, (int)v.file_order[i]);
	refs = cJSON_CreateArray();
	dependencies(&v, root, refs);
	compositions(&v, root, refs);
	sbom_cdx_formulation(&v, root);
	/* annotations were added by metadata(); move them last for readability */
	cJSON *anns = cJSON_DetachItemFromObject(root, "annotations");
	if (anns)
		cJSON_AddItemToObject(root, "annotations", anns);
	r = sbom_json_emit(root, out);
	sbom_view_release(&v);
	return r;
}
