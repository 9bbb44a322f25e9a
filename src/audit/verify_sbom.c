/* verify_sbom.c - what an SBOM or a provenance statement says the files were (verify.h:
 * verify_from_sbom, verify_from_statement). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"
#include "asbuilt/slsa.h"
#include "asbuilt/verify.h"

static enum verify_role role_of(enum sbomread_class c)
{
	switch (c) {
	case SBOMREAD_ARTIFACT:
		return VERIFY_ARTIFACT;
	case SBOMREAD_INTERMEDIATE:
		return VERIFY_INTERMEDIATE;
	case SBOMREAD_TOOL:
		return VERIFY_TOOL;
	case SBOMREAD_INPUT:
		break;
	}
	return VERIFY_INPUT;
}

static int named(char **names, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], path))
			return 1;
	return 0;
}

/* The names no file of d has, with verify_add_named against d's hashes. */
static int add_unlisted(struct verify_set *s, const struct sbom_doc *d, char **names, size_t n)
{
	struct strmap known = { 0 }, paths = { 0 };
	int rc = 0;

	for (size_t i = 0; i < d->n_files && !rc; i++)
		if (strmap_put(&known, d->files[i].sha256, (void *)d->files[i].path) ||
		    strmap_put(&paths, d->files[i].path, (void *)1))
			rc = -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++)
		if (!strmap_get(&paths, names[i]))
			rc = verify_add_named(s, names[i], &known);
	strmap_release(&paths);
	strmap_release(&known);
	return rc;
}

int verify_from_sbom(struct verify_set *s, const struct sbom_doc *d, char **names, size_t n)
{
	enum sbomread_class *cls;
	int rc = 0;

	if (!d->n_files)
		return add_unlisted(s, d, names, n);
	if (!(cls = sbomread_classify(d)))
		return -ENOMEM;
	for (size_t i = 0; i < d->n_files && !rc; i++) {
		const struct sbom_file *f = &d->files[i];
		enum verify_role role = role_of(cls[i]);

		if (n && named(names, n, f->path))
			role = VERIFY_ARTIFACT;
		else if (n && role == VERIFY_ARTIFACT)
			continue; /* an artifact not asked about */
		rc = verify_expect(s, f->path, f->sha256, role);
	}
	free(cls);
	return rc ? rc : add_unlisted(s, d, names, n);
}

/* --- in-toto statements ----------------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *name)
{
	const cJSON *s = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *name)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The path of a file:// URI, percent-decoded, as a new string; NULL for another URI (or
 * ENOMEM). */
static char *uri_path(const char *uri)
{
	char *out, *o;

	if (strncmp(uri, "file://", 7) || uri[7] != '/')
		return NULL;
	uri += 7;
	if (!(out = o = malloc(strlen(uri) + 1)))
		return NULL;
	for (; *uri; uri++) {
		int h, l;
		if (*uri == '%' && (h = hexval(uri[1])) >= 0 && (l = hexval(uri[2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			uri += 2;
		} else {
			*o++ = *uri;
		}
	}
	*o = '\0';
	return out;
}

static int subjects(struct verify_set *s, const cJSON *subj, const char *base)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, subj)
	{
		const char *name = jstr(it, "name"), *sha = jstr(jget(it, "digest"), "sha256");
		char *path = NULL;
		int rc;

		if (!name || !sha) {
			s->n_unhashed++;
			continue;
		}
		if (name[0] == '/')
			path = strdup(name);
		else if (asprintf(&path, "%s/%s", base, name) < 0)
			path = NULL;
		rc = path ? verify_expect(s, path, sha, VERIFY_SUBJECT) : -ENOMEM;
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

static int dependencies(struct verify_set *s, const cJSON *deps)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, deps)
	{
		const char *uri = jstr(it, "uri"), *sha = jstr(jget(it, "digest"), "sha256");
		char *path = uri ? uri_path(uri) : NULL;
		int rc = 0;

		if (path && sha)
			rc = verify_expect(s, path, sha, VERIFY_INPUT);
		else if (path)
			s->n_unhashed++;
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

int verify_from_statement(struct verify_set *s, const void *payload, size_t len, const char *base,
			  char *err, size_t errlen)
{
	cJSON *st = cJSON_ParseWithLength(payload, len);
	const cJSON *subj = jget(st, "subject"), *def;
	const char *type = jstr(st, "_type");
	char *cwd = NULL;
	int rc;

	if (!type || strcmp(type, SLSA_STATEMENT_TYPE) || !cJSON_IsArray(subj)) {
		snprintf(err, errlen,
			 "the signed payload is not an in-toto Statement v1 with "
			 "subjects");
		cJSON_Delete(st);
		return -EBADMSG;
	}
	def = jget(jget(st, "predicate"), "buildDefinition");
	if (!base)
		base = jstr(jget(def, "externalParameters"), "cwd");
	if (!base)
		base = cwd = getcwd(NULL, 0);
	rc = base ? subjects(s, subj, base) : -ENOMEM;
	if (!rc)
		rc = dependencies(s, jget(def, "resolvedDependencies"));
	free(cwd);
	cJSON_Delete(st);
	return rc;
}
