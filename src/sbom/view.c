/* view.c - the sorted, keyed view of an SBOM document that the writers share. */
#include "internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static __thread int json_failed;

/* ---- hashing -------------------------------------------------------------------------- */

/* Feeds s and a NUL separator (NULL feeds a lone 0x01 so that NULL != ""). */
static void feed(EVP_MD_CTX *c, const char *s)
{
	static const char none = 1;

	if (s)
		EVP_DigestUpdate(c, s, strlen(s) + 1);
	else
		EVP_DigestUpdate(c, &none, 1);
}

static void feed_int(EVP_MD_CTX *c, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	feed(c, buf);
}

static void hexn(const unsigned char *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* hex = the first nhex hex digits of SHA-256(a NUL b NUL c NUL d NUL). */
static int short_hash(const char *a, const char *b, const char *c, const char *d, char *hex,
		      size_t nhex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char full[2 * EVP_MAX_MD_SIZE + 1];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	feed(ctx, a);
	feed(ctx, b);
	feed(ctx, c);
	feed(ctx, d);
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	hexn(md, 32, full);
	memcpy(hex, full, nhex);
	hex[nhex] = '\0';
	return 0;
}

void sbom_short_hash(const char *s, char *hex, size_t nhex)
{
	if (short_hash(s, NULL, NULL, NULL, hex, nhex))
		memset(hex, '0', nhex), hex[nhex] = '\0';
}

/* ---- keys ----------------------------------------------------------------------------- */

/* Appends s to out (at *n, capacity cap) with every byte outside [A-Za-z0-9.-] as '-',
 * at most max bytes. */
static void put_clean(char *out, size_t *n, size_t cap, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max && *n + 1 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
		out[(*n)++] = ok ? (char)ch : '-';
	}
	out[*n] = '\0';
}

static char *make_key(const char *prefix, const char *a, const char *b, const char *hash)
{
	char buf[200];
	size_t n = 0;

	put_clean(buf, &n, sizeof(buf), prefix, 20);
	put_clean(buf, &n, sizeof(buf), a, 48);
	if (b && *b) {
		put_clean(buf, &n, sizeof(buf), "-", 1);
		put_clean(buf, &n, sizeof(buf), b, 32);
	}
	if (hash) {
		put_clean(buf, &n, sizeof(buf), "-", 1);
		put_clean(buf, &n, sizeof(buf), hash, 16);
	}
	return strdup(buf);
}

const char *sbom_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static int file_key(const struct sbom_file *f, char **out)
{
	char h[17];

	if (short_hash(f->path, f->sha256, NULL, NULL, h, 16))
		return -ENOMEM;
	*out = make_key("File-", sbom_basename(f->path), NULL, h);
	return *out ? 0 : -ENOMEM;
}

static int comp_key(const struct sbom_component *c, char **out)
{
	char h[13];

	if (short_hash(sbom_kind_name(c->kind), c->name, c->version, c->purl, h, 12))
		return -ENOMEM;
	*out = make_key("Package-", c->name, c->version, h);
	return *out ? 0 : -ENOMEM;
}

const char *sbom_view_key(const struct sbom_view *v, enum sbom_node k, int i)
{
	switch (k) {
	case SBOM_NODE_DOCUMENT:
		return "DOCUMENT";
	case SBOM_NODE_PRODUCT:
		return v->product_key;
	case SBOM_NODE_COMPONENT:
		return v->comp_key[i];
	case SBOM_NODE_FILE:
		return v->file_key[i];
	}
	return "";
}

/* ---- ordering ------------------------------------------------------------------------- */

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_files(const void *a, const void *b, void *ctx)
{
	const struct sbom_file *f = ((const struct sbom_view *)ctx)->d->files;
	const struct sbom_file *x = &f[*(const size_t *)a], *y = &f[*(const size_t *)b];
	int r = strcmp(x->path, y->path);

	return r ? r : strcmp(x->sha256, y->sha256);
}

static int cmp_comps(const void *a, const void *b, void *ctx)
{
	const struct sbom_view *v = ctx;
	const struct sbom_component *x = &v->d->comps[*(const size_t *)a];
	const struct sbom_component *y = &v->d->comps[*(const size_t *)b];
	int r = cmp_str(x->name, y->name);

	if (!r)
		r = cmp_str(x->version, y->version);
	if (!r)
		r = strcmp(v->comp_key[*(const size_t *)a], v->comp_key[*(const size_t *)b]);
	return r;
}

static int cmp_steps(const void *a, const void *b, void *ctx)
{
	const struct sbom_step *s = ((const struct sbom_view *)ctx)->d->steps;
	const struct sbom_step *x = &s[*(const size_t *)a], *y = &s[*(const size_t *)b];
	int r;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	if (x->end_ns != y->end_ns)
		return x->end_ns < y->end_ns ? -1 : 1;
	for (size_t i = 0; i < x->argc && i < y->argc; i++)
		if ((r = cmp_str(x->argv[i], y->argv[i])))
			return r;
	if (x->argc != y->argc)
		return x->argc < y->argc ? -1 : 1;
	if ((r = cmp_str(x->cwd, y->cwd)))
		return r;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1; /* insertion order */
}

