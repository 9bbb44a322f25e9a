/* hashstore.c - the persistent hash cache of system files, kept in SQLite. */
#include "asbuilt/hashstore.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct hs_entry {
	struct hc_key key;
	struct hash_result h; /* h.size == 0 and sha256[0] == 0: a hit to mark used */
	char *path;
};

struct hashstore {
	sqlite3 *db;
	sqlite3_stmt *get;
	struct hs_entry *q; /* queued writes and hits */
	size_t n, cap;
	uint64_t hits, puts;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS hashes (dev INTEGER NOT NULL, ino INTEGER NOT "
	"NULL,"
	" size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT "
	"NULL,"
	" path TEXT NOT NULL, sha256 TEXT NOT NULL, sha1 TEXT NOT NULL,"
	" gitoid_sha1 TEXT NOT NULL, gitoid_sha256 TEXT NOT NULL, used_s INTEGER "
	"NOT NULL,"
	" PRIMARY KEY (dev, ino, size, mtime_ns, ctime_ns)) WITHOUT ROWID;"
	/* 'pruned_s': when the stale entries were last forgotten */
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

int hashstore_eligible(const char *p)
{
	static const char *const dirs[] = { "/usr/", "/lib", "/etc/", "/opt/", "/bin/", "/sbin/" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strncmp(p, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

const char *hashstore_default_path(char *buf, size_t len)
{
	const char *e = getenv("ASBUILT_HASH_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	struct passwd *pw;
	int n;

	if (e)
		return *e && strcmp(e, "off")
			       ? (snprintf(buf, len, "%s", e) < (int)len ? buf : NULL)
			       : NULL;
	if (xdg && xdg[0] == '/' && geteuid() == getuid())
		n = snprintf(buf, len, "%s/asbuilt/hashes.sqlite", xdg);
	else if ((pw = getpwuid(geteuid())) && pw->pw_dir && pw->pw_dir[0] == '/')
		n = snprintf(buf, len, "%s/.cache/asbuilt/hashes.sqlite", pw->pw_dir);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

/* Creates the directories above path (mode 0700 for the ones it makes). */
static void make_parents(const char *path)
{
	char d[4096];
	size_t n = strlen(path);

	if (n >= sizeof(d))
		return;
	memcpy(d, path, n + 1);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		(void)mkdir(d, 0700);
		*p = '/';
	}
}

int hashstore_open(const char *path, struct hashstore **out)
{
	struct hashstore *hs = calloc(1, sizeof(*hs));
	int fd;

	if (!hs)
		return -ENOMEM;
	make_parents(path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;
		free(hs);
		return -e;
	}
	close(fd);
	if (sqlite3_open_v2(path, &hs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ||
	    sqlite3_busy_timeout(hs->db, 2000) ||
	    sqlite3_exec(hs->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL,
			 NULL) ||
	    sqlite3_exec(hs->db, schema, NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(hs->db,
			       "SELECT sha256, sha1, gitoid_sha1, gitoid_sha256, used_s FROM hashes"
			       " WHERE dev=?1 AND ino=?2 AND size=?3 AND mtime_ns=?4 AND "
			       "ctime_ns=?5",
			       -1, &hs->get, NULL)) {
		sqlite3_finalize(hs->get);
		sqlite3_close(hs->db);
		free(hs);
		return -EIO;
	}
	*out = hs;
	return 0;
}

static void bind_key(sqlite3_stmt *s, const struct hc_key *k)
{
	sqlite3_bind_int64(s, 1, (sqlite3_int64)k->dev);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)k->ino);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)k->size);
	sqlite3_bind_int64(s, 4, k->mtime_ns);
	sqlite3_bind_int64(s, 5, k->ctime_ns);
}

/* Copies column i into dst (cap bytes) when it is a hex string of exactly cap-1
 * digits. */
static int col_hex(sqlite3_stmt *s, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	if (!t || strlen((const char *)t) != cap - 1 ||
	    strspn((const char *)t, "0123456789abcdef") != cap - 1)
		return -1;
	memcpy(dst, t, cap);
	return 0;
}

static void enqueue(struct hashstore *hs, const struct hc_key *k, const char *path,
		    const struct hash_result *h)
{
	struct hs_entry *e;

	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 64;
		struct hs_entry *q = realloc(hs->q, cap * sizeof(*q));
		if (!q)
			return;
		hs->q = q;
		hs->cap = cap;
	}
	e = &hs->q[hs->n];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	if (h) {
		e->h = *h;
		if (!(e->path = strdup(path)))
			return;
	}
	hs->n++;
}

int hashstore_get(struct hashstore *hs, const struct hc_key *k, struct hash_result *out)
{
	struct hash_result h = { 0 };
	int rc;

	sqlite3_reset(hs->get);
	bind_key(hs->get, k);
	rc = sqlite3_step(hs->get);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	if (col_hex(hs->get, 0, h.sha256, sizeof(h.sha256)) ||
	    col_hex(hs->get, 1, h.sha1, sizeof(h.sha1)) ||
	    col_hex(hs->get, 2, h.gitoid_sha1, sizeof(h.gitoid_sha1)) ||
	    col_hex(hs->get, 3, h.gitoid_sha256, sizeof(h.gitoid_sha256)))
		return 0; /* a damaged row: hash again (the put replaces it) */
	/* its last use is noted to the day: a rebuild writes nothing */
	if (sqlite3_column_int64(hs->get, 4) < (sqlite3_int64)time(NULL) - HASHSTORE_TOUCH_S)
		enqueue(hs, k, NULL, NULL);
	sqlite3_reset(hs->get);
	h.size = k->size;
	*out = h;
	hs->hits++;
	return 1;
}

void hashstore_put(struct hashstore *hs, const struct hc_key *k, const char *path,
		   const struct hash_result *h)
{
	if (!hs || !hashstore_eligible(path))
		return;
	hs->puts++;
	enqueue(hs, k, path, h);
}

void hashstore_counts(const struct hashstore *hs, uint64_t *hits, uint64_t *puts)
{
	*hits = hs ? hs->hits : 0;
	*puts = hs ? hs->puts : 0;
}

/* Writes the queue inside the open transaction.  Returns 0 or -EIO. */
static int flush(struct hashstore *hs, sqlite3_int64 now)
{
	sqlite3_stmt *put = NULL, *use = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(hs->db,
			       "INSERT OR REPLACE INTO hashes VALUES "
			       "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
			       -1, &put, NULL) ||
	    sqlite3_prepare_v2(hs->db,
			       "UPDATE hashes SET used_s=?6 WHERE dev=?1 AND ino=?2 AND size=?3"
			       " AND mtime_ns=?4 AND ctime_ns=?5",
			       -1, &use, NULL))
		goto out;
	for (size_t i = 0; i < hs->n; i++) {
		struct hs_entry *e = &hs->q[i];
		sqlite3_stmt *s = e->path ? put : use;

		sqlite3_reset(s);
		bind_key(s, &e->key);
		if (e->path) {
			sqlite3_bind_text(s, 6, e->path, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 7, e->h.sha256, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 8, e->h.sha1, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 9, e->h.gitoid_sha1, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 10, e->h.gitoid_sha256, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 11, now);
		} else {
			sqlite3_bind_int64(s, 6, now);
		}
		if (sqlite3_step(s) != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(put);
	sqlite3_finalize(use);
	return rc;
}

/* When the stale entries were last forgotten (0: never). */
static sqlite3_int64 pruned_s(struct hashstore *hs)
{
	sqlite3_stmt *s;
	sqlite3_int64 t = 0;

	if (sqlite3_prepare_v2(hs->db, "SELECT value FROM meta WHERE key = 'pruned_s'", -1, &s,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return t;
}

int hashstore_close(struct hashstore *hs)
{
	sqlite3_int64 now = (sqlite3_int64)time(NULL);
	char prune[256];
	int rc = 0, stale;

	if (!hs)
		return 0;
	/* forgetting reads the whole cache: once a day is enough for entries kept 60 days */
	stale = pruned_s(hs) < now - HASHSTORE_TOUCH_S;
	snprintf(prune, sizeof(prune),
		 "DELETE FROM hashes WHERE used_s < %lld;"
		 "INSERT OR REPLACE INTO meta VALUES ('pruned_s', %lld);",
		 (long long)(now - HASHSTORE_MAX_AGE_DAYS * 86400LL), (long long)now);
	if (hs->n || stale) {
		if (sqlite3_exec(hs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK &&
		    flush(hs, now) == 0 &&
		    (!stale || sqlite3_exec(hs->db, prune, NULL, NULL, NULL) == SQLITE_OK) &&
		    sqlite3_exec(hs->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			rc = 0;
		else {
			sqlite3_exec(hs->db, "ROLLBACK", NULL, NULL, NULL);
			rc = -EIO;
		}
	}
	for (size_t i = 0; i < hs->n; i++)
		free(hs->q[i].path);
	free(hs->q);
	sqlite3_finalize(hs->get);
	sqlite3_close(hs->db);
	free(hs);
	return rc;
}
