/* sbomread_cdx.c - CycloneDX 1.6 JSON into the model (sbomread.h). */
#include "sbomread_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int is_file(const cJSON *c)
{
	const char *t = sr_str(c, "type");

	return t && !strcmp(t, "file");
}

/* file_comp: a file belongs to the component whose evidence.occurrences name its path. */
static int owners(struct sr *x, const cJSON *comps)
{
	struct strmap loc = { 0 };
	const cJSON *c, *o;
	int rc = 0;

	cJSON_ArrayForEach(c, comps)
	{
		const char *ref = sr_str(c, "bom-ref");
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(c, "evidence");

		if (is_file(c) || !ref)
			continue;
		cJSON_ArrayForEach(o, sr_arr(ev, "occurrences"))
		{
			const char *l = sr_str(o, "location");
			if (l && !rc && strmap_put(&loc, l, (void *)ref))
				rc = -ENOMEM;
		}
	}
	cJSON_ArrayForEach(c, comps)
	{
		const char *ref = sr_str(c, "bom-ref"), *name = sr_str(c, "name"), *owner;

		if (!rc && is_file(c) && ref && name && (owner = strmap_get(&loc, name)) &&
		    strmap_put(&x->file_comp, ref, (void *)owner))
			rc = -ENOMEM;
	}
	strmap_release(&loc);
	return rc;
}

/* The product depends on its artifacts. */
static int artifacts(struct sr *x, const cJSON *root, const char *product_ref)
{
	const cJSON *d, *on;

	cJSON_ArrayForEach(d, sr_arr(root, "dependencies"))
	{
		const char *ref = sr_str(d, "ref");
		if (!product_ref || !ref || strcmp(ref, product_ref))
			continue;
		cJSON_ArrayForEach(
			on, sr_arr(d, "dependsOn")) if (cJSON_IsString(on) &&
							strmap_put(&x->artifact, on->valuestring,
								   (void *)1)) return -ENOMEM;
	}
	return 0;
}

static int component(struct sr *x, const cJSON *c)
{
	struct sbom_component sc = { 0 };
	const char *ref = sr_str(c, "bom-ref"), *kind = sr_prop(c, "asbuilt:kind");
	const cJSON *l, *e;

	sc.name = sr_str(c, "name");
	sc.version = sr_str(c, "version");
	sc.purl = sr_str(c, "purl");
	sc.cpe = sr_str(c, "cpe");
	sc.kind = sr_kind(kind, kind ? strlen(kind) : 0, sc.purl);
	sc.supplier = sr_str(cJSON_GetObjectItemCaseSensitive(c, "supplier"), "name");
	cJSON_ArrayForEach(l, sr_arr(c, "licenses"))
	{
		const char *ack = sr_str(l, "acknowledgement");
		if (!ack || !strcmp(ack, "declared"))
			sc.license_declared = sr_str(l, "expression");
		else
			sc.license_concluded = sr_str(l, "expression");
	}
	cJSON_ArrayForEach(e, sr_arr(c, "externalReferences"))
	{
		const char *t = sr_str(e, "type");
		if (t && !strcmp(t, "distribution"))
			sc.download_location = sr_str(e, "url");
		else if (t && !strcmp(t, "website"))
			sc.homepage = sr_str(e, "url");
	}
	return sr_add_comp(x, ref, &sc);
}

static int file(struct sr *x, const cJSON *c)
{
	struct sbom_file f = { .component = -1 };
	const char *ref = sr_str(c, "bom-ref"), *art = sr_prop(c, "asbuilt:artifact");
	const cJSON *h, *o;

	if (!ref)
		return sr_fail(x, -EBADMSG, "a file component has no bom-ref");
	f.path = sr_str(c, "name");
	cJSON_ArrayForEach(h, sr_arr(c, "hashes"))
	{
		const char *alg = sr_str(h, "alg"), *v = sr_str(h, "content");
		if (alg && v && !strcmp(alg, "SHA-256"))
			f.sha256 = v;
		else if (alg && v && !strcmp(alg, "SHA-1"))
			f.sha1 = v;
	}
	cJSON_ArrayForEach(o, sr_arr(c, "omniborId"))
	{
		const char *g = cJSON_IsString(o) ? o->valuestring : "";
		if (!strncmp(g, "gitoid:blob:sha1:", 17))
			f.gitoid_sha1 = g + 17;
		else if (!strncmp(g, "gitoid:blob:sha256:", 19))
			f.gitoid_sha256 = g + 19;
	}
	f.role = sr_role(sr_prop(c, "asbuilt:role"));
	f.is_artifact = art && !strcmp(art, "true");
	return sr_add_file(x, ref, &f);
}

