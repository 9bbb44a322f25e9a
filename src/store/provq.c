/* provq.c - read-only queries of one build for the provenance writers (see
 * provq.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/provq.h"
#include "asbuilt/store.h"

static int prepare(struct store *st, const char *sql, int64_t id, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(*s, 1, id);
	return 0;
}

/* A copy of column i, "" for NULL; NULL only on ENOMEM. */
static char *dup_col(sqlite3_stmt *s, int i)
{
	const char *v = (const char *)sqlite3_column_text(s, i);

	return strdup(v ? v : "");
}

void provq_build_release(struct provq_build *b)
{
	if (!b)
		return;
	free(b->argv);
	free(b->cwd);
	free(b->backend);
	free(b->state);
	free(b->hostname);
	memset(b, 0, sizeof(*b));
}

static int fill_build(sqlite3_stmt *s, struct provq_build *b)
{
	const void *argv = sqlite3_column_blob(s, 3);
	size_t n = (size_t)sqlite3_column_bytes(s, 3);

	b->id = sqlite3_column_int64(s, 0);
	b->started_ns = sqlite3_column_int64(s, 1);
	b->ended_ns = sqlite3_column_int64(s, 2);
	b->argv = malloc(n + 1);
	if (b->argv) {
		if (n)
			memcpy(b->argv, argv, n);
		b->argv[n] = '\0';
	}
	b->argv_len = n;
	b->cwd = dup_col(s, 4);
	b->backend = dup_col(s, 5);
	b->state = dup_col(s, 6);
	b->hostname = dup_col(s, 7);
	b->exit_status = sqlite3_column_int(s, 8);
	b->complete = sqlite3_column_int(s, 9);
	return b->argv && b->cwd && b->backend && b->state && b->hostname ? 0 : -ENOMEM;
}

int provq_build_get(struct store *st, int64_t id, struct provq_build *out)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	if (prepare(st,
		    "SELECT id, started_ns, coalesce(ended_ns, 0), argv, cwd, "
		    "backend, state, "
		    "hostname, coalesce(exit_status, -1), complete FROM builds WHERE "
		    "id = ?1",
		    id, &s))
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = fill_build(s, out);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(s);
	if (rc)
		provq_build_release(out);
	return rc;
}

int provq_each_incomplete(struct store *st, int64_t build_id,
			  int (*fn)(const char *reason, const char *detail, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT reason, detail FROM incomplete WHERE build_id = ?1 ORDER "
		    "BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *reason = (const char *)sqlite3_column_text(s, 0);

		rc = fn(reason ? reason : "other", (const char *)sqlite3_column_text(s, 1), ctx);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}

int provq_each_gitoid(struct store *st, int64_t build_id,
		      int (*fn)(int64_t version_id, const char *gitoid_sha1,
				const char *gitoid_sha256, void *ctx),
		      void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r;

	if (prepare(st,
		    "SELECT id, gitoid_sha1, gitoid_sha256 FROM file_versions WHERE "
		    "build_id = ?1 "
		    "AND gitoid_sha1 IS NOT NULL AND gitoid_sha256 IS NOT NULL ORDER "
		    "BY id",
		    build_id, &s))
		return -EIO;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		rc = fn(sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), ctx);
		if (rc)
			break;
	}
	if (!rc && r != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(s);
	return rc;
}
