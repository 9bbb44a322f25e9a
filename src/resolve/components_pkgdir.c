/* components_pkgdir.c - package directories of the npm, PyPI, cargo and Go ecosystems:
 * which package a file in node_modules/NAME, site-packages, the cargo registry or the Go
 * module cache belongs to, read from the metadata the package manager left there. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/licscan.h"
#include "asbuilt/map.h"
#include "asbuilt/spdxlic.h"
#include "components_internal.h"

static void free_str(const char *key, void *v, void *ctx)
{
	(void)key;
	(void)ctx;
	free(v);
}

static void free_records(const char *key, void *v, void *ctx)
{
	struct strmap *m = v;

	(void)key;
	(void)ctx;
	if (m) {
		strmap_each(m, free_str, NULL); /* values: dist-info names */
		strmap_release(m);
		free(m);
	}
}

void comp_pkgdir_release(struct strmap *records)
{
	strmap_each(records, free_records, NULL);
	strmap_release(records);
}

/* --- reading metadata ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t max)
{
	FILE *fp = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;

	if (!fp)
		return NULL;
	if ((s = malloc(max + 1)))
		s[n = fread(s, 1, max, fp)] = 0;
	fclose(fp);
	return s;
}

static int exists(const char *path)
{
	struct stat sb;
	return path && stat(path, &sb) == 0;
}

/* A license field as an SPDX expression: kept when valid, else normalised. */
static char *spdx(const char *s)
{
	char *e = NULL;

	if (!s || !*s)
		return NULL;
	if (licscan_parse(s, &e) == 0)
		return e;
	return spdxlic_normalize(s);
}

static char *json_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
}

/* package.json "license": "MIT", {"type": "MIT"}, or the old "licenses": [{"type": ...}]. */
static char *npm_license(const cJSON *pj)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(pj, "license"), *e;
	char *r = NULL, *t;

	if (cJSON_IsString(l))
		return spdx(l->valuestring);
	if (cJSON_IsObject(l) && cJSON_IsString(cJSON_GetObjectItem(l, "type")))
		return spdx(cJSON_GetObjectItem(l, "type")->valuestring);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(pj, "licenses"))
	{
		const cJSON *ty = cJSON_GetObjectItem(e, "type");
		if (!cJSON_IsString(ty))
			continue;
		t = r ? comp_fmt("%s OR %s", r, ty->valuestring) : strdup(ty->valuestring);
		free(r);
		r = t;
	}
	t = spdx(r);
	free(r);
	return t;
}

/* --- npm --------------------------------------------------------------------------------- */

static int npm(const char *path, const char *by, struct comp_cand *c)
{
	const char *top = strstr(path, "/node_modules/"), *nm = top, *x, *name, *end;
	char *dir = NULL, *pjs = NULL, *text = NULL, *lock = NULL, *ltext = NULL, *key;
	cJSON *pj = NULL, *lj = NULL;
	int rc = 0;

	if (!top)
		return 0;
	while ((x = strstr(nm + 1, "/node_modules/")))
		nm = x;
	name = nm + strlen("/node_modules/");
	end = strchr(name, '/');
	if (end && *name == '@')
		end = strchr(end + 1, '/');
	if (!end || *name == '.')
		return 0;
	dir = strndup(path, (size_t)(end - path));
	pjs = dir ? comp_fmt("%s/package.json", dir) : NULL;
	if (!pjs)
		goto oom;
	if (!(text = slurp(pjs, 1 << 20)) || !(pj = cJSON_Parse(text)))
		goto out;
	c->kind = COMPONENT_NPM;
	c->name = json_str(pj, "name");
	c->version = json_str(pj, "version");
	if (!c->name || !c->version)
		goto out;
	c->license = npm_license(pj);
	c->homepage = json_str(pj, "homepage");
	{
		FILE *m = open_memstream(&c->purl, &(size_t){ 0 });
		const char *sl = strchr(c->name, '/');

		if (!m)
			goto oom;
		fputs("pkg:npm/", m);
		if (*c->name == '@' && sl) {
			comp_pct(m, c->name, (size_t)(sl - c->name), "");
			fputc('/', m);
			comp_pct(m, sl + 1, strlen(sl + 1), "");
		} else {
			comp_pct(m, c->name, strlen(c->name), "");
		}
		fputc('@', m);
		comp_pct(m, c->version, strlen(c->version), "");
		fclose(m);
	}
	lock = strndup(path, (size_t)(top - path));
	if (lock && (key = comp_fmt("%s/package-lock.json", lock))) {
		free(lock);
		lock = key;
	}
	if (lock && exists(lock) && (ltext = slurp(lock, 64 << 20)) && (lj = cJSON_Parse(ltext))) {
		key = comp_fmt("%s", dir + (top - path) + 1);
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(lj, "packages"), key ? key : "");
		free(key);
		c->download_location = json_str(e, "resolved");
	} else {
		free(lock);
		lock = NULL;
	}
	c->evidence[0] = pjs;
	pjs = NULL;
	c->evidence[1] = lock;
	c->identified_by =
		by ? comp_fmt("%s of %s@%s (%s)", by, c->name, c->version,
			      lock ? "package-lock.json" : "package.json")
		   : comp_fmt("npm package directory %s (package.json)", dir);
	lock = NULL;
	rc = c->identified_by ? 1 : -ENOMEM;
	goto out;