static int cmp_rels(const void *a, const void *b, void *ctx)
{
	const struct sbom_view *v = ctx;
	const struct sbom_rel *x = a, *y = b;
	int r = strcmp(sbom_view_key(v, x->from_kind, x->from),
		       sbom_view_key(v, y->from_kind, y->from));

	if (r)
		return r;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp(sbom_view_key(v, x->to_kind, x->to), sbom_view_key(v, y->to_kind, y->to));
}

static size_t *identity(size_t n)
{
	size_t *o = malloc((n ? n : 1) * sizeof(*o));

	for (size_t i = 0; o && i < n; i++)
		o[i] = i;
	return o;
}

/* The document's relationships plus the implied ones, sorted, without duplicates. */
static int collect_rels(struct sbom_view *v)
{
	const struct sbom_doc *d = v->d;
	size_t n = 0, max = d->n_rels + 2 * d->n_files + 1;
	struct sbom_rel *r = malloc(max * sizeof(*r));

	if (!r)
		return -ENOMEM;
	memcpy(r, d->rels, d->n_rels * sizeof(*r));
	n = d->n_rels;
	r[n++] = (struct sbom_rel){ SBOM_NODE_DOCUMENT, SBOM_NODE_PRODUCT, 0, 0,
				    SBOM_REL_DESCRIBES };
	for (size_t i = 0; i < d->n_files; i++) {
		if (d->files[i].is_artifact)
			r[n++] = (struct sbom_rel){ SBOM_NODE_PRODUCT, SBOM_NODE_FILE, 0, (int)i,
						    SBOM_REL_CONTAINS };
		if (d->files[i].component >= 0)
			r[n++] = (struct sbom_rel){ SBOM_NODE_COMPONENT, SBOM_NODE_FILE,
						    d->files[i].component, (int)i,
						    SBOM_REL_CONTAINS };
	}
	qsort_r(r, n, sizeof(*r), cmp_rels, v);
	v->n_rels = 0;
	for (size_t i = 0; i < n; i++)
		if (!v->n_rels || cmp_rels(&r[v->n_rels - 1], &r[i], v))
			r[v->n_rels++] = r[i];
	v->rels = r;
	return 0;
}

/* ---- UUID ----------------------------------------------------------------------------- */

/* SHA-256 over the format tag, the product, the creation time, every file (path, sha256) and
 * component key in output order, the relationships, the steps' argv and the incompleteness
 * reasons; its first 16 bytes with the version nibble set to 4 and the variant to 10xx. */
static int make_uuid(struct sbom_view *v, const char *tag)
{
	const struct sbom_doc *d = v->d;
	unsigned char md[EVP_MAX_MD_SIZE];
	char h[33];
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		return -ENOMEM;
	}
	feed(c, tag);
	feed(c, d->name);
	feed(c, d->version);
	if (d->product.purl) /* only when set: documents without one keep their UUID */
		feed(c, d->product.purl);
	feed_int(c, d->created);
	for (size_t i = 0; i < d->n_files; i++) {
		feed(c, d->files[v->file_order[i]].path);
		feed(c, d->files[v->file_order[i]].sha256);
	}
	for (size_t i = 0; i < d->n_comps; i++)
		feed(c, v->comp_key[v->comp_order[i]]);
	for (size_t i = 0; i < v->n_rels; i++) {
		feed(c, sbom_view_key(v, v->rels[i].from_kind, v->rels[i].from));
		feed(c, sbom_rel_name(v->rels[i].type));
		feed(c, sbom_view_key(v, v->rels[i].to_kind, v->rels[i].to));
	}
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct sbom_step *s = &d->steps[v->step_order[i]];
		for (size_t j = 0; j < s->argc; j++)
			feed(c, s->argv[j]);
		feed_int(c, s->start_ns);
	}
	for (size_t i = 0; i < d->n_reasons; i++) {
		feed(c, d->reasons[i].reason);
		feed(c, d->reasons[i].detail);
	}
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	hexn(md, 16, h);
	snprintf(v->uuid, sizeof(v->uuid), "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16,
		 h + 20);
	return 0;
}

/* ---- the view ------------------------------------------------------------------------- */

