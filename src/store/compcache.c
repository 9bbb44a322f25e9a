/* compcache.c - the components_cache table (see compcache.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "asbuilt/compcache.h"
#include "asbuilt/store.h"

#define COLS                                                                               \
	"path, sha256, kind, name, version, purl, cpe, license, identified_by,"            \
	" download_location, homepage, supplier, remote_url, git_commit, superproject,"    \
	" dirty, evidence, file_license, runtime, prebuilt, fetched"

static const char sql_put[] =
	"INSERT OR REPLACE INTO components_cache (build_id, " COLS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	" ?18, ?19, ?20, ?21, ?22)";
static const char sql_get[] = "SELECT " COLS " FROM components_cache"
			      " WHERE build_id = ?1 AND path = ?2 AND sha256 = ?3";
static const char sql_each[] = "SELECT " COLS " FROM components_cache"
			       " WHERE build_id = ?1 ORDER BY path, sha256";
static const char sql_clear[] = "DELETE FROM components_cache WHERE build_id = ?1";

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* The evidence as a JSON array of strings (you own it), NULL when there is none; *oom is
 * set when it cannot be made. */
static char *evidence_json(const struct compcache_entry *e, int *oom)
{
	cJSON *a;
	char *text = NULL;

	*oom = 0;
	if (!e->n_evidence)
		return NULL;
	if (!(a = cJSON_CreateArray()))
		goto out;
	for (size_t i = 0; i < e->n_evidence; i++) {
		cJSON *s = cJSON_CreateString(e->evidence[i]);
		if (!s || !cJSON_AddItemToArray(a, s)) {
			cJSON_Delete(s);
			goto out;
		}
	}
	text = cJSON_PrintUnformatted(a);
out:
	cJSON_Delete(a);
	*oom = !text;
	return text;
}

/* A row read into an entry: the evidence array points into ev. */
struct row {
	struct compcache_entry e;
	cJSON *ev;
	const char **v;
};

static void row_release(struct row *r)
{
	free(r->v);
	cJSON_Delete(r->ev);
}

/* Fills r from the current row of s.  Returns 0, -ENOMEM or -EIO (evidence that is not a
 * JSON array of strings); release r in every case. */
static int row_read(sqlite3_stmt *s, struct row *r)
{
	const char *sha = col(s, 1), *ev = col(s, 16);
	struct compcache_entry *e = &r->e;
	int n;

	*r = (struct row){ 0 };
	e->path = col(s, 0);
	e->sha256 = sha && *sha ? sha : NULL;
	e->kind = col(s, 2);
	e->name = col(s, 3);
	e->version = col(s, 4);
	e->purl = col(s, 5);
	e->cpe = col(s, 6);
	e->license = col(s, 7);
	e->identified_by = col(s, 8);
	e->download_location = col(s, 9);
	e->homepage = col(s, 10);
	e->supplier = col(s, 11);
	e->remote_url = col(s, 12);
	e->commit = col(s, 13);
	e->superproject = col(s, 14);
	e->dirty = sqlite3_column_int(s, 15);
	e->file_license = col(s, 17);
	e->runtime = !!sqlite3_column_int(s, 18);
	e->prebuilt = !!sqlite3_column_int(s, 19);
	e->fetched = !!sqlite3_column_int(s, 20);
	if (!ev)
		return 0;
	if (!(r->ev = cJSON_Parse(ev)) || !cJSON_IsArray(r->ev))
		return -EIO;
	n = cJSON_GetArraySize(r->ev);
	if (n && !(r->v = calloc((size_t)n, sizeof(*r->v))))
		return -ENOMEM;
	for (cJSON *i = r->ev->child; i; i = i->next) {
		if (!cJSON_IsString(i))
			return -EIO;
		r->v[e->n_evidence++] = i->valuestring;
	}
	e->evidence = r->v;
	return 0;
}

int compcache_put(struct store *st, int64_t build_id, const struct compcache_entry *e)
{
	const char *str[] = { e->path,	   e->sha256 ? e->sha256 : "",
			      e->kind,	   e->name,
			      e->version,  e->purl,
			      e->cpe,	   e->license,
			      e->identified_by, e->download_location,
			      e->homepage, e->supplier,
			      e->remote_url, e->commit,
			      e->superproject };
	sqlite3_stmt *s;
	char *ev;
	int rc, oom;

	if (!e->path || !e->kind)
		return -EINVAL;
	if (!(s = store_stmt(st, sql_put)))
		return -EIO;
	ev = evidence_json(e, &oom);
	if (oom)
		return -ENOMEM;
	sqlite3_bind_int64(s, 1, build_id);
	for (int i = 0; i < (int)(sizeof(str) / sizeof(*str)); i++)
		bind_str(s, i + 2, str[i]);
	sqlite3_bind_int(s, 17, e->dirty);
	bind_str(s, 18, ev);
	bind_str(s, 19, e->file_license);
	sqlite3_bind_int(s, 20, !!e->runtime);
	sqlite3_bind_int(s, 21, !!e->prebuilt);
	sqlite3_bind_int(s, 22, !!e->fetched);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(ev);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int compcache_get(struct store *st, int64_t build_id, const char *path, const char *sha256,
		  int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, sql_get);
	struct row r = { 0 };
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	bind_str(s, 2, path);
	bind_str(s, 3, sha256 ? sha256 : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (!(rc = row_read(s, &r)))
			rc = fn(&r.e, ctx);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	row_release(&r);
	sqlite3_reset(s);
	return rc;
}

int compcache_each(struct store *st, int64_t build_id,
		   int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, sql_each);
	int rc = 0, r;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct row row;

		if (!(rc = row_read(s, &row)))
			rc = fn(&row.e, ctx);
		row_release(&row);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_reset(s);
	return rc;
}

int compcache_clear(struct store *st, int64_t build_id)
{
	sqlite3_stmt *s = store_stmt(st, sql_clear);
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}
