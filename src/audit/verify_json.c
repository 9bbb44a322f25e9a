/* verify_json.c - the findings of asbuilt verify as JSON (verify.h: verify_json). */
#include <cjson/cJSON.h>
#include <string.h>

#include "asbuilt/verify.h"

static int item(cJSON *files, const struct verify_item *it)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(files, o))
		return cJSON_Delete(o), -1;
	if (!cJSON_AddStringToObject(o, "status", verify_status_name(it->status)) ||
	    !cJSON_AddStringToObject(o, "role", verify_role_name(it->role)) ||
	    !cJSON_AddStringToObject(o, "path", it->path))
		return -1;
	if (it->nrecorded && !cJSON_AddStringToObject(o, "recorded_sha256", it->recorded[0]))
		return -1;
	if (it->current[0] && !cJSON_AddStringToObject(o, "current_sha256", it->current))
		return -1;
	if (it->recorded_as && !cJSON_AddStringToObject(o, "recorded_as", it->recorded_as))
		return -1;
	if (it->err && !cJSON_AddStringToObject(o, "error", strerror(it->err)))
		return -1;
	return 0;
}

static int summary(cJSON *root, const struct verify_set *s)
{
	cJSON *sum = cJSON_AddObjectToObject(root, "summary"), *nc;
	size_t roles[VERIFY_TOOL + 1] = { 0 };

	if (!sum)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		roles[s->items[i].role]++;
	cJSON_AddNumberToObject(sum, "checked", (double)s->n);
	for (int st = VERIFY_OK; st <= VERIFY_UNREADABLE; st++)
		cJSON_AddNumberToObject(sum, verify_status_name(st),
					(double)verify_count(s, (enum verify_status)st));
	for (int r = VERIFY_ARTIFACT; r <= VERIFY_TOOL; r++) {
		char name[32];
		strcpy(name, verify_role_name(r));
		strcat(name, "s");
		cJSON_AddNumberToObject(sum, name, (double)roles[r]);
	}
	nc = cJSON_AddObjectToObject(sum, "not_checked");
	cJSON_AddNumberToObject(nc, "temporary", (double)s->n_temporary);
	cJSON_AddNumberToObject(nc, "pseudo", (double)s->n_pseudo);
	cJSON_AddNumberToObject(nc, "unhashed", (double)s->n_unhashed);
	return nc && cJSON_GetObjectItem(nc, "unhashed") ? 0 : -1;
}

cJSON *verify_json(const struct verify_set *s, int include_ok)
{
	cJSON *root = cJSON_CreateObject(), *files = cJSON_AddArrayToObject(root, "files");
	int rc = files ? 0 : -1;

	for (size_t i = 0; i < s->n && !rc; i++)
		if (include_ok || s->items[i].status != VERIFY_OK)
			rc = item(files, &s->items[i]);
	if (!rc)
		rc = summary(root, s);
	if (rc) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
