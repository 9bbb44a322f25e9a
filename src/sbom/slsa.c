/* slsa.c - SLSA provenance v1 in an in-toto Statement v1 (see slsa.h). */
#include "asbuilt/slsa.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asbuilt/dsse.h"
#include "asbuilt/gitoids.h"
#include "asbuilt/graph.h"
#include "asbuilt/provq.h"
#include "asbuilt/sbuf.h"

/* Adding to a tree with a sticky failure flag: after one allocation failure
 * everything is a no-op and the caller sees the flag once. */
struct jb {
	int failed;
};

static cJSON *jadd(struct jb *j, cJSON *parent, const char *name, cJSON *item)
{
	if (!item || !parent || j->failed ||
	    !(name ? cJSON_AddItemToObject(parent, name, item)
		   : cJSON_AddItemToArray(parent, item))) {
		cJSON_Delete(item);
		j->failed = 1;
		return NULL;
	}
	return item;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t l = s[0] < 0x80		   ? 1
		   : (s[0] & 0xe0) == 0xc0 ? 2
		   : (s[0] & 0xf0) == 0xe0 ? 3
		   : (s[0] & 0xf8) == 0xf0 ? 4
					   : 0;

	if (!l || l > n || (l == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < l; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return l;
}

/* A JSON string of n bytes at p; invalid UTF-8 (and NUL) becomes U+FFFD. */
static cJSON *jtext(const char *p, size_t n)
{
	struct sb b = { 0 };
	cJSON *r;
	char *s;

	for (size_t i = 0; i < n;) {
		size_t l = p[i] ? utf8_len((const unsigned char *)p + i, n - i) : 0;

		sb_putn(&b, l ? p + i : "\xef\xbf\xbd", l ? l : 3);
		i += l ? l : 1;
	}
	s = sb_done(&b);
	if (!s)
		return NULL;
	r = cJSON_CreateString(s);
	free(s);
	return r;
}

static cJSON *jstr(const char *s)
{
	return jtext(s, strlen(s));
}

char *slsa_file_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct sb b = { 0 };

	sb_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };

		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			sb_putn(&b, (const char *)p, 1);
		else
			sb_putn(&b, e, 3);
	}
	return sb_done(&b);
}

/* Nanoseconds since the epoch as RFC 3339 UTC, whole seconds:
 * "2025-01-31T12:00:00Z". */
