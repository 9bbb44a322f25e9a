/*
 * vex_write.c - VEX documents (vex.h): CycloneDX 1.6 (a BOM whose components are the
 * binaries and the vulnerable component, with one vulnerabilities[] entry per binary) and
 * OpenVEX 0.2.0 (one statement per binary, the component as its subcomponent).  Built with
 * cJSON in a fixed order; identifiers are hashes of the content, the time is the caller's.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asbuilt/hash.h"
#include "asbuilt/purl.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/symbols.h"
#include "asbuilt/version.h"
#include "asbuilt/vex.h"

/* --- shared ----------------------------------------------------------------------------- */

static void iso8601(int64_t sec, char out[32])
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "1970-01-01T00:00:00Z");
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Feeds s and a separator into b. */
static void feed(struct sb *b, const char *s)
{
	sb_puts(b, s ? s : "\x1e");
	sb_putn(b, "\x1f", 1);
}

/* A version-4-shaped UUID from the SHA-256 of everything the document says, in out. */
static int doc_uuid(const struct vex_doc *d, const char *tag, char out[37])
{
	struct hash_result h;
	struct sb b = { 0 };
	char *s, n[32];

	feed(&b, tag);
	feed(&b, d->vuln);
	snprintf(n, sizeof(n), "%lld", (long long)d->created);
	feed(&b, n);
	for (size_t i = 0; i < d->n_components; i++)
		feed(&b, d->components[i]);
	for (size_t i = 0; i < d->n_symbols; i++)
		feed(&b, d->symbols[i]);
	for (size_t i = 0; i < d->n_products; i++) {
		const struct vex_verdict *v = d->products[i].verdict;

		feed(&b, d->products[i].path);
		feed(&b, d->products[i].sha256);
		feed(&b, vex_status_openvex(v->status));
		for (size_t k = 0; k < v->n_findings; k++)
			feed(&b, v->findings[k].evidence);
	}
	if (!(s = sb_done(&b)))
		return -ENOMEM;
	hash_buf(s, strlen(s), &h);
	free(s);
	h.sha256[12] = '4';
	h.sha256[16] = "89ab"[h.sha256[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h.sha256, h.sha256 + 8, h.sha256 + 12,
		 h.sha256 + 16, h.sha256 + 20);
	return 0;
}

/* The findings of v as one text: "SYMBOL: evidence" each, space-separated (new). */
static char *detail(const struct vex_verdict *v)
{
	struct sb b = { 0 };

	for (size_t i = 0; i < v->n_findings; i++) {
		if (i)
			sb_puts(&b, " ");
		sb_puts(&b, v->findings[i].symbol);
		sb_puts(&b, ": ");
		sb_puts(&b, v->findings[i].evidence);
	}
	return sb_done(&b);
}

static int put_str(cJSON *o, const char *k, const char *v)
{
	return v && cJSON_AddStringToObject(o, k, v) == NULL ? -ENOMEM : 0;
}

/* Prints root to f (formatted, newline-terminated) and deletes it. */
static int print(cJSON *root, int rc, FILE *f)
{
	char *text = !rc && root ? cJSON_Print(root) : NULL;

	if (!rc && !text)
		rc = -ENOMEM;
	if (!rc && (fputs(text, f) == EOF || fputc('\n', f) == EOF))
		rc = -EIO;
	free(text);
	cJSON_Delete(root);
	return rc;
}

/* --- CycloneDX ------------------------------------------------------------------------------ */

/* The bom-ref of product p: "binary-NAME-" + 16 hex digits of SHA-256(path, sha256). */
static void product_ref(const struct vex_product *p, char *out, size_t len)
{
	struct hash_result h;
	struct sb b = { 0 };
	char *s;

	feed(&b, p->path);
	feed(&b, p->sha256);
	s = sb_done(&b);
	hash_buf(s ? s : "", s ? strlen(s) : 0, &h);
	free(s);
	snprintf(out, len, "binary-%.64s-%.16s", base(p->path), h.sha256);
}

static cJSON *cdx_binary(const struct vex_product *p)
{
	cJSON *o = cJSON_CreateObject(), *hashes, *hsh, *props, *pr;
	char ref[128];

	product_ref(p, ref, sizeof(ref));
	put_str(o, "type", "application");
	put_str(o, "bom-ref", ref);
	put_str(o, "name", base(p->path));
	if (p->sha256 && (hashes = cJSON_AddArrayToObject(o, "hashes")) &&
	    (hsh = cJSON_CreateObject())) {
		cJSON_AddItemToArray(hashes, hsh);
		put_str(hsh, "alg", "SHA-256");
		put_str(hsh, "content", p->sha256);
	}
	if ((props = cJSON_AddArrayToObject(o, "properties")) && (pr = cJSON_CreateObject())) {
		cJSON_AddItemToArray(props, pr);
		put_str(pr, "name", "asbuilt:path");
		put_str(pr, "value", p->path);
	}
	return o;
}

/* The vulnerable component purl as a CycloneDX component (name and version from it). */
static cJSON *cdx_library(const char *purl)
{
	cJSON *o = cJSON_CreateObject();
	struct symbols_purl p;
	int parsed = symbols_purl_parse(purl, &p) == 0;

	put_str(o, "type", "library");
	put_str(o, "bom-ref", purl);
	put_str(o, "name", parsed ? p.name : purl);
	if (parsed)
		put_str(o, "version", p.version);
	put_str(o, "purl", purl);
	if (parsed)
		symbols_purl_release(&p);
	return o;
}

static int listed(cJSON *arr, const char *ref)
{
	cJSON *c;

	cJSON_ArrayForEach(c, arr)
	{
		cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "bom-ref");

		if (cJSON_IsString(r) && !strcmp(r->valuestring, ref))
			return 1;
	}
	return 0;
}

