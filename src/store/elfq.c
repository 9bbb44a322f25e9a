/* elfq.c - the ELF facts tables of schema version 2 (see elfq.h). */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>

#include "asbuilt/elfq.h"
#include "asbuilt/store.h"

static const char sql_stat[] =
	"SELECT coalesce(size, -1), coalesce(dev, -1), coalesce(ino, -1), coalesce(mtime_ns, -1),"
	" coalesce(ctime_ns, -1) FROM file_versions WHERE id = ?1";
static const char sql_has[] = "SELECT 1 FROM elf_info WHERE version_id = ?1";
static const char sql_info[] =
	"INSERT OR IGNORE INTO elf_info (version_id, type, machine, interp, build_id, soname,"
	" is_static) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_needed[] =
	"INSERT OR REPLACE INTO elf_needed (version_id, idx, name, resolved_path,"
	" resolved_version_id) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_import[] =
	"INSERT INTO elf_imports (version_id, name, version, library) VALUES (?1, ?2, ?3, ?4)";
static const char sql_member[] =
	"INSERT OR IGNORE INTO elf_link_members (link_version_id, archive_version_id, member,"
	" symbols) VALUES (?1, ?2, ?3, ?4)";

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* Steps a bound write statement to its end and resets it.  0 or -EIO. */
static int done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int elfq_version_stat(struct store *st, int64_t version_id, struct elfq_stat *out)
{
	sqlite3_stmt *s = store_stmt(st, sql_stat);
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, version_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->size = sqlite3_column_int64(s, 0);
		out->dev = sqlite3_column_int64(s, 1);
		out->ino = sqlite3_column_int64(s, 2);
		out->mtime_ns = sqlite3_column_int64(s, 3);
		out->ctime_ns = sqlite3_column_int64(s, 4);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_reset(s);
	return rc;
}

int elfq_has_info(struct store *st, int64_t version_id)
{
	sqlite3_stmt *s = store_stmt(st, sql_has);
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, version_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

int elfq_info_put(struct store *st, const struct elfq_info *in)
{
	sqlite3_stmt *s = store_stmt(st, sql_info);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, in->version_id);
	bind_str(s, 2, in->type);
	if (in->machine)
		sqlite3_bind_int64(s, 3, in->machine);
	bind_str(s, 4, in->interp);
	bind_str(s, 5, in->build_id);
	bind_str(s, 6, in->soname);
	sqlite3_bind_int(s, 7, in->is_static ? 1 : 0);
	return done(s);
}

int elfq_needed_put(struct store *st, int64_t version_id, int idx, const char *name,
		    const char *resolved_path, int64_t resolved_version_id)
{
	sqlite3_stmt *s = store_stmt(st, sql_needed);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, version_id);
	sqlite3_bind_int(s, 2, idx);
	bind_str(s, 3, name);
	bind_str(s, 4, resolved_path);
	bind_id(s, 5, resolved_version_id);
	return done(s);
}

int elfq_import_put(struct store *st, int64_t version_id, const char *name,
		    const char *version, const char *library)
{
	sqlite3_stmt *s = store_stmt(st, sql_import);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, version_id);
	bind_str(s, 2, name);
	bind_str(s, 3, version);
	bind_str(s, 4, library);
	return done(s);
}

int elfq_link_member_put(struct store *st, int64_t link_version_id,
			 int64_t archive_version_id, const char *member, const char *symbols)
{
	sqlite3_stmt *s = store_stmt(st, sql_member);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, link_version_id);
	sqlite3_bind_int64(s, 2, archive_version_id);
	bind_str(s, 3, member);
	bind_str(s, 4, symbols ? symbols : "");
	return done(s);
}

/* --- reading back ------------------------------------------------------------------- */

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Prepares sql (not cached: the walkers' callbacks may run other statements) with
 * version_id bound to ?1.  0 or -EIO. */
static int prepare_vid(struct store *st, const char *sql, int64_t version_id, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(store_db(st), sql, -1, s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(*s, 1, version_id);
	return 0;
}

/* Finishes a walk: finalises s; r is the last sqlite3_step result, rc fn's. */
static int walk_end(sqlite3_stmt *s, int r, int rc)
{
	sqlite3_finalize(s);
	return rc ? rc : r == SQLITE_DONE ? 0 : -EIO;
}

int elfq_info_get(struct store *st, int64_t version_id, char *type, size_t len, int *is_static)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare_vid(st, "SELECT type, is_static FROM elf_info WHERE version_id = ?1",
			version_id, &s))
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(type, len, "%s", col(s, 0) ? col(s, 0) : "");
		*is_static = sqlite3_column_int(s, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(s);
	return rc;
}

int elfq_each_needed(struct store *st, int64_t version_id,
		     int (*fn)(const struct elfq_needed_row *r, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r = SQLITE_DONE;

	if (prepare_vid(st,
			"SELECT n.idx, n.name, n.resolved_path, coalesce(n.resolved_version_id, 0),"
			" v.sha256 FROM elf_needed n LEFT JOIN file_versions v"
			" ON v.id = n.resolved_version_id WHERE n.version_id = ?1 ORDER BY n.idx",
			version_id, &s))
		return -EIO;
	while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct elfq_needed_row row = {
			.idx = sqlite3_column_int(s, 0),
			.name = col(s, 1),
			.resolved_path = col(s, 2),
			.resolved_version_id = sqlite3_column_int64(s, 3),
			.resolved_sha256 = col(s, 4),
		};
		rc = fn(&row, ctx);
	}
	return walk_end(s, r, rc);
}

int elfq_each_import(struct store *st, int64_t version_id,
		     int (*fn)(const struct elfq_import_row *r, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r = SQLITE_DONE;

	if (prepare_vid(st,
			"SELECT name, version, library FROM elf_imports WHERE version_id = ?1"
			" ORDER BY name, coalesce(version, ''), coalesce(library, '')",
			version_id, &s))
		return -EIO;
	while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct elfq_import_row row = { col(s, 0), col(s, 1), col(s, 2) };
		rc = fn(&row, ctx);
	}
	return walk_end(s, r, rc);
}

int elfq_each_link_member(struct store *st, int64_t link_version_id,
			  int (*fn)(const struct elfq_member_row *r, void *ctx), void *ctx)
{
	sqlite3_stmt *s;
	int rc = 0, r = SQLITE_DONE;

	if (prepare_vid(st,
			"SELECT m.archive_version_id, a.path, CASE WHEN a.state = 'ok' THEN"
			" a.sha256 END, a.origin != 'preexisting', m.member, m.symbols FROM"
			" elf_link_members m JOIN file_versions a ON a.id = m.archive_version_id"
			" WHERE m.link_version_id = ?1 ORDER BY a.path, a.id, m.rowid",
			link_version_id, &s))
		return -EIO;
	while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct elfq_member_row row = {
			.archive_version_id = sqlite3_column_int64(s, 0),
			.archive_path = col(s, 1),
			.archive_sha256 = col(s, 2),
			.archive_built = sqlite3_column_int(s, 3),
			.member = col(s, 4),
			.symbols = col(s, 5),
		};
		rc = fn(&row, ctx);
	}
	return walk_end(s, r, rc);
}
