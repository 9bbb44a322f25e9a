/* sbomread.c - reading an SBOM back into the model: loading, format detection and what the
 * three readers share (sbomread.h). */
#include "sbomread_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sbomread_format_name(enum sbomread_format f)
{
	switch (f) {
	case SBOMREAD_SPDX2:
		return "SPDX 2.3";
	case SBOMREAD_SPDX3:
		return "SPDX 3.0.1";
	case SBOMREAD_CYCLONEDX:
		return "CycloneDX 1.6";
	}
	return "unknown";
}

int sr_begin(struct sr *x, const char *name, const char *version)
{
	x->d = sbom_doc_new(name && *name ? name : "unnamed", version && *version ? version : NULL);
	if (!x->d)
		return -ENOMEM;
	x->r->doc = x->d;
	return 0;
}

int sr_fail(struct sr *x, int rc, const char *fmt, ...)
{
	va_list ap;

	if (x->err && x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

const char *sr_str(const cJSON *obj, const char *name)
{
	const cJSON *s = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

const cJSON *sr_arr(const cJSON *obj, const char *name)
{
	const cJSON *a = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;

	return cJSON_IsArray(a) ? a : NULL;
}

const char *sr_prop(const cJSON *obj, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, sr_arr(obj, "properties"))
	{
		const char *n = sr_str(p, "name");
		if (n && !strcmp(n, name))
			return sr_str(p, "value");
	}
	return NULL;
}

enum sbom_comp_kind sr_kind(const char *word, size_t wlen, const char *purl)
{
	static const char *const names[] = {
		[SBOM_COMP_GENERIC] = "generic", [SBOM_COMP_DEB] = "deb",
		[SBOM_COMP_RPM] = "rpm",	 [SBOM_COMP_APK] = "apk",
		[SBOM_COMP_GIT] = "git",	 [SBOM_COMP_NPM] = "npm",
		[SBOM_COMP_PROJECT] = "project", [SBOM_COMP_UNRESOLVED] = "unresolved",
	};
	size_t n = sizeof(names) / sizeof(names[0]);

	for (size_t i = 0; word && i < n; i++)
		if (strlen(names[i]) == wlen && !strncmp(word, names[i], wlen))
			return (enum sbom_comp_kind)i;
	if (purl && !strncmp(purl, "pkg:", 4)) {
		const char *t = purl + 4, *e = strchr(t, '/');
		for (size_t i = 0; e && i < n; i++)
			if (strlen(names[i]) == (size_t)(e - t) && !strncmp(t, names[i], e - t))
				return (enum sbom_comp_kind)i;
		if (!strncmp(t, "github/", 7))
			return SBOM_COMP_GIT;
	}
	return SBOM_COMP_GENERIC;
}

enum sbom_file_role sr_role(const char *s)
{
	static const struct {
		const char *name;
		enum sbom_file_role role;
	} roles[] = {
		{ "source", SBOM_ROLE_SOURCE },
		{ "header", SBOM_ROLE_HEADER },
		{ "object", SBOM_ROLE_OBJECT },
		{ "archive", SBOM_ROLE_ARCHIVE },
		{ "executable", SBOM_ROLE_EXECUTABLE },
		{ "shared-library", SBOM_ROLE_SHARED_LIBRARY },
	};

	for (size_t i = 0; s && i < sizeof(roles) / sizeof(roles[0]); i++) {
		size_t n = strlen(roles[i].name);
		if (!strncmp(s, roles[i].name, n) && (s[n] == '\0' || s[n] == ';'))
			return roles[i].role;
	}
	return SBOM_ROLE_OTHER;
}

const char *sr_comment_kind(const char *comment, size_t *len)
{
	const char *sp;

	if (!comment || !(sp = strstr(comment, " component")))
		return NULL;
	if (memchr(comment, ' ', sp - comment) || memchr(comment, ';', sp - comment))
		return NULL;
	*len = sp - comment;
	return comment;
}

static int idx(const struct strmap *m, const char *id)
{
	void *v = id ? strmap_get(m, id) : NULL;

	return v ? (int)((intptr_t)v - 1) : -1;
}

int sr_file(const struct sr *x, const char *id)
{
	return idx(&x->files, id);
}

int sr_comp(const struct sr *x, const char *id)
{
	return idx(&x->comps, id);
}

int sr_add_comp(struct sr *x, const char *id, const struct sbom_component *c)
{
	int i = sbom_add_component(x->d, c);

	if (i == -EINVAL)
		return sr_fail(x, -EBADMSG, "component '%s' has no name", id ? id : "?");
	if (i < 0)
		return i;
	if (id && strmap_put(&x->comps, id, (void *)(intptr_t)(i + 1)))
		return -ENOMEM;
	return 0;
}

int sr_add_file(struct sr *x, const char *id, struct sbom_file *f)
{
	int i;

	if (!f->path || f->path[0] != '/')
		return sr_fail(x, -EBADMSG, "file '%s' has no absolute path", id ? id : "?");
	if (!f->sha256 || strlen(f->sha256) != 64) {
		x->r->n_unhashed++;
		return 0;
	}
	f->component = id ? sr_comp(x, strmap_get(&x->file_comp, id)) : -1;
	f->is_artifact = f->is_artifact || (id && strmap_get(&x->artifact, id));
	i = sbom_add_file(x->d, f);
	if (i < 0)
		return i == -EINVAL ? sr_fail(x, -EBADMSG, "file '%s' is malformed", f->path) : i;
	if (id && strmap_put(&x->files, id, (void *)(intptr_t)(i + 1)))
		return -ENOMEM;
	return 0;
}

int sr_file_rel(struct sr *x, const char *from, const char *to, enum sbom_rel_type type)
{
	int a = sr_file(x, from), b = sr_file(x, to);

	if (a < 0 || b < 0)
		return 0;
	return sbom_add_rel(x->d, SBOM_NODE_FILE, a, SBOM_NODE_FILE, b, type) == -ENOMEM ? -ENOMEM
											 : 0;
}

int sr_ints_push(struct sr_ints *a, int v)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		int *p = realloc(a->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		a->v = p;
		a->cap = cap;
	}
	a->v[a->n++] = v;
	return 0;
}

/* --- detection ----------------------------------------------------------------------- */

static int context_is_spdx3(const cJSON *ctx)
{
	const cJSON *c;

	if (cJSON_IsString(ctx))
		return strstr(ctx->valuestring, "spdx.org/rdf/3.0") != NULL;
	cJSON_ArrayForEach(
		c, (cJSON_IsArray(ctx) ? ctx : NULL)) if (cJSON_IsString(c) &&
							  strstr(c->valuestring,
								 "spdx.org/rdf/3.0")) return 1;
	return 0;
}

static int detect(struct sr *x, const cJSON *root)
{
	const char *v;

	if (!cJSON_IsObject(root))
		return sr_fail(x, -EPROTO, "JSON, but not an SBOM (not an object)");
	if ((v = sr_str(root, "spdxVersion"))) {
		if (strcmp(v, "SPDX-2.3") && strcmp(v, "SPDX-2.2"))
			return sr_fail(x, -EPROTO,
				       "an SPDX document of version '%s'; asbuilt "
				       "reads SPDX-2.3 (and 3.0.1 JSON-LD)",
				       v);
		x->r->format = SBOMREAD_SPDX2;
		return 0;
	}
	if ((v = sr_str(root, "bomFormat")) && !strcmp(v, "CycloneDX")) {
		v = sr_str(root, "specVersion");
		if (!v || strncmp(v, "1.", 2) || atoi(v + 2) < 4)
			return sr_fail(x, -EPROTO,
				       "a CycloneDX document of version '%s'; asbuilt "
				       "reads CycloneDX 1.4 to 1.6",
				       v ? v : "?");
		x->r->format = SBOMREAD_CYCLONEDX;
		return 0;
	}
	if (context_is_spdx3(cJSON_GetObjectItemCaseSensitive(root, "@context"))) {
		x->r->format = SBOMREAD_SPDX3;
		return 0;
	}
	return sr_fail(x, -EPROTO,
		       "JSON, but not an SBOM asbuilt reads (SPDX 2.3, SPDX 3.0.1 "
		       "or CycloneDX 1.6)");
}

static int parse_root(struct sr *x, const cJSON *root)
{
	int rc = detect(x, root);

	if (rc)
		return rc;
	switch (x->r->format) {
	case SBOMREAD_SPDX2:
		return sr_read_spdx2(x, root);
	case SBOMREAD_CYCLONEDX:
		return sr_read_cdx(x, root);
	case SBOMREAD_SPDX3:
		return sr_read_spdx3(x, root);
	}
	return -EPROTO;
}

int sbomread_parse(const char *json, size_t len, struct sbomread **out, char *err, size_t errlen)
{
	struct sr x = { .err = err, .errlen = errlen };
	const char *end = NULL;
	cJSON *root;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		size_t at = end && end >= json ? (size_t)(end - json) : 0, n = len;
		while (n && strchr(" \t\r\n", json[n - 1]))
			n--;
		if (n && json[0] == '{' && (json[n - 1] != '}' || at + 1 >= n))
			return sr_fail(&x, -EINVAL,
				       "truncated: the JSON ends after %zu bytes, "
				       "before the document is complete",
				       n);
		return sr_fail(&x, -EINVAL, "not JSON (the text goes wrong near byte %zu of %zu)",
			       at, len);
	}
	x.r = calloc(1, sizeof(*x.r));
	rc = x.r ? parse_root(&x, root) : -ENOMEM;
	cJSON_Delete(root);
	strmap_release(&x.files);
	strmap_release(&x.comps);
	strmap_release(&x.file_comp);
	strmap_release(&x.artifact);
	if (rc) {
		if (rc == -ENOMEM)
			sr_fail(&x, rc, "out of memory");
		sbomread_free(x.r);
		return rc;
	}
	*out = x.r;
	return 0;
}