static void cdx_components(const struct vex_doc *d, cJSON *arr)
{
	for (size_t i = 0; i < d->n_products; i++)
		cJSON_AddItemToArray(arr, cdx_binary(&d->products[i]));
	for (size_t i = 0; i < d->n_products; i++) {
		const struct vex_verdict *v = d->products[i].verdict;

		for (size_t k = 0; k < v->n_subcomponents; k++)
			if (!listed(arr, v->subcomponents[k]))
				cJSON_AddItemToArray(arr, cdx_library(v->subcomponents[k]));
	}
}

static void cdx_props(const struct vex_doc *d, cJSON *v)
{
	cJSON *props = cJSON_AddArrayToObject(v, "properties"), *p;

	for (size_t i = 0; props && i < d->n_components; i++)
		if ((p = cJSON_CreateObject())) {
			cJSON_AddItemToArray(props, p);
			put_str(p, "name", "asbuilt:component");
			put_str(p, "value", d->components[i]);
		}
	for (size_t i = 0; props && i < d->n_symbols; i++)
		if ((p = cJSON_CreateObject())) {
			cJSON_AddItemToArray(props, p);
			put_str(p, "name", "asbuilt:vulnerable-symbol");
			put_str(p, "value", d->symbols[i]);
		}
}

static cJSON *cdx_vuln(const struct vex_doc *d, const struct vex_product *p)
{
	cJSON *o = cJSON_CreateObject(), *a, *src, *aff, *ref;
	char bref[128], vref[160], *text = detail(p->verdict);

	product_ref(p, bref, sizeof(bref));
	snprintf(vref, sizeof(vref), "vex-%s", bref + strlen("binary-"));
	put_str(o, "bom-ref", vref);
	put_str(o, "id", d->vuln);
	if (!strncmp(d->vuln, "CVE-", 4) && (src = cJSON_AddObjectToObject(o, "source"))) {
		char url[256];

		snprintf(url, sizeof(url), "https://nvd.nist.gov/vuln/detail/%s", d->vuln);
		put_str(src, "name", "NVD");
		put_str(src, "url", url);
	}
	if ((a = cJSON_AddObjectToObject(o, "analysis"))) {
		put_str(a, "state", vex_status_cyclonedx(p->verdict->status));
		put_str(a, "justification", vex_justification_cyclonedx(p->verdict->justification));
		put_str(a, "detail", text);
	}
	if ((aff = cJSON_AddArrayToObject(o, "affects")) && (ref = cJSON_CreateObject())) {
		cJSON_AddItemToArray(aff, ref);
		put_str(ref, "ref", bref);
	}
	cdx_props(d, o);
	free(text);
	return o;
}

int vex_write_cyclonedx(const struct vex_doc *d, FILE *f)
{
	cJSON *root = cJSON_CreateObject(), *m, *tools, *t, *comps, *vulns;
	char uuid[37], serial[48], ts[32];
	int rc = doc_uuid(d, "cyclonedx", uuid);

	if (rc || !root)
		return print(root, rc ? rc : -ENOMEM, f);
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	iso8601(d->created, ts);
	put_str(root, "bomFormat", "CycloneDX");
	put_str(root, "specVersion", "1.6");
	put_str(root, "serialNumber", serial);
	cJSON_AddNumberToObject(root, "version", 1);
	if ((m = cJSON_AddObjectToObject(root, "metadata"))) {
		put_str(m, "timestamp", ts);
		if ((tools = cJSON_AddObjectToObject(m, "tools")) && (t = cJSON_CreateObject())) {
			cJSON_AddItemToArray(cJSON_AddArrayToObject(tools, "components"), t);
			put_str(t, "type", "application");
			put_str(t, "name", "asbuilt");
			put_str(t, "version", ASBUILT_VERSION);
		}
	}
	if ((comps = cJSON_AddArrayToObject(root, "components")))
		cdx_components(d, comps);
	vulns = cJSON_AddArrayToObject(root, "vulnerabilities");
	for (size_t i = 0; vulns && i < d->n_products; i++)
		cJSON_AddItemToArray(vulns, cdx_vuln(d, &d->products[i]));
	return print(root, 0, f);
}

