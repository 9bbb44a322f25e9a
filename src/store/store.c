/* store.c - the SQLite provenance database: open, schema check, prepared inserts. */
#include "asbuilt/store.h"
#include "asbuilt/version.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.sql.h"

enum stmt_id {
	S_BUILD_NEW,
	S_BUILD_FINISH,
	S_INCOMPLETE_ADD,
	S_INCOMPLETE_COUNT,
	S_PROC_NEW,
	S_PROC_ENV,
	S_PROC_EXE_HASH,
	S_PROC_STATIC,
	S_PROC_EXE,
	S_PROC_END,
	S_PROC_EXIT,
	S_EVENT_ADD,
	S_EVENT_VERSION,
	S_VERSION_ADD,
	S_VERSION_WITHHOLD,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_BUILD_NEW] = "INSERT INTO builds (started_ns, argv, cwd, backend, hostname, user,"
			" state) VALUES (?,?,?,?,?,?,'running')",
	[S_BUILD_FINISH] = "UPDATE builds SET ended_ns=?, exit_status=?, state=?, complete=?,"
			   " nevents=?, nlost=? WHERE id=?",
	[S_INCOMPLETE_ADD] = "INSERT INTO incomplete (build_id, process_id, reason, detail)"
			     " VALUES (?,?,?,?)",
	[S_INCOMPLETE_COUNT] = "SELECT count(*) FROM incomplete WHERE build_id=?",
	[S_PROC_NEW] = "INSERT INTO processes (build_id, pid, ppid, parent_id, prev_id, exe,"
		       " exec_path, interp, argv, cwd, uid, gid, start_ns, static, source)"
		       " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_PROC_ENV] = "UPDATE processes SET env=? WHERE id=?",
	[S_PROC_EXE_HASH] = "UPDATE processes SET exe_sha256=? WHERE id=?",
	[S_PROC_STATIC] = "UPDATE processes SET static=1 WHERE id=?",
	[S_PROC_EXE] = "UPDATE processes SET exe=? WHERE id=?",
	[S_PROC_END] = "UPDATE processes SET end_ns=?, exit_status=coalesce(exit_status, ?),"
		       " exit_how=coalesce(exit_how, ?), argv=coalesce(?, argv),"
		       " env=coalesce(?, env) WHERE id=?",
	[S_PROC_EXIT] = "UPDATE processes SET exit_status=?, exit_how=? WHERE id=?"
			" AND exit_status IS NULL",
	[S_EVENT_ADD] = "INSERT INTO file_events (build_id, process_id, ts_ns, op, access, path,"
			" abspath, realpath, path2, abspath2, flags, result, version_id, noise)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_EVENT_VERSION] = "UPDATE file_events SET version_id=? WHERE id=?",
	[S_VERSION_ADD] = "INSERT INTO file_versions (build_id, path, vseq, sha256, gitoid_sha1,"
			  " gitoid_sha256, size, dev, ino, mtime_ns, ctime_ns, origin,"
			  " writer_id, state, sha1) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[S_VERSION_WITHHOLD] = "UPDATE file_versions SET state='changed', sha256=NULL, sha1=NULL,"
			       " gitoid_sha1=NULL, gitoid_sha256=NULL WHERE id=?",
};

#define STORE_EXTRA_MAX 48

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	/* statements of the other store files (store_stmt), keyed by their SQL's address */
	const char *extra_sql[STORE_EXTRA_MAX];
	sqlite3_stmt *extra[STORE_EXTRA_MAX];
	int nextra;
};

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (int i = 0; i < st->nextra; i++)
		sqlite3_finalize(st->extra[i]);
	sqlite3_close(st->db);
	free(st);
}

/* Reads meta.schema_version: >0 the version, 0 empty database, <0 not ours. */
static int schema_version(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int v = 0, rc;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return -1;
	}
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	v = sqlite3_step(s) == SQLITE_ROW ? atoi((const char *)sqlite3_column_text(s, 0)) : -1;
	sqlite3_finalize(s);
	return v > 0 ? v : -1;
}

