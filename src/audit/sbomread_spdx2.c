/* sbomread_spdx2.c - SPDX 2.3 JSON into the model (sbomread.h). */
#include "sbomread_internal.h"

#include <errno.h>
#include <string.h>

/* The id of the element the document DESCRIBES (the first one), or NULL. */
static const char *described(const cJSON *root)
{
	const cJSON *r, *d = cJSON_GetArrayItem(sr_arr(root, "documentDescribes"), 0);

	if (cJSON_IsString(d))
		return d->valuestring;
	cJSON_ArrayForEach(r, sr_arr(root, "relationships"))
	{
		const char *from = sr_str(r, "spdxElementId"),
			   *type = sr_str(r, "relationshipType");
		const char *to = sr_str(r, "relatedSpdxElement");

		if (from && type && to && !strcmp(from, "SPDXRef-DOCUMENT") &&
		    !strcmp(type, "DESCRIBES"))
			return to;
	}
	return NULL;
}

/* The product: the package the document describes. */
static const cJSON *product(const cJSON *root)
{
	const char *id = described(root);
	const cJSON *p;

	cJSON_ArrayForEach(p, (id ? sr_arr(root, "packages") : NULL))
	{
		const char *pid = sr_str(p, "SPDXID");
		if (pid && !strcmp(pid, id))
			return p;
	}
	return NULL;
}

/* CONTAINS: the product's are artifacts, a package's are its files. */
static int containment(struct sr *x, const cJSON *root, const char *product_id)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, sr_arr(root, "relationships"))
	{
		const char *from = sr_str(r, "spdxElementId"),
			   *type = sr_str(r, "relationshipType");
		const char *to = sr_str(r, "relatedSpdxElement");
		int rc;

		if (!from || !type || !to || strcmp(type, "CONTAINS"))
			continue;
		if (product_id && !strcmp(from, product_id))
			rc = strmap_put(&x->artifact, to, (void *)1);
		else
			rc = strmap_put(&x->file_comp, to, (void *)from);
		if (rc)
			return -ENOMEM;
	}
	return 0;
}

static const char *value_or_null(const char *s)
{
	return s && strcmp(s, "NOASSERTION") && strcmp(s, "NONE") ? s : NULL;
}

static int package(struct sr *x, const cJSON *p)
{
	struct sbom_component c = { 0 };
	const char *id = sr_str(p, "SPDXID"), *sup = value_or_null(sr_str(p, "supplier"));
	const cJSON *e;
	size_t wlen = 0;
	const char *word = sr_comment_kind(sr_str(p, "comment"), &wlen);

	if (!id)
		return sr_fail(x, -EBADMSG, "a package has no SPDXID");
	c.name = sr_str(p, "name");
	c.version = sr_str(p, "versionInfo");
	cJSON_ArrayForEach(e, sr_arr(p, "externalRefs"))
	{
		const char *t = sr_str(e, "referenceType"), *loc = sr_str(e, "referenceLocator");
		if (t && loc && !strcmp(t, "purl"))
			c.purl = loc;
		else if (t && loc && (!strcmp(t, "cpe23Type") || !strcmp(t, "cpe22Type")))
			c.cpe = loc;
	}
	c.kind = sr_kind(word, wlen, c.purl);
	c.license_declared = value_or_null(sr_str(p, "licenseDeclared"));
	c.license_concluded = value_or_null(sr_str(p, "licenseConcluded"));
	if (sup && !strncmp(sup, "Organization: ", 14))
		sup += 14;
	c.supplier = sup;
	c.download_location = value_or_null(sr_str(p, "downloadLocation"));
	c.homepage = value_or_null(sr_str(p, "homepage"));
	return sr_add_comp(x, id, &c);
}

static int file(struct sr *x, const cJSON *f)
{
	struct sbom_file sf = { .component = -1 };
	const char *id = sr_str(f, "SPDXID"), *name = sr_str(f, "fileName");
	const char *comment = sr_str(f, "comment");
	const cJSON *c;

	if (!id || !name)
		return sr_fail(x, -EBADMSG, "a file has no %s", id ? "fileName" : "SPDXID");
	sf.path = name[0] == '.' && name[1] == '/' ? name + 1 : name;
	cJSON_ArrayForEach(c, sr_arr(f, "checksums"))
	{
		const char *alg = sr_str(c, "algorithm"), *v = sr_str(c, "checksumValue");
		if (alg && v && !strcmp(alg, "SHA256"))
			sf.sha256 = v;
		else if (alg && v && !strcmp(alg, "SHA1"))
			sf.sha1 = v;
	}
	if (comment && !strncmp(comment, "role: ", 6))
		sf.role = sr_role(comment + 6);
	sf.is_artifact = comment && strstr(comment, "; build artifact") != NULL;
	return sr_add_file(x, id, &sf);
}

static int file_rels(struct sr *x, const cJSON *root)
{
	static const struct {
		const char *name;
		enum sbom_rel_type type;
	} types[] = {
		{ "GENERATED_FROM", SBOM_REL_GENERATED_FROM },
		{ "STATIC_LINK", SBOM_REL_STATIC_LINK },
		{ "DYNAMIC_LINK", SBOM_REL_DYNAMIC_LINK },
		{ "BUILD_TOOL_OF", SBOM_REL_BUILD_TOOL_OF },
	};
	const cJSON *r;

	cJSON_ArrayForEach(r, sr_arr(root, "relationships"))
	{
		const char *from = sr_str(r, "spdxElementId"),
			   *type = sr_str(r, "relationshipType");
		const char *to = sr_str(r, "relatedSpdxElement");

		for (size_t i = 0; from && to && type && i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(type, types[i].name) && sr_file_rel(x, from, to, types[i].type))
				return -ENOMEM;
	}
	return 0;
}

int sr_read_spdx2(struct sr *x, const cJSON *root)
{
	const cJSON *prod = product(root), *it;
	const char *prod_id = sr_str(prod, "SPDXID");
	int rc;

	if ((cJSON_GetObjectItemCaseSensitive(root, "packages") && !sr_arr(root, "packages")) ||
	    (cJSON_GetObjectItemCaseSensitive(root, "files") && !sr_arr(root, "files")))
		return sr_fail(x, -EBADMSG, "SPDX 2.3 'packages' and 'files' must be arrays");
	rc = sr_begin(x, prod ? sr_str(prod, "name") : sr_str(root, "name"),
		      sr_str(prod, "versionInfo"));
	if (!rc)
		rc = containment(x, root, prod_id);
	cJSON_ArrayForEach(it, sr_arr(root, "packages"))
	{
		if (rc)
			break;
		if (it != prod)
			rc = package(x, it);
	}
	cJSON_ArrayForEach(it, sr_arr(root, "files"))
	{
		if (rc)
			break;
		rc = file(x, it);
	}
	return rc ? rc : file_rels(x, root);
}