static int depends(struct sr *x, const cJSON *root)
{
	const cJSON *d, *on;

	cJSON_ArrayForEach(d, sr_arr(root, "dependencies"))
	{
		const char *ref = sr_str(d, "ref");
		cJSON_ArrayForEach(
			on,
			sr_arr(d,
			       "dependsOn")) if (ref && cJSON_IsString(on) &&
						 sr_file_rel(x, ref, on->valuestring,
							     SBOM_REL_DEPENDS_ON)) return -ENOMEM;
	}
	return 0;
}

/* A list of {resource: {ref}} (or {ref}) objects as file indexes. */
static int refs(struct sr *x, const cJSON *arr, struct sr_ints *files, struct sr_ints *comps)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(it, "resource");
		const char *ref = sr_str(res ? res : it, "ref");
		int f = sr_file(x, ref), c = sr_comp(x, ref);

		if ((f >= 0 && sr_ints_push(files, f)) ||
		    (c >= 0 && comps && sr_ints_push(comps, c)))
			return -ENOMEM;
	}
	return 0;
}

static int task(struct sr *x, const cJSON *t)
{
	const cJSON *st = cJSON_GetArrayItem(sr_arr(t, "steps"), 0);
	const cJSON *cmd = cJSON_GetArrayItem(sr_arr(st, "commands"), 0);
	const char *line = sr_str(cmd, "executed");
	struct sr_ints in = { 0 }, out = { 0 }, tf = { 0 }, tc = { 0 };
	struct sbom_step s = { 0 };
	char **argv = NULL;
	int rc;

	s.kind = sr_str(st, "name");
	s.cwd = sr_prop(cmd, "asbuilt:cwd");
	rc = line ? sbomread_split_shell(line, &argv, &s.argc) : 0;
	if (rc == -EINVAL)
		rc = sr_fail(x, -EBADMSG, "task '%s': unterminated quote in its command",
			     sr_str(t, "name") ? sr_str(t, "name") : "?");
	s.argv = (const char *const *)argv;
	if (!rc)
		rc = refs(x, sr_arr(t, "inputs"), &in, NULL);
	if (!rc)
		rc = refs(x, sr_arr(t, "outputs"), &out, NULL);
	if (!rc)
		rc = refs(x, sr_arr(t, "resourceReferences"), &tf, &tc);
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

static int formulation(struct sr *x, const cJSON *root)
{
	const cJSON *f, *w, *t;
	int rc = 0;

	cJSON_ArrayForEach(f, sr_arr(root, "formulation"))
		cJSON_ArrayForEach(w, sr_arr(f, "workflows"))
			cJSON_ArrayForEach(t, sr_arr(w, "tasks")) if (!rc) rc = task(x, t);
	return rc;
}

int sr_read_cdx(struct sr *x, const cJSON *root)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	const cJSON *prod = cJSON_GetObjectItemCaseSensitive(meta, "component"), *c;
	const cJSON *comps = sr_arr(root, "components");
	int rc;

	if (cJSON_GetObjectItemCaseSensitive(root, "components") && !comps)
		return sr_fail(x, -EBADMSG, "CycloneDX 'components' must be an array");
	rc = sr_begin(x, sr_str(prod, "name"), sr_str(prod, "version"));
	if (!rc)
		rc = owners(x, comps);
	if (!rc)
		rc = artifacts(x, root, sr_str(prod, "bom-ref"));
	cJSON_ArrayForEach(c, comps) if (!rc && !is_file(c)) rc = component(x, c);
	cJSON_ArrayForEach(c, comps) if (!rc && is_file(c)) rc = file(x, c);
	if (!rc)
		rc = depends(x, root);
	return rc ? rc : formulation(x, root);
}
