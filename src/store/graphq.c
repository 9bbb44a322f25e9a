/* graphq.c - read-only queries of one build for the artifact graph (see graphq.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graphq.h"
#include "asbuilt/store.h"

/* The rows of build ?1 in id order.  A build's rows are written together, so their ids form
 * one range: scanning the table over that range reads them in order, where the build_id
 * index would find them in another order and sort them (half the time of graph_load).
 * The filter on build_id (unindexed: "+") keeps rows of another build interleaved in the
 * range out, so a wider range is only slower, never wrong.  Finding the range's ends reads
 * every index entry of the build (a fifth of graph_load), unless the table's first or last
 * row is the build's: then its end is the table's, found at once (a database with one
 * build, the newest build of several). */
#define IN_BUILD_END(t, agg, dir)                                                        \
	"(CASE WHEN (SELECT build_id FROM " t " ORDER BY id " dir " LIMIT 1) = ?1 THEN " \
	"(SELECT " agg "(id) FROM " t ") ELSE (SELECT " agg "(id) FROM " t               \
	" WHERE build_id = ?1) END)"
#define IN_BUILD_LO(t) IN_BUILD_END(t, "min", "ASC")
#define IN_BUILD_HI(t) IN_BUILD_END(t, "max", "DESC")
#define IN_BUILD(t) "id BETWEEN " IN_BUILD_LO(t) " AND " IN_BUILD_HI(t) " AND +build_id = ?1"

static int prepare(struct store *st, const char *sql, int64_t id, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, s, NULL) != SQLITE_OK)
		return -EIO;
	if (id)
		sqlite3_bind_int64(*s, 1, id);
	return 0;
}

static const char *col_str(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int graphq_latest_build(struct store *st, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare(st, "SELECT max(id) FROM builds", 0, &s))
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*id = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = rc == SQLITE_ROW ? -ENOENT : -EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

int graphq_build_get(struct store *st, int64_t id, char **cwd, char **state)
{
	sqlite3_stmt *s;
	int rc;

	*cwd = *state = NULL;
	if (prepare(st, "SELECT cwd, state FROM builds WHERE id = ?1", id, &s))
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*cwd = strdup(col_str(s, 0) ? col_str(s, 0) : "/");
		*state = strdup(col_str(s, 1) ? col_str(s, 1) : "");
		rc = *cwd && *state ? 0 : -ENOMEM;
		if (rc) {
			free(*cwd);
			free(*state);
			*cwd = *state = NULL;
		}
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

int graphq_each_process(struct store *st, int64_t build_id,
			int (*fn)(const struct graphq_proc *p, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT id, coalesce(parent_id, 0), coalesce(prev_id, 0), exe, cwd, argv "
		    "FROM processes WHERE " IN_BUILD("processes") " ORDER BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct graphq_proc p = {
			.id = sqlite3_column_int64(s, 0),
			.parent_id = sqlite3_column_int64(s, 1),
			.prev_id = sqlite3_column_int64(s, 2),
			.exe = col_str(s, 3),
			.cwd = col_str(s, 4),
		};
		p.argv = (const char *)sqlite3_column_blob(s, 5);
		p.argv_len = (size_t)sqlite3_column_bytes(s, 5);
		rc = fn(&p, ctx);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}

int graphq_each_event(struct store *st, int64_t build_id,
		      int (*fn)(const struct graphq_event *e, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT id, coalesce(process_id, 0), coalesce(version_id, 0), op, access, "
		    "coalesce(realpath, abspath), abspath2, noise, coalesce(flags, 0), "
		    "coalesce(result, 0) FROM file_events WHERE " IN_BUILD("file_events")
		    " ORDER BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct graphq_event e = {
			.id = sqlite3_column_int64(s, 0),
			.process_id = sqlite3_column_int64(s, 1),
			.version_id = sqlite3_column_int64(s, 2),
			.op = col_str(s, 3),
			.access = col_str(s, 4),
			.path = col_str(s, 5),
			.path2 = col_str(s, 6),
			.noise = col_str(s, 7),
			.flags = sqlite3_column_int64(s, 8),
			.result = sqlite3_column_int64(s, 9),
		};
		rc = fn(&e, ctx);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}

int graphq_each_version(struct store *st, int64_t build_id,
			int (*fn)(const struct graphq_version *v, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT id, vseq, coalesce(writer_id, 0), path, sha256, origin, state "
		    "FROM file_versions WHERE " IN_BUILD("file_versions") " ORDER BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct graphq_version v = {
			.id = sqlite3_column_int64(s, 0),
			.vseq = sqlite3_column_int64(s, 1),
			.writer_id = sqlite3_column_int64(s, 2),
			.path = col_str(s, 3),
			.sha256 = col_str(s, 4),
			.origin = col_str(s, 5),
			.state = col_str(s, 6),
		};
		rc = fn(&v, ctx);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}
