/* sbomq.c - read-only queries of one build for `asbuilt sbom` (see sbomq.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "asbuilt/sbomq.h"
#include "asbuilt/store.h"

static int prepare(struct store *st, const char *sql, int64_t id, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(*s, 1, id);
	return 0;
}

static const char *col_str(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int sbomq_build_get(struct store *st, int64_t id, struct sbomq_build *b)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare(st,
		    "SELECT started_ns, coalesce(ended_ns, 0), complete, nlost "
		    "FROM builds WHERE id = ?1",
		    id, &s))
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		b->started_ns = sqlite3_column_int64(s, 0);
		b->ended_ns = sqlite3_column_int64(s, 1);
		b->complete = sqlite3_column_int(s, 2);
		b->nlost = sqlite3_column_int64(s, 3);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

int sbomq_each_incomplete(struct store *st, int64_t build_id,
			  int (*fn)(const char *reason, const char *detail, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT reason, detail FROM incomplete WHERE build_id = ?1 "
		    "ORDER BY reason, detail, id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW && !(rc = fn(col_str(s, 0), col_str(s, 1), ctx)))
		;
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}

/* Whether file_versions has a sha1 column (schema version 2 adds it): 1, 0, or -EIO. */
static int has_sha1(struct store *st)
{
	sqlite3_stmt *s;
	int r;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT count(*) FROM pragma_table_info('file_versions') "
			       "WHERE name = 'sha1'",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	r = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) > 0 : -EIO;
	sqlite3_finalize(s);
	return r;
}

int sbomq_each_version(struct store *st, int64_t build_id,
		       int (*fn)(const struct sbomq_version *v, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r, sha1 = has_sha1(st);

	if (sha1 < 0 ||
	    prepare(st,
		    sha1 ? "SELECT id, sha1, gitoid_sha1, gitoid_sha256, coalesce(size, -1) "
			   "FROM file_versions WHERE build_id = ?1 ORDER BY id"
			 : "SELECT id, NULL, gitoid_sha1, gitoid_sha256, coalesce(size, -1) "
			   "FROM file_versions WHERE build_id = ?1 ORDER BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct sbomq_version v = {
			.id = sqlite3_column_int64(s, 0),
			.sha1 = col_str(s, 1),
			.gitoid_sha1 = col_str(s, 2),
			.gitoid_sha256 = col_str(s, 3),
			.size = sqlite3_column_int64(s, 4),
		};
		if ((rc = fn(&v, ctx)))
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}

int sbomq_each_process(struct store *st, int64_t build_id,
		       int (*fn)(const struct sbomq_proc *p, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT id, coalesce(start_ns, 0), coalesce(end_ns, 0), env "
		    "FROM processes WHERE build_id = ?1 ORDER BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct sbomq_proc p = {
			.id = sqlite3_column_int64(s, 0),
			.start_ns = sqlite3_column_int64(s, 1),
			.end_ns = sqlite3_column_int64(s, 2),
			.env = col_str(s, 3),
		};
		if ((rc = fn(&p, ctx)))
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}