oom:
	rc = -ENOMEM;
out:
	if (rc <= 0)
		comp_cand_release(c);
	cJSON_Delete(pj);
	cJSON_Delete(lj);
	free(text);
	free(ltext);
	free(lock);
	free(pjs);
	free(dir);
	return rc;
}

/* --- PyPI: site-packages/NAME-VER.dist-info/RECORD lists the files ------------------------ */

static struct strmap *py_records(struct strmap *records, const char *sp)
{
	struct strmap *m = strmap_get(records, sp);
	struct dirent *d;
	DIR *dir;

	if (m)
		return m;
	if (!(m = calloc(1, sizeof(*m))) || strmap_put(records, sp, m)) {
		free(m);
		return NULL;
	}
	if (!(dir = opendir(sp)))
		return m;
	while ((d = readdir(dir))) {
		size_t l = strlen(d->d_name);
		char *rec, *text, *line, *save = NULL;

		if (l < 11 || strcmp(d->d_name + l - 10, ".dist-info"))
			continue;
		rec = comp_fmt("%s/%s/RECORD", sp, d->d_name);
		text = rec ? slurp(rec, 16 << 20) : NULL;
		for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *comma = strchr(line, ',');
			if (comma)
				*comma = 0;
			if (!strmap_get(m, line))
				strmap_put(m, line, strdup(d->d_name));
		}
		free(text);
		free(rec);
	}
	closedir(dir);
	return m;
}

static char *meta_field(const char *text, const char *k)
{
	size_t kl = strlen(k);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (*l == '\n')
			break; /* the body starts */
		if (!strncmp(l, k, kl) && l[kl] == ':') {
			const char *v = l + kl + 1;
			while (*v == ' ')
				v++;
			return strndup(v, strcspn(v, "\r\n"));
		}
	}
	return NULL;
}

static int pypi(struct strmap *records, const char *path, const char *by, struct comp_cand *c)
{
	const char *at = strstr(path, "/site-packages/");
	char *sp, *meta = NULL, *text = NULL, *lic;
	const char *di;
	struct strmap *m;

	if (!at)
		at = strstr(path, "/dist-packages/");
	if (!at || !(sp = strndup(path, (size_t)(at - path) + 14)))
		return at ? -ENOMEM : 0;
	m = py_records(records, sp);
	di = m ? strmap_get(m, at + 15) : NULL;
	if (di && (meta = comp_fmt("%s/%s/METADATA", sp, di)))
		text = slurp(meta, 1 << 20);
	free(sp);
	if (!text) {
		free(meta);
		return m ? 0 : -ENOMEM;
	}
	c->kind = COMPONENT_PYPI;
	c->name = meta_field(text, "Name");
	c->version = meta_field(text, "Version");
	c->homepage = meta_field(text, "Home-page");
	if (!(lic = meta_field(text, "License-Expression")))
		lic = meta_field(text, "License");
	c->license = spdx(lic);
	free(lic);
	free(text);
	c->evidence[0] = meta;
	if (!c->name || !c->version) {
		comp_cand_release(c);
		return 0;
	}
	for (char *p = c->name; *p; p++)
		*p = *p == '_' || *p == '.' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	c->purl = comp_fmt("pkg:pypi/%s@%s", c->name, c->version);
	c->identified_by = by ? comp_fmt("%s of %s==%s (%s)", by, c->name, c->version, di)
			      : comp_fmt("python package %s (%s/RECORD)", c->name, di);
	return c->purl && c->identified_by ? 1 : -ENOMEM;
}

