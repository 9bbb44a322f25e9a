/* diff_json.c - a comparison as JSON (diff.h: diff_json). */
#include <cjson/cJSON.h>
#include <string.h>

#include "asbuilt/diff.h"

/* The names value and more have in section s. */
static void field_names(enum diff_section s, const char **value, const char **more)
{
	switch (s) {
	case DIFF_COMPONENT:
		*value = "version", *more = "files_sha256";
		return;
	case DIFF_STEP:
		*value = "command", *more = "kind";
		return;
	case DIFF_TOOL:
		*value = "sha256", *more = "path";
		return;
	default:
		*value = "sha256", *more = NULL;
	}
}

static int side(cJSON *e, const char *name, enum diff_section s, const char *value,
		const char *more)
{
	const char *vn, *mn;
	cJSON *o;

	if (!value && !more)
		return 0;
	field_names(s, &vn, &mn);
	if (!(o = cJSON_AddObjectToObject(e, name)))
		return -1;
	if (value && !cJSON_AddStringToObject(o, vn, value))
		return -1;
	if (more && mn && !cJSON_AddStringToObject(o, mn, more))
		return -1;
	return 0;
}

static int words(cJSON *e, const char *name, char **w, size_t n)
{
	cJSON *a;

	if (!n)
		return 0;
	if (!(a = cJSON_AddArrayToObject(e, name)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(w[i])))
			return -1;
	return 0;
}

static int entry(cJSON *arr, const struct diff_entry *d)
{
	cJSON *e = cJSON_CreateObject();

	if (!e || !cJSON_AddItemToArray(arr, e))
		return cJSON_Delete(e), -1;
	if (!cJSON_AddStringToObject(e, "section", diff_section_name(d->section)) ||
	    !cJSON_AddStringToObject(e, "change", diff_change_name(d->change)) ||
	    !cJSON_AddStringToObject(e, "key", d->key) ||
	    (d->what && !cJSON_AddStringToObject(e, "what", d->what)))
		return -1;
	if (side(e, "a", d->section, d->a, d->a_more) || side(e, "b", d->section, d->b, d->b_more))
		return -1;
	return words(e, "argv_added", d->plus, d->nplus) ||
			       words(e, "argv_removed", d->minus, d->nminus)
		       ? -1
		       : 0;
}

static int summary(cJSON *root, const struct diff_result *r)
{
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");

	for (int s = 0; sum && s < DIFF_NSECTIONS; s++) {
		cJSON *o = cJSON_AddObjectToObject(sum, diff_section_name(s));
		if (!o || !cJSON_AddNumberToObject(o, "same", (double)r->same[s]))
			return -1;
		for (int c = DIFF_ADDED; c <= DIFF_CHANGED; c++)
			if (!cJSON_AddNumberToObject(o, diff_change_name(c),
						     (double)r->count[s][c]))
				return -1;
	}
	return sum ? 0 : -1;
}

cJSON *diff_json(const struct diff_result *r)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	int rc = root && cJSON_AddBoolToObject(root, "identical", r->n == 0) ? 0 : -1;

	if (!rc)
		rc = summary(root, r);
	if (!rc && !(arr = cJSON_AddArrayToObject(root, "differences")))
		rc = -1;
	for (size_t i = 0; i < r->n && !rc; i++)
		rc = entry(arr, &r->e[i]);
	if (rc) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
