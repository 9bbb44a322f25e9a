/* elfq.c - the ELF facts tables of schema version 2 (see elfq.h). */
#include <errno.h>
#include <sqlite3.h>

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
