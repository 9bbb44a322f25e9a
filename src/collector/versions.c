/* versions.c - file versions: hashing reads at use, writes when their writer is done. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/hashstore.h"
#include "asbuilt/store.h"
#include "internal.h"

static void free_value(const char *key, void *value, void *ctx);

static char *canon_uncached(const char *abspath)
{
	char buf[PATH_MAX], *slash, *r;
	size_t n;

	r = realpath(abspath, NULL);
	if (r)
		return r;
	/* gone or not yet there: resolve the directory, keep the last component */
	slash = strrchr(abspath, '/');
	if (!slash || slash == abspath || (size_t)(slash - abspath) >= sizeof(buf))
		return strdup(abspath);
	memcpy(buf, abspath, (size_t)(slash - abspath));
	buf[slash - abspath] = '\0';
	r = realpath(buf, NULL);
	if (!r)
		return strdup(abspath);
	n = strlen(r);
	char *out = malloc(n + strlen(slash) + 1);
	if (out) {
		memcpy(out, r, n);
		strcpy(out + n, n == 1 ? slash + 1 : slash);
	}
	free(r);
	return out;
}

/* Whether name[0, n) is a path component realpath() has to interpret: empty, "." or "..". */
static int special_name(const char *name, size_t n)
{
	return n == 0 || (name[0] == '.' && (n == 1 || (n == 2 && name[1] == '.')));
}