int sbom_view_init(struct sbom_view *v, const struct sbom_doc *d, const char *tag)
{
	char buf[160];
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	json_failed = 0;
	v->d = d;
	v->file_key = calloc(d->n_files + 1, sizeof(char *));
	v->comp_key = calloc(d->n_comps + 1, sizeof(char *));
	v->file_order = identity(d->n_files);
	v->comp_order = identity(d->n_comps);
	v->step_order = identity(d->n_steps);
	v->product_key = make_key("Product-", d->name, NULL, NULL);
	if (!v->file_key || !v->comp_key || !v->file_order || !v->comp_order || !v->step_order ||
	    !v->product_key)
		goto fail;
	for (size_t i = 0; i < d->n_files; i++)
		if (file_key(&d->files[i], &v->file_key[i]))
			goto fail;
	for (size_t i = 0; i < d->n_comps; i++)
		if (comp_key(&d->comps[i], &v->comp_key[i]))
			goto fail;
	qsort_r(v->file_order, d->n_files, sizeof(size_t), cmp_files, v);
	qsort_r(v->comp_order, d->n_comps, sizeof(size_t), cmp_comps, v);
	qsort_r(v->step_order, d->n_steps, sizeof(size_t), cmp_steps, v);
	if (collect_rels(v) || make_uuid(v, tag))
		goto fail;
	sbom_iso8601(d->created, v->created);
	strcpy(buf, "https://spdx.org/spdxdocs/asbuilt-");
	n = strlen(buf);
	put_clean(buf, &n, sizeof(buf), d->name, 64);
	put_clean(buf, &n, sizeof(buf), "-", 1);
	put_clean(buf, &n, sizeof(buf), v->uuid, 36);
	v->ns = strdup(buf);
	if (!v->ns)
		goto fail;
	return 0;
fail:
	sbom_view_release(v);
	return -ENOMEM;
}

void sbom_view_release(struct sbom_view *v)
{
	for (size_t i = 0; v->file_key && i < v->d->n_files; i++)
		free(v->file_key[i]);
	for (size_t i = 0; v->comp_key && i < v->d->n_comps; i++)
		free(v->comp_key[i]);
	free(v->file_key);
	free(v->comp_key);
	free(v->file_order);
	free(v->comp_order);
	free(v->step_order);
	free(v->product_key);
	free(v->rels);
	free(v->ns);
	memset(v, 0, sizeof(*v));
}

/* ---- output --------------------------------------------------------------------------- */

void sbom_iso8601(int64_t sec, char out[32])
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *sbom_incomplete_text(const struct sbom_doc *d)
{
	size_t len = 64;
	char *s;

	for (size_t i = 0; i < d->n_reasons; i++)
		len += strlen(d->reasons[i].reason) + 8 +
		       (d->reasons[i].detail ? strlen(d->reasons[i].detail) : 0);
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "record incomplete: ");
	for (size_t i = 0; i < d->n_reasons; i++) {
		if (i)
			strcat(s, "; ");
		strcat(s, d->reasons[i].reason);
		if (d->reasons[i].detail) {
			strcat(s, " (");
			strcat(s, d->reasons[i].detail);
			strcat(s, ")");
		}
	}
	return s;
}

/* fputs(text) with indent written after every newline; 0 or EOF. */
static int put_indented(const char *text, const char *indent, FILE *out)
{
	const char *nl;

	if (!*indent)
		return fputs(text, out) == EOF ? EOF : 0;
	for (; (nl = strchr(text, '\n')); text = nl + 1)
		if (fwrite(text, 1, (size_t)(nl - text) + 1, out) != (size_t)(nl - text) + 1 ||
		    fputs(indent, out) == EOF)
			return EOF;
	return fputs(text, out) == EOF ? EOF : 0;
}

int sbom_json_write(cJSON *item, const char *indent, FILE *out)
{
	char *text = NULL;
	int r = 0;

	if (json_failed || !item)
		r = -ENOMEM;
	else if (!(text = cJSON_Print(item)))
		r = -ENOMEM;
	else if (put_indented(text, indent, out) == EOF)
		r = -EIO;
	free(text);
	cJSON_Delete(item);
	return r;
}

int sbom_json_emit(cJSON *root, FILE *out)
{
	int r = sbom_json_write(root, "", out);

	if (!r && (fputc('\n', out) == EOF || fflush(out) == EOF))
		r = -EIO;
	json_failed = 0;
	return r;
}

static cJSON *check(cJSON *item)
{
	if (!item)
		json_failed = 1;
	return item;
}

static cJSON *attach(cJSON *obj, const char *name, cJSON *item)
{
	if (!item || !obj) {
		cJSON_Delete(item);
		json_failed = 1;
		return NULL;
	}
	if (name ? !cJSON_AddItemToObject(obj, name, item) : !cJSON_AddItemToArray(obj, item)) {
		cJSON_Delete(item);
		json_failed = 1;
		return NULL;
	}
	return item;
}

cJSON *sbom_jstr(cJSON *obj, const char *name, const char *value)
{
	return value ? attach(obj, name, check(cJSON_CreateString(value))) : NULL;
}

cJSON *sbom_jarr(cJSON *obj, const char *name)
{
	return attach(obj, name, check(cJSON_CreateArray()));
}

cJSON *sbom_jobj(cJSON *obj, const char *name)
{
	return attach(obj, name, check(cJSON_CreateObject()));
}

cJSON *sbom_jpush_str(cJSON *arr, const char *value)
{
	return value ? attach(arr, NULL, check(cJSON_CreateString(value))) : NULL;
}

cJSON *sbom_jpush_obj(cJSON *arr)
{
	return attach(arr, NULL, check(cJSON_CreateObject()));
}

cJSON *sbom_jnum(cJSON *obj, const char *name, double value)
{
	return attach(obj, name, check(cJSON_CreateNumber(value)));
}

cJSON *sbom_jbool(cJSON *obj, const char *name, int value)
{
	return attach(obj, name, check(cJSON_CreateBool(value)));
}