static int open_db(const char *path, int create, sqlite3 **db, char *err, size_t errlen)
{
	/* each connection is used by one thread only: no mutex around every call (11% of the
	 * instructions of reading a build) */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	if (!create && access(path, F_OK) != 0) {
		snprintf(err, errlen, "cannot open database '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database '%s': %s", path,
			 *db ? sqlite3_errmsg(*db) : "out of memory");
		return -EIO;
	}
	sqlite3_busy_timeout(*db, 10000);
	return 0;
}

/* Runs sql (what version `to` adds) in one transaction, unless another process did it
 * first.  Returns 0 or -EIO with a message in err. */
static int upgrade(sqlite3 *db, const char *path, int from, int to, const char *sql, char *err,
		   size_t errlen)
{
	char *msg = NULL;
	int v;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	v = schema_version(db);
	if (v == from && sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	return 0;
fail:
	if (from == 0)
		snprintf(err, errlen, "cannot create schema in '%s': %s", path,
			 msg ? msg : sqlite3_errmsg(db));
	else
		snprintf(err, errlen, "cannot migrate database '%s' from schema version %d to %d: %s",
			 path, from, to, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -EIO;
}

static int check_schema(sqlite3 *db, const char *path, int create, char *err, size_t errlen)
{
	int v = schema_version(db);

	if (v < 0) {
		snprintf(err, errlen, "cannot open database '%s': not an asbuilt database", path);
		return -EPROTO;
	}
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "cannot open database '%s': schema version %d is newer than this "
			 "asbuilt supports (%d)",
			 path, v, STORE_SCHEMA_VERSION);
		return -EPROTO;
	}
	if (v == 0 && !create) {
		snprintf(err, errlen, "cannot open database '%s': empty database", path);
		return -EPROTO;
	}
	if (v == 0 && upgrade(db, path, 0, 1, store_schema_v1, err, errlen))
		return -EIO;
	/* version 1 -> 2: new tables only; the data of version 1 is kept as it is */
	if (v < 2 && upgrade(db, path, 1, 2, store_schema_v2_add, err, errlen))
		return -EIO;
	return 0;
}

int store_open(const char *path, int create, struct store **out, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof(*st));
	/* a database made now holds nothing that a crash could lose: no fsync while the file,
	 * the switch to WAL and the schema are written (6 fsyncs, 1-15 ms, at every record
	 * into a new file) */
	int rc, fresh = create && access(path, F_OK) != 0;

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = open_db(path, create, &st->db, err, errlen);
	if (rc)
		goto fail;
	/* A file that is not SQLite fails here with "file is not a database". */
	if (sqlite3_exec(st->db,
			 fresh ? "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;"
				 "PRAGMA foreign_keys=OFF;"
			       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				 "PRAGMA foreign_keys=OFF;",
			 NULL, NULL, NULL) != SQLITE_OK &&
	    sqlite3_errcode(st->db) != SQLITE_READONLY) {
		snprintf(err, errlen, "cannot open database '%s': %s", path,
			 sqlite3_errmsg(st->db));
		rc = -EPROTO;
		goto fail;
	}
	rc = check_schema(st->db, path, create, err, errlen);
	if (rc)
		goto fail;
	if (fresh && sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) !=
			     SQLITE_OK) {
		snprintf(err, errlen, "cannot open database '%s': %s", path,
			 sqlite3_errmsg(st->db));
		rc = -EIO;
		goto fail;
	}
	for (int i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot prepare statements on '%s': %s", path,
				 sqlite3_errmsg(st->db));
			rc = -EPROTO;
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return rc;
}

