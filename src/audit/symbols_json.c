/* symbols_json.c - selecting the components of a symbols report and its JSON form
 * (symbols.h; the fields are described in docs/symbols-vex.md). */
#include <cjson/cJSON.h>
#include <string.h>

#include "asbuilt/symbols.h"

size_t symbols_report_select(const struct symbols_report *r, const struct symbols_purl *pats,
			     size_t npats, char *mask)
{
	size_t n = 0;

	for (size_t c = 0; c < r->n_comps; c++) {
		mask[c] = !npats;
		for (size_t p = 0; p < npats && !mask[c]; p++)
			mask[c] = (char)symbols_purl_match(&pats[p], r->comps[c].purl);
		n += (size_t)mask[c];
	}
	return n;
}

static void str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *names(const struct symbols_names *s)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < s->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
	return a;
}

static cJSON *imports(const struct symbols_import *v, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *o;

	for (size_t i = 0; a && i < n; i++)
		if ((o = cJSON_CreateObject())) {
			cJSON_AddItemToArray(a, o);
			cJSON_AddStringToObject(o, "name", v[i].name);
			str_or_null(o, "version", v[i].version);
		}
	return a;
}

static cJSON *library(const struct symbols_report *r, const struct symbols_library *l)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "needed", l->needed);
	str_or_null(o, "path", l->path);
	str_or_null(o, "sha256", l->sha256);
	str_or_null(o, "loaded_by", l->loader >= 0 ? r->libs[l->loader].needed : NULL);
	cJSON_AddBoolToObject(o, "read", l->read);
	cJSON_AddItemToObject(o, "imports", imports(l->imports, l->n_imports));
	return o;
}

/* Adds m's functions to o as "functions" (null when not read). */
static void functions(cJSON *o, const struct symbols_member *m, int read)
{
	cJSON *fs, *f;

	if (!read) {
		cJSON_AddNullToObject(o, "functions");
		return;
	}
	fs = cJSON_AddArrayToObject(o, "functions");
	for (size_t i = 0; fs && i < m->n_funcs; i++)
		if ((f = cJSON_CreateObject())) {
			cJSON_AddItemToArray(fs, f);
			cJSON_AddStringToObject(f, "name", m->funcs[i].name);
			cJSON_AddBoolToObject(f, "static", m->funcs[i].local);
		}
}

static cJSON *member(const struct symbols_archive *a, const struct symbols_member *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", m->name);
	cJSON_AddItemToObject(o, "referenced", names(&m->referenced));
	functions(o, m, a->read);
	return o;
}

static cJSON *object(const struct symbols_object *ob)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "path", ob->path);
	str_or_null(o, "sha256", ob->sha256);
	cJSON_AddBoolToObject(o, "built", ob->built);
	cJSON_AddBoolToObject(o, "read", ob->read);
	functions(o, &ob->m, ob->read);
	return o;
}

static cJSON *archive(const struct symbols_archive *a)
{
	cJSON *o = cJSON_CreateObject(), *ms;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "path", a->path);
	str_or_null(o, "sha256", a->sha256);
	cJSON_AddBoolToObject(o, "built", a->built);
	cJSON_AddBoolToObject(o, "read", a->read);
	ms = cJSON_AddArrayToObject(o, "members");
	for (size_t i = 0; ms && i < a->n_members; i++)
		cJSON_AddItemToArray(ms, member(a, &a->members[i]));
	return o;
}

/* The component entry of index c (-1: the unattributed libraries and archives). */
static cJSON *component(const struct symbols_report *r, int c)
{
	const struct symbols_component *k = c >= 0 ? &r->comps[c] : NULL;
	cJSON *o = cJSON_CreateObject(), *libs, *ars, *obs;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "kind", k ? k->kind : "unresolved");
	str_or_null(o, "name", k ? k->name : NULL);
	str_or_null(o, "version", k ? k->version : NULL);
	str_or_null(o, "purl", k ? k->purl : NULL);
	libs = cJSON_AddArrayToObject(o, "libraries");
	for (size_t i = 0; libs && i < r->n_libs; i++)
		if (r->libs[i].component == c)
			cJSON_AddItemToArray(libs, library(r, &r->libs[i]));
	ars = cJSON_AddArrayToObject(o, "archives");
	for (size_t i = 0; ars && i < r->n_archives; i++)
		if (r->archives[i].component == c)
			cJSON_AddItemToArray(ars, archive(&r->archives[i]));
	obs = cJSON_AddArrayToObject(o, "objects");
	for (size_t i = 0; obs && i < r->n_objects; i++)
		if (r->objects[i].component == c)
			cJSON_AddItemToArray(obs, object(&r->objects[i]));
	return o;
}

static int unattributed(const struct symbols_report *r)
{
	for (size_t i = 0; i < r->n_libs; i++)
		if (r->libs[i].component < 0)
			return 1;
	for (size_t i = 0; i < r->n_archives; i++)
		if (r->archives[i].component < 0)
			return 1;
	for (size_t i = 0; i < r->n_objects; i++)
		if (r->objects[i].component < 0)
			return 1;
	return 0;
}

cJSON *symbols_report_json(const struct symbols_report *r, const char *mask, int with_unattributed)
{
	cJSON *o = cJSON_CreateObject(), *art, *comps;

	if (!o)
		return NULL;
	if ((art = cJSON_AddObjectToObject(o, "artifact"))) {
		cJSON_AddStringToObject(art, "path", r->path);
		str_or_null(art, "sha256", r->sha256);
		cJSON_AddStringToObject(art, "type", r->type);
		cJSON_AddBoolToObject(art, "static", r->is_static);
		cJSON_AddBoolToObject(art, "symtab", r->have_symtab);
	}
	comps = cJSON_AddArrayToObject(o, "components");
	for (size_t c = 0; comps && c < r->n_comps; c++)
		if (!mask || mask[c])
			cJSON_AddItemToArray(comps, component(r, (int)c));
	if (comps && with_unattributed && unattributed(r))
		cJSON_AddItemToArray(comps, component(r, -1));
	cJSON_AddItemToObject(o, "unresolved_imports", imports(r->unresolved, r->n_unresolved));
	cJSON_AddItemToObject(o, "warnings", names(&r->warnings));
	return o;
}