/* Adds the directories above path to c->resolved_dirs, and path itself when self. */
static void note_dirs(struct collector *c, const char *path, int self)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf)) {
		c->resolved_dirs_failed = 1;
		return;
	}
	memcpy(buf, path, n + 1);
	if (!self) {
		char *slash = strrchr(buf, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
	/* deepest first: a directory already there has its own parents there too */
	while (buf[0] && !strmap_get(&c->resolved_dirs, buf)) {
		char *slash = strrchr(buf, '/');

		if (strmap_put(&c->resolved_dirs, buf, (void *)1)) {
			c->resolved_dirs_failed = 1;
			return;
		}
		if (!slash)
			return;
		*slash = '\0';
	}
}

/* Keeps c->resolved_dirs up to date with a new entry key -> value of realpaths or
 * canon_dirs (see forget_under). */
static void note_resolved(struct collector *c, const char *key, const char *value)
{
	note_dirs(c, key, 0);
	if (*value && strcmp(key, value))
		note_dirs(c, value, 1);
}

static int under(const char *path, const char *top, size_t n)
{
	return !strncmp(path, top, n) && (path[n] == '/' || path[n] == '\0');
}

/* The canonical form of the absolute directory dir[0, len) ("" for the root), from the
 * directories resolved before: one readlink() for a directory not seen yet, where realpath()
 * asks one per component.  NULL when a component is missing, is "." or "..", or cannot be
 * read: the caller then uses realpath(). */
static const char *canon_dir(struct collector *c, const char *dir, size_t len, int depth)
{
	char key[PATH_MAX], cand[PATH_MAX], one;
	const char *slash, *parent, *name;
	char *r;
	size_t nlen;
	int n;

	if (len == 0)
		return "";
	if (len >= sizeof(key) || dir[0] != '/' || depth > 256)
		return NULL;
	memcpy(key, dir, len);
	key[len] = '\0';
	if ((r = strmap_get(&c->canon_dirs, key)))
		return r;
	slash = memrchr(dir, '/', len);
	name = slash + 1;
	nlen = len - (size_t)(name - dir);
	if (special_name(name, nlen))
		return NULL;
	parent = canon_dir(c, dir, (size_t)(slash - dir), depth + 1);
	if (!parent)
		return NULL;
	n = snprintf(cand, sizeof(cand), "%s/%.*s", parent, (int)nlen, name);
	if (n < 0 || (size_t)n >= sizeof(cand))
		return NULL;
	if (readlink(cand, &one, 1) >= 0) {
		/* a symlink: let realpath follow it */
		if (!(r = realpath(key, NULL)))
			return NULL;
		if (!strcmp(r, "/"))
			r[0] = '\0';
	} else if (errno == EINVAL) {
		r = strdup(cand); /* there, and not a symlink */
	} else {
		return NULL;
	}
	if (!r || strmap_put(&c->canon_dirs, key, r)) {
		free(r);
		return NULL;
	}
	note_resolved(c, key, r);
	return r;
}

/* canon_uncached(), but resolving the directory through canon_dir(). */
static char *canon_fast(struct collector *c, const char *abspath)
{
	const char *slash = strrchr(abspath, '/'), *dir, *name;
	char one, *out;
	size_t nlen;

	if (!slash)
		return NULL;
	name = slash + 1;
	nlen = strlen(name);
	if (special_name(name, nlen))
		return NULL;
	dir = canon_dir(c, abspath, (size_t)(slash - abspath), 0);
	if (!dir || asprintf(&out, "%s/%s", dir, name) < 0)
		return NULL;
	if (readlink(out, &one, 1) < 0 && (errno == EINVAL || errno == ENOENT))
		return out; /* not a symlink, or not there (yet): as realpath of its directory */
	free(out);
	return NULL;
}

const char *vers_canon(struct collector *c, const char *abspath)
{
	char *r = strmap_get(&c->realpaths, abspath);

	if (r)
		return r;
	r = canon_fast(c, abspath);
	if (!r)
		r = canon_uncached(abspath);
	if (!r)
		return abspath;
	if (strmap_put(&c->realpaths, abspath, r)) {
		free(r);
		return abspath;
	}
	note_resolved(c, abspath, r);
	return r;
}

struct resolved_match {
	const char *path[2];
	size_t len[2];
	char **keys; /* the keys to forget */
	size_t n, cap;
	int failed;
};

static void match_resolved(const char *key, void *value, void *ctx)
{
	struct resolved_match *x = ctx;

	if (!value || x->failed)
		return; /* forgotten before */
	for (int i = 0; i < 2; i++) {
		size_t n = x->len[i];

		if (!n || !(under(key, x->path[i], n) || under(value, x->path[i], n)))
			continue;
		if (x->n == x->cap) {
			size_t cap = x->cap ? 2 * x->cap : 16;
			char **k = realloc(x->keys, cap * sizeof(*k));

			if (!k) {
				x->failed = 1;
				return;
			}
			x->keys = k;
			x->cap = cap;
		}
		if (!(x->keys[x->n] = strdup(key))) {
			x->failed = 1;
			return;
		}
		x->n++;
		return;
	}
}

/* Forgets the entries of m (values: malloc'd canonical paths) at or under p1 or p2.
 * Forgotten entries keep their key with a NULL value, which reads as absent.  A path that
 * is not in c->resolved_dirs can only be a key itself (a file renamed, most renames): that
 * entry alone is forgotten.  Else every entry is looked at, in a read-only pass first
 * (rebuilding the map took 13% of the collector's time on a CMake build; looking at every
 * entry at every rename, 8%). */
static void forget_under(struct collector *c, struct strmap *m, const char *p1,
			 const char *p2)
{
	struct resolved_match x = { .path = { p1, p2 } };
	int scan = c->resolved_dirs_failed;

	if (!m->len)
		return;
	for (int i = 0; i < 2 && !scan; i++)
		scan = x.path[i] && strmap_get(&c->resolved_dirs, x.path[i]);
	if (!scan) {
		for (int i = 0; i < 2; i++) {
			char *v = x.path[i] ? strmap_get(m, x.path[i]) : NULL;

			if (v) {
				free(v);
				strmap_put(m, x.path[i], NULL);
			}
		}
		return;
	}
	for (int i = 0; i < 2; i++)
		x.len[i] = x.path[i] ? strlen(x.path[i]) : 0;
	strmap_each(m, match_resolved, &x);
	for (size_t i = 0; i < x.n; i++) {
		free(strmap_get(m, x.keys[i]));
		strmap_put(m, x.keys[i], NULL); /* the key is there: no allocation */
		free(x.keys[i]);
	}
	free(x.keys);
	if (x.failed) { /* out of memory: forget everything */
		strmap_each(m, free_value, NULL);
		strmap_release(m);
	}
}

void vers_paths_changed(struct collector *c, const char *p1, const char *p2)
{
	forget_under(c, &c->canon_dirs, p1, p2);
	forget_under(c, &c->realpaths, p1, p2);
}

static struct pathinfo *path_info(struct collector *c, const char *canon)
{
	struct pathinfo *pi = strmap_get(&c->paths, canon);

	if (!pi) {
		pi = calloc(1, sizeof(*pi));
		if (!pi || strmap_put(&c->paths, canon, pi)) {
			free(pi);
			return NULL;
		}
	}
	return pi;
}

static const char *state_name(enum hc_status s)
{
	switch (s) {
	case HC_OK:
		return "ok";
	case HC_CHANGED:
		return "changed";
	case HC_VANISHED:
		return "vanished";
	case HC_DIR:
		return "dir";
	default:
		return "unreadable";
	}
}

/* Adds a version row for canon with hash h (or state s when not HC_OK).  late: see
 * struct vanished. */
static int64_t add_version(struct collector *c, struct pathinfo *pi, const char *canon,
			   enum hc_status s, const struct hash_result *h, const struct hc_key *k,
			   const char *origin, int64_t writer_id, int late)
{
	struct store_version v = {
		.build_id = c->build_id,
		.path = canon,
		.vseq = pi->vseq + 1,
		.origin = origin,
		.state = state_name(s),
		.writer_id = writer_id,
	};
	int64_t id;

	if (s == HC_OK) {
		v.sha256 = h->sha256;
		v.sha1 = h->sha1;
		v.gitoid_sha1 = h->gitoid_sha1;
		v.gitoid_sha256 = h->gitoid_sha256;
		v.size = (int64_t)h->size;
	}
	if (k) {
		v.dev = (int64_t)k->dev;
		v.ino = (int64_t)k->ino;
		v.mtime_ns = k->mtime_ns;
		v.ctime_ns = k->ctime_ns;
		if (s != HC_OK)
			v.size = (int64_t)k->size;
	}
	id = store_version_add(c->st, &v);
	if (id < 0) {
		c->db_failed = 1;
		return 0;
	}
	pi->vseq++;
	pi->cur_vid = id;
	strcpy(pi->sha256, s == HC_OK ? h->sha256 : "");
	pi->key = k ? *k : (struct hc_key){ 0 };
	pi->writer = strcmp(origin, "written") == 0 ? writer_id : 0;
	c->stats.versions++;
	if (s == HC_VANISHED || s == HC_CHANGED) {
		struct vanished *gone = malloc(sizeof(*gone) + strlen(canon) + 1);
		if (gone) {
			gone->changed = s == HC_CHANGED;
			gone->late = late;
			gone->written = strcmp(origin, "written") == 0;
			gone->vseq = pi->vseq;
			gone->process_id = writer_id;
			strcpy(gone->path, canon);
			gone->next = c->vanished;
			c->vanished = gone;
		}
	} else if (s != HC_OK && s != HC_DIR) {
		/* a hash we could not take is a hole in the record: say so */
		c->stats.warnings++;
		store_incomplete_add(c->st, c->build_id, writer_id,
				     "unreadable",
				     canon);
	}
	return id;
}

int64_t vers_read(struct collector *c, const char *canon, const struct hc_key *want,
		  int64_t reader_id, int pid, int fd)
{
	struct pathinfo *pi = path_info(c, canon);
	struct hash_result h;
	struct hc_key found = { 0 };
	enum hc_status s;
	char viafd[64];

	if (!pi)
		return 0;
	s = hashcache_get(&c->hc, canon, want, &found, &h);
	if (s == HC_VANISHED && pid > 0 && fd >= 0 && want) {
		/* deleted already (a compiler's temporary): the reader may still hold it */
		snprintf(viafd, sizeof(viafd), "/proc/%d/fd/%d", pid, fd);
		s = hashcache_get(&c->hc, viafd, want, &found, &h);
		if (s == HC_CHANGED || s == HC_UNREADABLE) /* fd reused for another file */
			s = HC_VANISHED;
	}
	if (s == HC_DIR)
		return 0;
	if (s == HC_OK && pi->cur_vid && strcmp(pi->sha256, h.sha256) == 0)
		return pi->cur_vid;
	/* changed since the reader saw it, into the very content the path's last written
	 * version was hashed with: that hash was taken after this read (the eBPF backend
	 * cannot make a writer wait: ar's archive, rewritten in place by ranlib before the
	 * collector got to ar's exit), so what the reader read was never hashed, and what
	 * its writer made may not be that version either */
	int late = s == HC_CHANGED && pi->writer && pi->writer != reader_id && pi->sha256[0] &&
		   hc_key_same_content(&pi->key, &found);
	if (s != HC_OK && want)
		found = *want;
	c->stats.inputs++;
	/* content no traced process wrote: there before the build, or changed behind us */
	return add_version(c, pi, canon, s, &h, &found, pi->vseq ? "external" : "preexisting",
			   s == HC_CHANGED ? reader_id : 0, late);
}

void vers_write_opened(struct collector *c, const char *canon, const struct hc_key *seen,
		       int64_t opener)
{
	struct pathinfo *pi = strmap_get(&c->paths, canon);

	if (!pi || !pi->cur_vid || !pi->writer || pi->writer == opener || !pi->sha256[0] ||
	    pi->key.ctime_ns <= seen->ctime_ns || hc_key_same_content(&pi->key, seen))
		return;
	if (store_version_withhold(c->st, pi->cur_vid))
		c->db_failed = 1;
	pi->sha256[0] = '\0';
	c->stats.superseded++;
}

int64_t vers_new(struct collector *c, const char *canon, const char *origin,
		 int64_t writer_id)
{
	struct pathinfo *pi = path_info(c, canon);
	struct hash_result h;
	struct hc_key found = { 0 };
	enum hc_status s;

	if (!pi)
		return 0;
	s = hashcache_get(&c->hc, canon, NULL, &found, &h);
	if (s == HC_DIR)
		return 0;
	if (strcmp(origin, "written") == 0)
		c->stats.outputs++;
	return add_version(c, pi, canon, s, &h, &found, origin, writer_id, 0);
}

/* A pending write whose file is gone although a hashed version of it exists: a temporary
 * that another process wrote and this one (gcc's driver: mkstemp, then unlink) deleted.
 * Its content is that version; nothing is lost, so no vanished version is added. */
static int gone_but_known(struct collector *c, const char *path)
{
	struct pathinfo *pi = strmap_get(&c->paths, path);

	return pi && pi->sha256[0] && access(path, F_OK) != 0;
}

/* Hashes one pending write of img (and every other pending write of the same path). */
static void flush_one(struct collector *c, struct image *img, const char *path)
{
	struct pending_write **pp = &img->writes, *w;
	int64_t vid = 0;

	while ((w = *pp)) {
		if (strcmp(w->path, path) != 0) {
			pp = &w->next;
			continue;
		}
		if (!vid && !(gone_but_known(c, w->path)))
			vid = vers_new(c, w->path, "written", img->id);
		if (vid && store_event_set_version(c->st, w->event_id, vid))
			c->db_failed = 1;
		*pp = w->next;
		free(w->path);
		free(w);
	}
	if (strmap_get(&c->writers, path) == img)
		strmap_put(&c->writers, path, NULL);
}

void vers_flush_writes(struct collector *c, struct image *img)
{
	while (img->writes) {
		char *p = strdup(img->writes->path);
		if (!p)
			return;
		flush_one(c, img, p);
		free(p);
	}
}

/* Whether img still writes path through a descriptor an exec leaves open. */
static int survives_exec(const struct image *img, const char *path)
{
	for (const struct pending_write *w = img->writes; w; w = w->next)
		if (w->survives_exec && !strcmp(w->path, path))
			return 1;
	return 0;
}

void vers_flush_writes_at_exec(struct collector *c, struct image *img)
{
	for (;;) {
		const struct pending_write *w = img->writes;
		char *p;

		while (w && survives_exec(img, w->path))
			w = w->next;
		if (!w || !(p = strdup(w->path)))
			return;
		flush_one(c, img, p);
		free(p);
	}
}

void vers_flush_path(struct collector *c, const char *canon, uint64_t before_ns)
{
	struct image *img = strmap_get(&c->writers, canon);
	const struct pending_write *w;

	if (!img)
		return;
	for (w = img->writes; before_ns && w; w = w->next)
		if (!strcmp(w->path, canon) && w->ts_ns <= before_ns)
			break;
	if (!before_ns || w)
		flush_one(c, img, canon);
}

void vers_removed(struct collector *c, const char *canon)
{
	strmap_put(&c->removed, canon, (void *)1);
}

static void rewrote_key(char *buf, size_t n, int64_t process_id, const char *canon)
{
	snprintf(buf, n, "%lld:%s", (long long)process_id, canon);
}

void vers_rewrote(struct collector *c, int64_t process_id, const char *canon)
{
	char key[PATH_MAX + 32];

	rewrote_key(key, sizeof(key), process_id, canon);
	strmap_put(&c->rewrote, key, (void *)1);
	strmap_put(&c->made, canon, (void *)1);
}

/* Whether canon is a temporary of the build: made there by a traced process (opened for
 * writing, renamed or linked to: every written, renamed or linked version comes from one
 * of those), removed by one, and gone now that the build has ended. */
static int temporary(struct collector *c, const char *canon)
{
	struct stat sb;

	return strmap_get(&c->removed, canon) && strmap_get(&c->made, canon) &&
	       lstat(canon, &sb) < 0 && errno == ENOENT;
}

void vers_judge_vanished(struct collector *c)
{
	char key[PATH_MAX + 32];
	const struct pathinfo *pi;

	while (c->vanished) {
		struct vanished *v = c->vanished;
		c->vanished = v->next;
		rewrote_key(key, sizeof(key), v->process_id, v->path);
		if (!v->changed && strmap_get(&c->removed, v->path)) {
			c->stats.temporaries++;
		} else if (v->changed && v->written && (pi = strmap_get(&c->paths, v->path)) &&
			   pi->vseq > v->vseq) {
			/* still being changed by the next writer when hashed, and that one's
			 * version came after: no step read this one (a read is taken by its
			 * hash; one that found the file changing says so itself) */
			c->stats.superseded++;
		} else if (v->changed && !v->written && !v->late && v->process_id &&
			   strmap_get(&c->rewrote, key)) {
			/* it read its own file, then rewrote it: the change is its own (unless
			 * the version before its rewrite was never hashed: v->late) */
		} else if (v->changed && temporary(c, v->path)) {
			/* a temporary of the build (configure's conftest.err, rewritten by the
			 * next test at once): like one deleted before it was hashed, a note */
			c->stats.temp_changed++;
		} else {
			c->stats.warnings++;
			store_incomplete_add(c->st, c->build_id, v->process_id,
					     v->changed ? "changed-before-hash"
							: "vanished-before-hash",
					     v->path);
		}
		free(v);
	}
}

static void free_value(const char *key, void *value, void *ctx)
{
	free(value);
}

void vers_release(struct collector *c)
{
	strmap_each(&c->paths, free_value, NULL);
	strmap_release(&c->paths);
	strmap_each(&c->realpaths, free_value, NULL);
	strmap_release(&c->realpaths);
	strmap_each(&c->canon_dirs, free_value, NULL);
	strmap_release(&c->canon_dirs);
	strmap_release(&c->resolved_dirs);
	strmap_release(&c->writers);
	strmap_release(&c->removed);
	strmap_release(&c->rewrote);
	strmap_release(&c->made);
	while (c->vanished) {
		struct vanished *v = c->vanished;
		c->vanished = v->next;
		free(v);
	}
	hashstore_close(c->hc.persist);
	hashcache_release(&c->hc);
}