/* --- cargo registry and Go module cache -------------------------------------------------- */

static char *toml_value(const char *text, const char *k)
{
	const char *pkg = strstr(text, "[package]");

	for (const char *l = pkg; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (l != pkg && *l == '[')
			break;
		if (!strncmp(l, k, strlen(k)) && strchr(" =", l[strlen(k)])) {
			const char *q = strchr(l, '"'), *e = q ? strchr(q + 1, '"') : NULL;
			return e && e < strchr(l, '\n') ? strndup(q + 1, (size_t)(e - q - 1)) : NULL;
		}
	}
	return NULL;
}

static int cargo(const char *path, const char *by, struct comp_cand *c)
{
	const char *at = strstr(path, "/registry/src/"), *idx, *end;
	char *dir, *toml, *text;

	if (!at || !(idx = strchr(at + 14, '/')) || !(end = strchr(idx + 1, '/')))
		return 0;
	if (!(dir = strndup(path, (size_t)(end - path))) || !(toml = comp_fmt("%s/Cargo.toml", dir))) {
		free(dir);
		return -ENOMEM;
	}
	text = slurp(toml, 1 << 20);
	c->kind = COMPONENT_CARGO;
	c->name = text ? toml_value(text, "name") : NULL;
	c->version = text ? toml_value(text, "version") : NULL;
	{
		char *l = text ? toml_value(text, "license") : NULL;
		c->license = spdx(l);
		free(l);
	}
	free(text);
	c->evidence[0] = toml;
	if (!c->name || !c->version) {
		free(dir);
		comp_cand_release(c);
		return 0;
	}
	c->purl = comp_fmt("pkg:cargo/%s@%s", c->name, c->version);
	c->identified_by = by ? comp_fmt("%s of %s %s (%s)", by, c->name, c->version, toml)
			      : comp_fmt("cargo registry %s (Cargo.toml)", dir);
	free(dir);
	return c->purl && c->identified_by ? 1 : -ENOMEM;
}

static int golang(const char *path, const char *by, struct comp_cand *c)
{
	const char *at = strstr(path, "/pkg/mod/"), *mod, *ver, *end;
	FILE *m;

	if (!at || !strncmp(at + 9, "cache/", 6) || !(ver = strchr(at + 9, '@')))
		return 0;
	mod = at + 9;
	if (!(end = strchr(ver, '/')) || memchr(mod, '@', (size_t)(ver - mod)) != ver)
		return 0;
	c->kind = COMPONENT_GOLANG;
	if (!(m = open_memstream(&c->name, &(size_t){ 0 })))
		return -ENOMEM;
	for (const char *p = mod; p < ver; p++) /* "!x" stands for "X" in the module cache */
		fputc(*p == '!' && p + 1 < ver ? *++p - 32 : *p, m);
	fclose(m);
	c->version = strndup(ver + 1, (size_t)(end - ver - 1));
	c->purl = comp_fmt("pkg:golang/%s@%s", c->name, c->version);
	c->evidence[0] = strndup(path, (size_t)(end - path));
	c->identified_by = by ? comp_fmt("%s of %s@%s", by, c->name, c->version)
			      : comp_fmt("go module cache %s", c->evidence[0]);
	return c->version && c->purl && c->identified_by ? 1 : -ENOMEM;
}

int comp_pkgdir(struct strmap *records, const char *path, const char *by,
		struct comp_cand *c)
{
	int r = npm(path, by, c);

	if (!r)
		r = pypi(records, path, by, c);
	if (!r)
		r = cargo(path, by, c);
	if (!r)
		r = golang(path, by, c);
	return r;
}

