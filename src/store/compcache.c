/* compcache.c - the components_cache table (see compcache.h). */
#include <errno.h>
#include <sqlite3.h>

#include "asbuilt/compcache.h"
#include "asbuilt/store.h"

#define COLS "path, sha256, kind, name, version, purl, cpe, license, identified_by"

static const char sql_put[] =
	"INSERT OR REPLACE INTO components_cache (build_id, " COLS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
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

static void row(sqlite3_stmt *s, struct compcache_entry *e)
{
	const char *sha = col(s, 1);

	e->path = col(s, 0);
	e->sha256 = sha && *sha ? sha : NULL;
	e->kind = col(s, 2);
	e->name = col(s, 3);
	e->version = col(s, 4);
	e->purl = col(s, 5);
	e->cpe = col(s, 6);
	e->license = col(s, 7);
	e->identified_by = col(s, 8);
}

int compcache_put(struct store *st, int64_t build_id, const struct compcache_entry *e)
{
	sqlite3_stmt *s;
	int rc;

	if (!e->path || !e->kind)
		return -EINVAL;
	s = store_stmt(st, sql_put);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	bind_str(s, 2, e->path);
	bind_str(s, 3, e->sha256 ? e->sha256 : "");
	bind_str(s, 4, e->kind);
	bind_str(s, 5, e->name);
	bind_str(s, 6, e->version);
	bind_str(s, 7, e->purl);
	bind_str(s, 8, e->cpe);
	bind_str(s, 9, e->license);
	bind_str(s, 10, e->identified_by);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int compcache_get(struct store *st, int64_t build_id, const char *path, const char *sha256,
		  int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, sql_get);
	struct compcache_entry e;
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	bind_str(s, 2, path);
	bind_str(s, 3, sha256 ? sha256 : "");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row(s, &e);
		rc = fn(&e, ctx);
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_reset(s);
	return rc;
}

int compcache_each(struct store *st, int64_t build_id,
		   int (*fn)(const struct compcache_entry *e, void *ctx), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, sql_each);
	struct compcache_entry e;
	int rc = 0, r;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, build_id);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		row(s, &e);
		rc = fn(&e, ctx);
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