/* The whole file at path as a new NUL-terminated buffer of *len bytes, or NULL (errno). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(p = realloc(buf, cap + 1))) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int sbomread_load(const char *path, struct sbomread **out, char *err, size_t errlen)
{
	char msg[512];
	size_t len;
	char *buf = slurp(path, &len);
	int rc;

	*out = NULL;
	if (!buf) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot read SBOM '%s': %s", path, strerror(errno));
		return rc;
	}
	rc = sbomread_parse(buf, len, out, msg, sizeof(msg));
	if (rc && err && errlen)
		snprintf(err, errlen, "'%s': %s", path, msg);
	free(buf);
	return rc;
}

void sbomread_free(struct sbomread *r)
{
	if (!r)
		return;
	sbom_doc_free(r->doc);
	free(r);
}

int sbomread_split_shell(const char *line, char ***argv, size_t *argc)
{
	size_t len = strlen(line), n = 0, maxw = len / 2 + 2;
	char **v = malloc(maxw * sizeof(*v) + len + 1), *o;
	const char *s = line;

	if (!v)
		return -ENOMEM;
	o = (char *)(v + maxw);
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		v[n++] = o;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s == '\'') {
				const char *e = strchr(s + 1, '\'');
				if (!e)
					goto bad;
				memcpy(o, s + 1, e - s - 1);
				o += e - s - 1;
				s = e + 1;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && s[1] && strchr("\"\\$`\n", s[1]))
						s++;
					*o++ = *s;
				}
				if (*s++ != '"')
					goto bad;
			} else if (*s == '\\' && s[1]) {
				*o++ = s[1];
				s += 2;
			} else {
				*o++ = *s++;
			}
		}
		*o++ = '\0';
	}
	v[n] = NULL;
	*argv = v;
	*argc = n;
	return 0;
bad:
	free(v);
	return -EINVAL;
}