static void rfc3339(int64_t ns, char out[32])
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The subject name of a path: relative to cwd when below it, else the path. */
static const char *subject_name(const char *path, const char *cwd)
{
	size_t n = strlen(cwd);

	if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

static const char *sort_cwd;

static int cmp_subject(const void *a, const void *b)
{
	const struct graph_version *x = *(const struct graph_version *const *)a;
	const struct graph_version *y = *(const struct graph_version *const *)b;

	return strcmp(subject_name(x->path, sort_cwd), subject_name(y->path, sort_cwd));
}

static void add_subjects(struct jb *j, cJSON *root, const struct graph *g, const char *cwd,
			 const struct graph_ivec *arts)
{
	const struct graph_version **v = calloc(arts->n + 1, sizeof(*v));
	cJSON *subj = jadd(j, root, "subject", cJSON_CreateArray());

	if (!v) {
		j->failed = 1;
		return;
	}
	for (size_t k = 0; k < arts->n; k++)
		v[k] = &g->v[arts->v[k]];
	sort_cwd = cwd;
	qsort(v, arts->n, sizeof(*v), cmp_subject);
	for (size_t k = 0; k < arts->n; k++) {
		cJSON *s, *d;

		if (!v[k]->sha256)
			continue; /* an artifact without content has no digest to state */
		s = jadd(j, subj, NULL, cJSON_CreateObject());
		jadd(j, s, "name", jstr(subject_name(v[k]->path, cwd)));
		d = jadd(j, s, "digest", cJSON_CreateObject());
		jadd(j, d, "sha256", cJSON_CreateString(v[k]->sha256));
	}
	free(v);
}

/* resolvedDependencies; returns how many versions had no hash. */
static size_t add_deps(struct jb *j, cJSON *def, const struct graph *g, const struct gitoids *ids,
		       const struct graph_ivec *arts)
{
	struct graph_ivec all = { 0 };
	cJSON *deps = jadd(j, def, "resolvedDependencies", cJSON_CreateArray());
	size_t nohash = 0;

	for (size_t k = 0; k < arts->n && !j->failed; k++)
		if (graph_closure(g, arts->v[k], &all))
			j->failed = 1;
	graph_sort_by_path(g, &all);
	for (size_t k = 0; k < all.n && !j->failed; k++) {
		const struct graph_version *v = &g->v[all.v[k]];
		const char *blob = gitoids_sha1(ids, all.v[k]);
		char *uri = slsa_file_uri(v->path);
		cJSON *r = jadd(j, deps, NULL, cJSON_CreateObject()), *d;

		jadd(j, r, "uri", uri ? cJSON_CreateString(uri) : NULL);
		free(uri);
		if (v->sha256) {
			d = jadd(j, r, "digest", cJSON_CreateObject());
			jadd(j, d, "sha256", cJSON_CreateString(v->sha256));
			if (blob)
				jadd(j, d, "gitBlob", cJSON_CreateString(blob));
		} else {
			d = jadd(j, r, "annotations", cJSON_CreateObject());
			jadd(j, d, "asbuiltState", cJSON_CreateString(v->state));
			nohash++;
		}
	}
	graph_ivec_release(&all);
	return nohash;
}

/* One byproduct saying why the record is incomplete: name "incomplete/REASON",
 * the text "REASON: DETAIL" as content (base64, text/plain), reason and detail
 * as annotations. */
static void add_reason(struct jb *j, cJSON *arr, const char *reason, const char *detail)
{
	cJSON *r = jadd(j, arr, NULL, cJSON_CreateObject()), *a;
	char *name = NULL, *text = NULL, *b64 = NULL;

	if (asprintf(&name, "incomplete/%s", reason) < 0)
		name = NULL;
	if (asprintf(&text, "%s%s%s", reason, detail ? ": " : "", detail ? detail : "") < 0)
		text = NULL;
	b64 = text ? dsse_b64_encode(text, strlen(text)) : NULL;
	jadd(j, r, "name", name ? jstr(name) : NULL);
	jadd(j, r, "content", b64 ? cJSON_CreateString(b64) : NULL);
	jadd(j, r, "mediaType", cJSON_CreateString("text/plain"));
	a = jadd(j, r, "annotations", cJSON_CreateObject());
	jadd(j, a, "reason", jstr(reason));
	if (detail)
		jadd(j, a, "detail", jstr(detail));
	free(name);
	free(text);
	free(b64);
}

static void add_external(struct jb *j, cJSON *def, const struct provq_build *b)
{
	cJSON *ext = jadd(j, def, "externalParameters", cJSON_CreateObject());
	cJSON *cmd = jadd(j, ext, "command", cJSON_CreateArray()), *in;
	size_t n = b->argv_len;

	if (n && b->argv[n - 1] == '\0')
		n--; /* "a\0b\0" and "a\0b" are the same argv */
	for (size_t i = 0; b->argv_len && i <= n;) {
		size_t l = strnlen(b->argv + i, n - i);

		jadd(j, cmd, NULL, jtext(b->argv + i, l));
		i += l + 1;
	}
	jadd(j, ext, "cwd", jstr(b->cwd));
	in = jadd(j, def, "internalParameters", cJSON_CreateObject());
	jadd(j, in, "backend", jstr(b->backend));
}

static void add_run(struct jb *j, cJSON *pred, const struct provq_build *b,
		    const struct slsa_reason *reasons, size_t nreasons, size_t nohash)
{
	cJSON *run = jadd(j, pred, "runDetails", cJSON_CreateObject());
	cJSON *bld = jadd(j, run, "builder", cJSON_CreateObject()), *ver, *meta, *by;
	char id[32], t[32];

	jadd(j, bld, "id", cJSON_CreateString(SLSA_BUILDER_ID));
	ver = jadd(j, bld, "version", cJSON_CreateObject());
	jadd(j, ver, "asbuilt", cJSON_CreateString(ASBUILT_VERSION));
	meta = jadd(j, run, "metadata", cJSON_CreateObject());
	snprintf(id, sizeof(id), "%lld", (long long)b->id);
	jadd(j, meta, "invocationId", cJSON_CreateString(id));
	rfc3339(b->started_ns, t);
	jadd(j, meta, "startedOn", cJSON_CreateString(t));
	if (b->ended_ns) {
		rfc3339(b->ended_ns, t);
		jadd(j, meta, "finishedOn", cJSON_CreateString(t));
	}
	if (b->complete && !nreasons && !nohash)
		return;
	by = jadd(j, run, "byproducts", cJSON_CreateArray());
	for (size_t i = 0; i < nreasons; i++)
		add_reason(j, by, reasons[i].reason, reasons[i].detail);
	if (!b->complete && !nreasons)
		add_reason(j, by, "other", "the build row is not marked complete");
	if (nohash) {
		snprintf(id, sizeof(id), "%zu", nohash);
		add_reason(j, by, "unhashed-inputs", id);
	}
}

char *slsa_statement(const struct graph *g, const struct gitoids *ids, const struct provq_build *b,
		     const struct slsa_reason *reasons, size_t nreasons,
		     const struct graph_ivec *arts, int pretty, size_t *len)
{
	struct jb j = { 0 };
	cJSON *root = cJSON_CreateObject(), *pred, *def;
	char *text = NULL, *out = NULL;
	size_t nohash;

	jadd(&j, root, "_type", cJSON_CreateString(SLSA_STATEMENT_TYPE));
	add_subjects(&j, root, g, b->cwd, arts);
	jadd(&j, root, "predicateType", cJSON_CreateString(SLSA_PREDICATE_TYPE));
	pred = jadd(&j, root, "predicate", cJSON_CreateObject());
	def = jadd(&j, pred, "buildDefinition", cJSON_CreateObject());
	jadd(&j, def, "buildType", cJSON_CreateString(SLSA_BUILD_TYPE));
	add_external(&j, def, b);
	nohash = add_deps(&j, def, g, ids, arts);
	add_run(&j, pred, b, reasons, nreasons, nohash);
	if (!j.failed)
		text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	if (text && asprintf(&out, "%s%s", text, pretty ? "\n" : "") < 0)
		out = NULL;
	cJSON_free(text);
	cJSON_Delete(root);
	if (!out)
		errno = ENOMEM;
	else
		*len = strlen(out);
	return out;
}

/* --- from the database
 * -------------------------------------------------------------- */

struct reasons {
	struct slsa_reason *r;
	size_t n, cap;
};

static int on_reason(const char *reason, const char *detail, void *ctx)
{
	struct reasons *R = ctx;
	struct slsa_reason *r;

	if (R->n == R->cap) {
		size_t cap = R->cap ? 2 * R->cap : 8;
		void *p = realloc(R->r, cap * sizeof(*R->r));

		if (!p)
			return -ENOMEM;
		R->r = p;
		R->cap = cap;
	}
	r = &R->r[R->n];
	r->reason = strdup(reason);
	r->detail = detail ? strdup(detail) : NULL;
	if (!r->reason || (detail && !r->detail)) {
		free((char *)r->reason);
		free((char *)r->detail);
		return -ENOMEM;
	}
	R->n++;
	return 0;
}

static void reasons_release(struct reasons *R)
{
	for (size_t i = 0; i < R->n; i++) {
		free((char *)R->r[i].reason);
		free((char *)R->r[i].detail);
	}
	free(R->r);
}

int slsa_write(struct store *st, const struct graph *g, const struct graph_ivec *arts,
	       struct evp_pkey_st *sign_key, FILE *out)
{
	struct provq_build b;
	struct gitoids ids = { 0 };
	struct reasons R = { 0 };
	char *text = NULL, *env = NULL;
	size_t len = 0;
	int rc;

	rc = provq_build_get(st, g->build_id, &b);
	if (!rc)
		rc = provq_each_incomplete(st, g->build_id, on_reason, &R);
	if (!rc)
		rc = gitoids_load(st, g, &ids);
	if (rc)
		goto out;
	text = slsa_statement(g, &ids, &b, R.r, R.n, arts, !sign_key, &len);
	if (text && sign_key)
		env = dsse_sign(sign_key, DSSE_INTOTO_TYPE, text, len);
	if (!text || (sign_key && !env)) {
		rc = -ENOMEM;
		goto out;
	}
	if (sign_key)
		len = strlen(env);
	if (fwrite(env ? env : text, 1, len, out) != len || fflush(out))
		rc = -EIO;
out:
	free(env);
	free(text);
	gitoids_release(&ids);
	reasons_release(&R);
	provq_build_release(&b);
	return rc;
}
