/* sbomread_spdx3.c - SPDX 3.0.1 JSON-LD into the model (sbomread.h). */
#include "sbomread_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int is_type(const cJSON *e, const char *type)
{
	const char *t = sr_str(e, "type");

	return t && !strcmp(t, type);
}

static int is_rel(const cJSON *e)
{
	return is_type(e, "Relationship") || is_type(e, "LifecycleScopedRelationship");
}

/* Relationships by their "from" element: from id -> struct rels. */
struct rels {
	const cJSON **v;
	size_t n, cap;
};

static int index_rels(const cJSON *graph, struct strmap *by_from)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, graph)
	{
		const char *from = sr_str(e, "from");
		struct rels *r;

		if (!is_rel(e) || !from)
			continue;
		if (!(r = strmap_get(by_from, from))) {
			if (!(r = calloc(1, sizeof(*r))) || strmap_put(by_from, from, r)) {
				free(r);
				return -ENOMEM;
			}
		}
		if (r->n == r->cap) {
			size_t cap = r->cap ? 2 * r->cap : 4;
			const cJSON **v = realloc(r->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			r->v = v;
			r->cap = cap;
		}
		r->v[r->n++] = e;
	}
	return 0;
}

static void free_rels(const char *key, void *value, void *ctx)
{
	struct rels *r = value;

	free(r->v);
	free(r);
}

/* The first string of the array member name of e, or NULL. */
static const char *first(const cJSON *e, const char *name)
{
	const cJSON *a = cJSON_GetArrayItem(sr_arr(e, name), 0);

	return cJSON_IsString(a) ? a->valuestring : NULL;
}

/* The product: the root element of the software_Sbom. */
static const cJSON *product(const cJSON *graph)
{
	const cJSON *e, *p;
	const char *id = NULL;

	cJSON_ArrayForEach(e, graph) if (is_type(e, "software_Sbom") &&
					 (id = first(e, "rootElement"))) break;
	cJSON_ArrayForEach(p, (id ? graph : NULL))
	{
		const char *pid = sr_str(p, "spdxId");
		if (pid && !strcmp(pid, id))
			return p;
	}
	return NULL;
}

