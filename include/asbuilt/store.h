/*
 * store.h - the provenance database (SQLite).  All SQL of asbuilt lives in src/store/.
 * The schema is documented in docs/database.md.  Paths are stored as TEXT holding the exact
 * bytes the build used; argv is stored raw, NUL-separated.
 */
#ifndef ASBUILT_STORE_H
#define ASBUILT_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION 2

struct store;

/* A byte string that may hold NULs (argv) or be NULL (stored as SQL NULL). */
struct store_bytes {
	const char *p;
	size_t len;
};

struct store_build {
	int64_t started_ns;
	struct store_bytes argv;
	const char *cwd;
	const char *backend;
	const char *hostname;
	const char *user;
};

struct store_process {
	int64_t build_id;
	int pid, ppid;
	int64_t parent_id, prev_id; /* 0 = NULL */
	const char *exe, *exec_path, *interp, *cwd;
	struct store_bytes argv;
	int uid, gid;
	int64_t start_ns;
	int is_static;
	const char *source;
};

struct store_event {
	int64_t build_id, process_id;
	int64_t ts_ns;
	const char *op, *access;
	const char *path, *abspath, *realpath, *path2, *abspath2;
	int64_t flags, result;
	int64_t version_id; /* 0 = NULL */
	const char *noise;
};

struct store_version {
	int64_t build_id;
	const char *path;
	int64_t vseq;
	const char *sha256, *gitoid_sha1, *gitoid_sha256; /* NULL unless state is "ok" */
	const char *sha1;
	int64_t size, dev, ino, mtime_ns, ctime_ns;
	const char *origin, *state;
	int64_t writer_id; /* 0 = NULL */
};

/* Opens (create != 0: creating if missing) the database at path and checks its schema.
 * A database of an older schema version is migrated to STORE_SCHEMA_VERSION in one
 * transaction (its data kept).  Returns 0 and *out (free with store_close), or a negative
 * errno with a sentence in err: -ENOENT missing, -EPROTO not an asbuilt database or a newer
 * schema, -EIO when the schema cannot be created or migrated (a read-only file). */
int store_open(const char *path, int create, struct store **out, char *err, size_t errlen);

/* Closes; accepts NULL. */
void store_close(struct store *st);

/* The sqlite3 handle, for read-only queries of other modules (show, graph). */
struct sqlite3 *store_db(struct store *st);

/* Last SQLite error message of st. */
const char *store_errmsg(struct store *st);

int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* For the other files of src/store/ only: the prepared statement for sql, which must have
 * static storage (its address is the key).  Prepared on first use, kept until store_close
 * (which finalises it); returned reset with its bindings cleared.  Borrowed: do not
 * finalise it.  NULL when it cannot be prepared (store_errmsg says why). */
struct sqlite3_stmt *store_stmt(struct store *st, const char *sql);

/* Inserts a build in state 'running'.  Returns its id (> 0) or a negative errno. */
int64_t store_build_new(struct store *st, const struct store_build *b);

/* Sets the end of build id. */
int store_build_finish(struct store *st, int64_t id, int64_t ended_ns, int exit_status,
		       const char *state, int complete, int64_t nevents, int64_t nlost);

/* Adds a reason why build_id is incomplete (process_id 0 = none). */
int store_incomplete_add(struct store *st, int64_t build_id, int64_t process_id,
			 const char *reason, const char *detail);

/* Number of incomplete rows of build_id, or a negative errno. */
int64_t store_incomplete_count(struct store *st, int64_t build_id);

int64_t store_process_new(struct store *st, const struct store_process *p);
int store_process_set_env(struct store *st, int64_t id, const char *env_json);
int store_process_set_exe_hash(struct store *st, int64_t id, const char *sha256);
int store_process_set_static(struct store *st, int64_t id);
int store_process_set_exe(struct store *st, int64_t id, const char *exe);
/* exit_status < -1000 means unknown (NULL).  A row's exit status and how, once set, stay;
 * argv (p NULL) and env_json (NULL) are set unless NULL. */
int store_process_end(struct store *st, int64_t id, int64_t end_ns, int exit_status,
		      const char *how, struct store_bytes argv, const char *env_json);
/* Sets the exit status of a process row if it has none yet. */
int store_process_set_exit(struct store *st, int64_t id, int exit_status, const char *how);

int64_t store_event_add(struct store *st, const struct store_event *e);
int store_event_set_version(struct store *st, int64_t event_id, int64_t version_id);

int64_t store_version_add(struct store *st, const struct store_version *v);
/* Takes a version's hashes back (state 'changed'): they turned out to be of a later
 * content than the version's. */
int store_version_withhold(struct store *st, int64_t id);

#endif /* ASBUILT_STORE_H */