/* --- OpenVEX ---------------------------------------------------------------------------------- */

/* "pkg:generic/NAME?checksum=sha256:HEX" for product p (new), or NULL. */
static char *product_purl(const struct vex_product *p)
{
	struct sb b = { 0 };
	const char *name = base(p->path);

	sb_puts(&b, "pkg:generic/");
	purl_enc(&b, name, strlen(name), 0);
	if (p->sha256) {
		sb_puts(&b, "?checksum=sha256:");
		sb_puts(&b, p->sha256);
	}
	return sb_done(&b);
}

static cJSON *ovx_product(const struct vex_doc *d, const struct vex_product *p)
{
	cJSON *o = cJSON_CreateObject(), *ids, *h, *subs, *s;
	char *purl = product_purl(p);
	const struct vex_verdict *v = p->verdict;

	put_str(o, "@id", purl);
	if ((ids = cJSON_AddObjectToObject(o, "identifiers")))
		put_str(ids, "purl", purl);
	if (p->sha256 && (h = cJSON_AddObjectToObject(o, "hashes")))
		put_str(h, "sha-256", p->sha256);
	subs = cJSON_AddArrayToObject(o, "subcomponents");
	for (size_t k = 0; subs && k < v->n_subcomponents; k++)
		if ((s = cJSON_CreateObject())) {
			cJSON_AddItemToArray(subs, s);
			put_str(s, "@id", v->subcomponents[k]);
		}
	for (size_t k = 0; subs && !v->n_subcomponents && k < d->n_components; k++)
		if ((s = cJSON_CreateObject())) {
			cJSON_AddItemToArray(subs, s);
			put_str(s, "@id", d->components[k]);
		}
	free(purl);
	return o;
}

static cJSON *ovx_statement(const struct vex_doc *d, const struct vex_product *p)
{
	cJSON *o = cJSON_CreateObject(), *vu, *prods;
	const struct vex_verdict *v = p->verdict;
	char *text = detail(v), *act = NULL;

	if ((vu = cJSON_AddObjectToObject(o, "vulnerability")))
		put_str(vu, "name", d->vuln);
	if ((prods = cJSON_AddArrayToObject(o, "products")))
		cJSON_AddItemToArray(prods, ovx_product(d, p));
	put_str(o, "status", vex_status_openvex(v->status));
	if (v->status == VEX_NOT_AFFECTED) {
		put_str(o, "justification", vex_justification_openvex(v->justification));
		put_str(o, "impact_statement", text);
	} else {
		if (v->status == VEX_AFFECTED &&
		    asprintf(&act,
			     "Update the component to a release that fixes %s; a binary "
			     "that links it statically must also be rebuilt.",
			     d->vuln) < 0)
			act = NULL;
		put_str(o, "action_statement", act);
		put_str(o, "status_notes", text);
	}
	free(act);
	free(text);
	return o;
}

int vex_write_openvex(const struct vex_doc *d, FILE *f)
{
	cJSON *root = cJSON_CreateObject(), *st;
	char uuid[37], id[48], ts[32], tool[64];
	int rc = doc_uuid(d, "openvex", uuid);

	if (rc || !root)
		return print(root, rc ? rc : -ENOMEM, f);
	snprintf(id, sizeof(id), "urn:uuid:%s", uuid);
	snprintf(tool, sizeof(tool), "asbuilt %s", ASBUILT_VERSION);
	iso8601(d->created, ts);
	put_str(root, "@context", "https://openvex.dev/ns/v0.2.0");
	put_str(root, "@id", id);
	put_str(root, "author", "asbuilt");
	put_str(root, "timestamp", ts);
	cJSON_AddNumberToObject(root, "version", 1);
	put_str(root, "tooling", tool);
	st = cJSON_AddArrayToObject(root, "statements");
	for (size_t i = 0; st && i < d->n_products; i++)
		cJSON_AddItemToArray(st, ovx_statement(d, &d->products[i]));
	return print(root, 0, f);
}