/* contains: the product's are artifacts, a package's are its files. */
static int containment(struct sr *x, const cJSON *graph, const char *product_id)
{
	const cJSON *e, *to;

	cJSON_ArrayForEach(e, graph)
	{
		const char *from = sr_str(e, "from"), *type = sr_str(e, "relationshipType");

		if (!is_rel(e) || !from || !type || strcmp(type, "contains"))
			continue;
		cJSON_ArrayForEach(to, sr_arr(e, "to"))
		{
			int rc = !cJSON_IsString(to) ? 0
				 : product_id && !strcmp(from, product_id)
					 ? strmap_put(&x->artifact, to->valuestring, (void *)1)
					 : strmap_put(&x->file_comp, to->valuestring, (void *)from);
			if (rc)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The expression of the license element a relationship of type from pkg points at. */
static const char *license(const struct strmap *by_from, const struct strmap *exprs,
			   const char *pkg, const char *type)
{
	const struct rels *r = strmap_get(by_from, pkg);

	for (size_t i = 0; r && i < r->n; i++) {
		const char *t = sr_str(r->v[i], "relationshipType"), *to = first(r->v[i], "to");
		if (t && to && !strcmp(t, type))
			return strmap_get(exprs, to);
	}
	return NULL;
}

/* License expression elements: spdxId -> expression (borrowed). */
static int index_licenses(const cJSON *graph, struct strmap *exprs)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, graph)
	{
		const char *id = sr_str(e, "spdxId");
		const char *ex = sr_str(e, "simplelicensing_licenseExpression");
		if (id && ex && strmap_put(exprs, id, (void *)ex))
			return -ENOMEM;
	}
	return 0;
}

struct idx3 {
	struct strmap by_from, exprs;
};

static int package(struct sr *x, const struct idx3 *ix, const cJSON *p)
{
	struct sbom_component c = { 0 };
	const char *id = sr_str(p, "spdxId");
	const cJSON *e;
	size_t wlen = 0;
	const char *word = sr_comment_kind(sr_str(p, "comment"), &wlen);

	if (!id)
		return sr_fail(x, -EBADMSG, "a software_Package has no spdxId");
	c.name = sr_str(p, "name");
	c.version = sr_str(p, "software_packageVersion");
	c.purl = sr_str(p, "software_packageUrl");
	cJSON_ArrayForEach(e, sr_arr(p, "externalIdentifier"))
	{
		const char *t = sr_str(e, "externalIdentifierType");
		if (t && !strncmp(t, "cpe", 3))
			c.cpe = sr_str(e, "identifier");
	}
	c.kind = sr_kind(word, wlen, c.purl);
	c.download_location = sr_str(p, "software_downloadLocation");
	c.homepage = sr_str(p, "software_homePage");
	c.license_declared = license(&ix->by_from, &ix->exprs, id, "hasDeclaredLicense");
	c.license_concluded = license(&ix->by_from, &ix->exprs, id, "hasConcludedLicense");
	return sr_add_comp(x, id, &c);
}

static int file(struct sr *x, const cJSON *f)
{
	struct sbom_file sf = { .component = -1 };
	const char *id = sr_str(f, "spdxId"), *comment = sr_str(f, "comment");
	const cJSON *h;

	if (!id)
		return sr_fail(x, -EBADMSG, "a software_File has no spdxId");
	sf.path = sr_str(f, "name");
	cJSON_ArrayForEach(h, sr_arr(f, "verifiedUsing"))
	{
		const char *alg = sr_str(h, "algorithm"), *v = sr_str(h, "hashValue");
		if (alg && v && !strcmp(alg, "sha256"))
			sf.sha256 = v;
		else if (alg && v && !strcmp(alg, "sha1"))
			sf.sha1 = v;
	}
	cJSON_ArrayForEach(h, sr_arr(f, "software_contentIdentifier"))
	{
		const char *v = sr_str(h, "software_contentIdentifierValue");
		if (v && !strncmp(v, "gitoid:blob:sha1:", 17))
			sf.gitoid_sha1 = v + 17;
		else if (v && !strncmp(v, "gitoid:blob:sha256:", 19))
			sf.gitoid_sha256 = v + 19;
	}
	if (comment && !strncmp(comment, "role: ", 6))
		sf.role = sr_role(comment + 6);
	sf.is_artifact = comment && strstr(comment, "; build artifact") != NULL;
	return sr_add_file(x, id, &sf);
}

/* File relationships: generates (reversed: GENERATED_FROM), hasStaticLink, hasDynamicLink,
 * usesTool between files (reversed: BUILD_TOOL_OF). */
static int file_rels(struct sr *x, const cJSON *graph)
{
	const cJSON *e, *to;

	cJSON_ArrayForEach(e, graph)
	{
		const char *from = sr_str(e, "from"), *t = sr_str(e, "relationshipType");
		if (!is_rel(e) || !from || !t)
			continue;
		cJSON_ArrayForEach(to, sr_arr(e, "to"))
		{
			const char *y = cJSON_IsString(to) ? to->valuestring : NULL;
			int rc = !y ? 0
				 : !strcmp(t, "generates")
					 ? sr_file_rel(x, y, from, SBOM_REL_GENERATED_FROM)
				 : !strcmp(t, "hasStaticLink")
					 ? sr_file_rel(x, from, y, SBOM_REL_STATIC_LINK)
				 : !strcmp(t, "hasDynamicLink")
					 ? sr_file_rel(x, from, y, SBOM_REL_DYNAMIC_LINK)
				 : !strcmp(t, "usesTool")
					 ? sr_file_rel(x, y, from, SBOM_REL_BUILD_TOOL_OF)
					 : 0;
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* The files (and components) the build's relationships of type point at. */
static int build_refs(struct sr *x, const struct idx3 *ix, const char *id, const char *type,
		      struct sr_ints *files, struct sr_ints *comps)
{
	const struct rels *r = strmap_get(&ix->by_from, id);
	const cJSON *to;

	for (size_t i = 0; r && i < r->n; i++) {
		const char *t = sr_str(r->v[i], "relationshipType");
		if (!t || strcmp(t, type))
			continue;
		cJSON_ArrayForEach(to, sr_arr(r->v[i], "to"))
		{
			const char *y = cJSON_IsString(to) ? to->valuestring : NULL;
			int f = sr_file(x, y), c = sr_comp(x, y);
			if ((f >= 0 && sr_ints_push(files, f)) ||
			    (c >= 0 && comps && sr_ints_push(comps, c)))
				return -ENOMEM;
		}
	}
	return 0;
}

/* argv from the build_parameter entries "argv[N]", in N order; cwd from "cwd". */
static int params(const cJSON *b, const char ***argv, size_t *argc, const char **cwd)
{
	const cJSON *p, *arr = sr_arr(b, "build_parameter");
	size_t n = 0;

	cJSON_ArrayForEach(p, arr)
	{
		const char *k = sr_str(p, "key");
		if (k && !strncmp(k, "argv[", 5) && (size_t)atol(k + 5) + 1 > n)
			n = (size_t)atol(k + 5) + 1;
	}
	*argv = n ? calloc(n, sizeof(**argv)) : NULL;
	if (n && !*argv)
		return -ENOMEM;
	*argc = n;
	cJSON_ArrayForEach(p, arr)
	{
		const char *k = sr_str(p, "key"), *v = sr_str(p, "value");
		if (k && !strncmp(k, "argv[", 5))
			(*argv)[atol(k + 5)] = v ? v : "";
		else if (k && !strcmp(k, "cwd"))
			*cwd = v;
	}
	for (size_t i = 0; i < n; i++)
		if (!(*argv)[i])
			(*argv)[i] = "";
	return 0;
}

static int build(struct sr *x, const struct idx3 *ix, const cJSON *b)
{
	struct sr_ints in = { 0 }, out = { 0 }, tf = { 0 }, tc = { 0 };
	const char *id = sr_str(b, "spdxId"), *type = sr_str(b, "build_buildType");
	struct sbom_step s = { 0 };
	const char **argv = NULL;
	int rc;

	if (!id)
		return sr_fail(x, -EBADMSG, "a build_Build has no spdxId");
	if (type && !strncmp(type, "urn:asbuilt:step:", 17))
		s.kind = type + 17;
	rc = params(b, &argv, &s.argc, &s.cwd);
	s.argv = argv;
	if (!rc)
		rc = build_refs(x, ix, id, "hasInput", &in, NULL);
	if (!rc)
		rc = build_refs(x, ix, id, "hasOutput", &out, NULL);
	if (!rc)
		rc = build_refs(x, ix, id, "usesTool", &tf, &tc);
	s.inputs = in.v, s.n_inputs = in.n;
	s.outputs = out.v, s.n_outputs = out.n;
	s.tool_files = tf.v, s.n_tool_files = tf.n;
	s.tool_components = tc.v, s.n_tool_components = tc.n;
	if (!rc && (rc = sbom_add_step(x->d, &s)) > 0)
		rc = 0;
	free(argv);
	free(in.v);
	free(out.v);
	free(tf.v);
	free(tc.v);
	return rc;
}

int sr_read_spdx3(struct sr *x, const cJSON *root)
{
	const cJSON *graph = sr_arr(root, "@graph"), *prod, *e;
	struct idx3 ix = { 0 };
	int rc;

	if (!graph)
		return sr_fail(x, -EBADMSG, "SPDX 3 document without an '@graph' array");
	prod = product(graph);
	rc = sr_begin(x, sr_str(prod, "name"), sr_str(prod, "software_packageVersion"));
	if (!rc)
		rc = index_rels(graph, &ix.by_from);
	if (!rc)
		rc = index_licenses(graph, &ix.exprs);
	if (!rc)
		rc = containment(x, graph, sr_str(prod, "spdxId"));
	cJSON_ArrayForEach(e, graph) if (!rc && e != prod && is_type(e, "software_Package")) rc =
		package(x, &ix, e);
	cJSON_ArrayForEach(e, graph) if (!rc && is_type(e, "software_File")) rc = file(x, e);
	if (!rc)
		rc = file_rels(x, graph);
	cJSON_ArrayForEach(e, graph) if (!rc && is_type(e, "build_Build")) rc = build(x, &ix, e);
	strmap_each(&ix.by_from, free_rels, NULL);
	strmap_release(&ix.by_from);
	strmap_release(&ix.exprs);
	return rc;
}