int store_begin(struct store *st)
{
	return sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int store_commit(struct store *st)
{
	return sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int store_rollback(struct store *st)
{
	return sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

struct sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	for (int i = 0; i < st->nextra; i++) {
		if (st->extra_sql[i] == sql) {
			sqlite3_reset(st->extra[i]);
			sqlite3_clear_bindings(st->extra[i]);
			return st->extra[i];
		}
	}
	if (st->nextra == STORE_EXTRA_MAX ||
	    sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return NULL;
	st->extra_sql[st->nextra] = sql;
	st->extra[st->nextra++] = s;
	return s;
}

/* --- binding helpers ------------------------------------------------------------- */

static void bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_bytes(sqlite3_stmt *s, int i, struct store_bytes b)
{
	if (b.p)
		sqlite3_bind_text(s, i, b.p, (int)b.len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void bind_id(sqlite3_stmt *s, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(s, i, id);
	else
		sqlite3_bind_null(s, i);
}

/* Runs a bound statement to completion and resets it.  Returns 0 or -EIO. */
static int run(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -EIO;
}

static int64_t run_insert(struct store *st, enum stmt_id id)
{
	return run(st, id) ? -EIO : sqlite3_last_insert_rowid(st->db);
}

/* --- builds ---------------------------------------------------------------------- */

int64_t store_build_new(struct store *st, const struct store_build *b)
{
	sqlite3_stmt *s = st->stmt[S_BUILD_NEW];

	sqlite3_bind_int64(s, 1, b->started_ns);
	bind_bytes(s, 2, b->argv);
	bind_str(s, 3, b->cwd);
	bind_str(s, 4, b->backend);
	bind_str(s, 5, b->hostname);
	bind_str(s, 6, b->user);
	return run_insert(st, S_BUILD_NEW);
}

int store_build_finish(struct store *st, int64_t id, int64_t ended_ns, int exit_status,
		       const char *state, int complete, int64_t nevents, int64_t nlost)
{
	sqlite3_stmt *s = st->stmt[S_BUILD_FINISH];

	sqlite3_bind_int64(s, 1, ended_ns);
	sqlite3_bind_int(s, 2, exit_status);
	bind_str(s, 3, state);
	sqlite3_bind_int(s, 4, complete);
	sqlite3_bind_int64(s, 5, nevents);
	sqlite3_bind_int64(s, 6, nlost);
	sqlite3_bind_int64(s, 7, id);
	return run(st, S_BUILD_FINISH);
}

int store_incomplete_add(struct store *st, int64_t build_id, int64_t process_id,
			 const char *reason, const char *detail)
{
	sqlite3_stmt *s = st->stmt[S_INCOMPLETE_ADD];

	sqlite3_bind_int64(s, 1, build_id);
	bind_id(s, 2, process_id);
	bind_str(s, 3, reason);
	bind_str(s, 4, detail);
	return run(st, S_INCOMPLETE_ADD);
}

int64_t store_incomplete_count(struct store *st, int64_t build_id)
{
	sqlite3_stmt *s = st->stmt[S_INCOMPLETE_COUNT];
	int64_t n = -EIO;

	sqlite3_bind_int64(s, 1, build_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

/* --- processes ------------------------------------------------------------------- */

int64_t store_process_new(struct store *st, const struct store_process *p)
{
	sqlite3_stmt *s = st->stmt[S_PROC_NEW];

	sqlite3_bind_int64(s, 1, p->build_id);
	sqlite3_bind_int(s, 2, p->pid);
	sqlite3_bind_int(s, 3, p->ppid);
	bind_id(s, 4, p->parent_id);
	bind_id(s, 5, p->prev_id);
	bind_str(s, 6, p->exe);
	bind_str(s, 7, p->exec_path);
	bind_str(s, 8, p->interp);
	bind_bytes(s, 9, p->argv);
	bind_str(s, 10, p->cwd);
	sqlite3_bind_int(s, 11, p->uid);
	sqlite3_bind_int(s, 12, p->gid);
	sqlite3_bind_int64(s, 13, p->start_ns);
	sqlite3_bind_int(s, 14, p->is_static);
	bind_str(s, 15, p->source);
	return run_insert(st, S_PROC_NEW);
}

int store_process_set_env(struct store *st, int64_t id, const char *env_json)
{
	bind_str(st->stmt[S_PROC_ENV], 1, env_json);
	sqlite3_bind_int64(st->stmt[S_PROC_ENV], 2, id);
	return run(st, S_PROC_ENV);
}

int store_process_set_exe_hash(struct store *st, int64_t id, const char *sha256)
{
	bind_str(st->stmt[S_PROC_EXE_HASH], 1, sha256);
	sqlite3_bind_int64(st->stmt[S_PROC_EXE_HASH], 2, id);
	return run(st, S_PROC_EXE_HASH);
}

int store_process_set_static(struct store *st, int64_t id)
{
	sqlite3_bind_int64(st->stmt[S_PROC_STATIC], 1, id);
	return run(st, S_PROC_STATIC);
}

int store_process_set_exe(struct store *st, int64_t id, const char *exe)
{
	bind_str(st->stmt[S_PROC_EXE], 1, exe);
	sqlite3_bind_int64(st->stmt[S_PROC_EXE], 2, id);
	return run(st, S_PROC_EXE);
}

int store_process_end(struct store *st, int64_t id, int64_t end_ns, int exit_status,
		      const char *how, struct store_bytes argv, const char *env_json)
{
	sqlite3_stmt *s = st->stmt[S_PROC_END];

	sqlite3_bind_int64(s, 1, end_ns);
	if (exit_status < -1000)
		sqlite3_bind_null(s, 2);
	else
		sqlite3_bind_int(s, 2, exit_status);
	bind_str(s, 3, how);
	bind_bytes(s, 4, argv);
	bind_str(s, 5, env_json);
	sqlite3_bind_int64(s, 6, id);
	return run(st, S_PROC_END);
}

int store_process_set_exit(struct store *st, int64_t id, int exit_status, const char *how)
{
	sqlite3_stmt *s = st->stmt[S_PROC_EXIT];

	sqlite3_bind_int(s, 1, exit_status);
	bind_str(s, 2, how);
	sqlite3_bind_int64(s, 3, id);
	return run(st, S_PROC_EXIT);
}

/* --- file events and versions ---------------------------------------------------- */

int64_t store_event_add(struct store *st, const struct store_event *e)
{
	sqlite3_stmt *s = st->stmt[S_EVENT_ADD];

	sqlite3_bind_int64(s, 1, e->build_id);
	bind_id(s, 2, e->process_id);
	sqlite3_bind_int64(s, 3, e->ts_ns);
	bind_str(s, 4, e->op);
	bind_str(s, 5, e->access);
	bind_str(s, 6, e->path);
	bind_str(s, 7, e->abspath);
	bind_str(s, 8, e->realpath);
	bind_str(s, 9, e->path2);
	bind_str(s, 10, e->abspath2);
	sqlite3_bind_int64(s, 11, e->flags);
	sqlite3_bind_int64(s, 12, e->result);
	bind_id(s, 13, e->version_id);
	bind_str(s, 14, e->noise);
	return run_insert(st, S_EVENT_ADD);
}

int store_event_set_version(struct store *st, int64_t event_id, int64_t version_id)
{
	bind_id(st->stmt[S_EVENT_VERSION], 1, version_id);
	sqlite3_bind_int64(st->stmt[S_EVENT_VERSION], 2, event_id);
	return run(st, S_EVENT_VERSION);
}

int64_t store_version_add(struct store *st, const struct store_version *v)
{
	sqlite3_stmt *s = st->stmt[S_VERSION_ADD];

	sqlite3_bind_int64(s, 1, v->build_id);
	bind_str(s, 2, v->path);
	sqlite3_bind_int64(s, 3, v->vseq);
	bind_str(s, 4, v->sha256);
	bind_str(s, 5, v->gitoid_sha1);
	bind_str(s, 6, v->gitoid_sha256);
	sqlite3_bind_int64(s, 7, v->size);
	sqlite3_bind_int64(s, 8, v->dev);
	sqlite3_bind_int64(s, 9, v->ino);
	sqlite3_bind_int64(s, 10, v->mtime_ns);
	sqlite3_bind_int64(s, 11, v->ctime_ns);
	bind_str(s, 12, v->origin);
	bind_id(s, 13, v->writer_id);
	bind_str(s, 14, v->state);
	bind_str(s, 15, v->sha1);
	return run_insert(st, S_VERSION_ADD);
}

int store_version_withhold(struct store *st, int64_t id)
{
	sqlite3_bind_int64(st->stmt[S_VERSION_WITHHOLD], 1, id);
	return run(st, S_VERSION_WITHHOLD);
}
