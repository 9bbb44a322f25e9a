/* omnibor.c - OmniBOR input manifests of a recorded build (see omnibor.h). */
#include "asbuilt/omnibor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/gitoids.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/map.h"
#include "asbuilt/sbuf.h"

void omnibor_gitoid(const void *buf, size_t len, char out[65])
{
	struct hash_result h;

	hash_buf(buf, len, &h);
	memcpy(out, h.gitoid_sha256, 65);
}

void omnibor_set_release(struct omnibor_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].text);
	free(s->m);
	free(s->by_v);
	memset(s, 0, sizeof(*s));
}

const struct omnibor_manifest *omnibor_manifest_of(const struct omnibor_set *s, int vi)
{
	if (vi < 0 || (size_t)vi >= s->nv || s->by_v[vi] <= 0)
		return NULL;
	return &s->m[s->by_v[vi] - 1];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The inputs of vi: what its step read (temporaries expanded) and the tools the
 * build produced that the step ran. */
static int inputs_of(const struct graph *g, int vi, struct graph_ivec *in)
{
	const struct graph_version *v = &g->v[vi];

	if (graph_direct(g, vi, in))
		return -ENOMEM;
	if (v->step >= 0) {
		const struct graph_ivec *bt = &g->s[v->step].btools;

		for (size_t k = 0; k < bt->n; k++)
			if (bt->v[k] != vi && graph_ivec_add(in, bt->v[k]))
				return -ENOMEM;
	}
	return 0;
}

/* Joins the sorted distinct lines after the header into a new manifest text. */
static char *join_lines(char **lines, size_t n, size_t *len)
{
	struct sb b = { 0 };
	char *s;

	qsort(lines, n, sizeof(*lines), cmp_str);
	sb_puts(&b, OMNIBOR_HEADER);
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(lines[i], lines[i - 1]))
			continue;
		sb_puts(&b, lines[i]);
		sb_putn(&b, "\n", 1);
	}
	s = sb_done(&b);
	*len = s ? strlen(s) : 0;
	return s;
}

static int add_manifest(struct omnibor_set *s, int vi, char *text, size_t len, size_t nskipped)
{
	struct omnibor_manifest *m;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->m, cap * sizeof(*s->m));

		if (!p)
			return -ENOMEM;
		s->m = p;
		s->cap = cap;
	}
	m = &s->m[s->n++];
	memset(m, 0, sizeof(*m));
	m->vi = vi;
	m->text = text;
	m->len = len;
	m->nskipped = nskipped;
	omnibor_gitoid(text, len, m->gitoid);
	s->by_v[vi] = (int)s->n;
	return 0;
}

struct walk {
	const struct graph *g;
	const struct gitoids *ids;
	struct omnibor_set *s;
	char *skipped; /* per version: counted in s->nskipped */
};

static int build_rec(struct walk *w, int vi);

/* The manifest line of input y (a new string), after building y's manifest if
 * it has one; NULL with *rc 0 when y has no gitoid. */
static char *line_of(struct walk *w, int y, int *rc)
{
	const char *id = gitoids_sha256(w->ids, y);
	const struct omnibor_manifest *m;
	char *line;

	*rc = 0;
	if (!id) {
		if (!w->skipped[y]++)
			w->s->nskipped++;
		return NULL;
	}
	if ((w->g->v[y].flags & GRAPH_V_WRITTEN) && w->s->by_v[y] == 0 && (*rc = build_rec(w, y)))
		return NULL;
	m = omnibor_manifest_of(w->s, y);
	if (m ? asprintf(&line, "%s manifest %s", id, m->gitoid) < 0 : !(line = strdup(id))) {
		*rc = -ENOMEM;
		return NULL;
	}
	return line;
}

static int build_rec(struct walk *w, int vi)
{
	struct graph_ivec in = { 0 };
	char **lines = NULL, *text;
	size_t n = 0, nskip = 0, len;
	int rc;

	w->s->by_v[vi] = -1; /* a cycle reaching vi again sees it without a manifest */
	rc = inputs_of(w->g, vi, &in);
	if (!rc && in.n && !(lines = calloc(in.n, sizeof(*lines))))
		rc = -ENOMEM;
	for (size_t k = 0; !rc && k < in.n; k++) {
		char *l = line_of(w, in.v[k], &rc);

		if (l)
			lines[n++] = l;
		else if (!rc)
			nskip++;
	}
	w->s->by_v[vi] = 0;
	if (!rc && n) {
		text = join_lines(lines, n, &len);
		rc = text ? add_manifest(w->s, vi, text, len, nskip) : -ENOMEM;
		if (rc)
			free(text);
	}
	for (size_t k = 0; k < n; k++)
		free(lines[k]);
	free(lines);
	graph_ivec_release(&in);
	return rc;
}

int omnibor_build(const struct graph *g, const struct gitoids *ids, const struct graph_ivec *arts,
		  struct omnibor_set *out)
{
	struct walk w = { .g = g, .ids = ids, .s = out };
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	out->by_v = calloc(g->nv + 1, sizeof(*out->by_v));
	w.skipped = calloc(g->nv + 1, 1);
	if (!out->by_v || !w.skipped)
		goto out;
	out->nv = g->nv;
	rc = 0;
	for (size_t k = 0; !rc && k < arts->n; k++)
		if (out->by_v[arts->v[k]] == 0)
			rc = build_rec(&w, arts->v[k]);
	for (size_t k = 0; !rc && k < arts->n; k++)
		if (out->by_v[arts->v[k]] > 0)
			out->m[out->by_v[arts->v[k]] - 1].is_artifact = 1;
out:
	free(w.skipped);
	if (rc)
		omnibor_set_release(out);
	return rc;
}

/* --- the file system store
 * ------------------------------------------------------------ */

char *omnibor_manifest_path(const char *dir, const char *gitoid)
{
	char *p;

	if (asprintf(&p, "%s/manifests/%s/%.2s/%s", dir, OMNIBOR_DIRNAME, gitoid, gitoid + 2) < 0)
		return NULL;
	return p;
}

/* mkdir -p of the directory part of path; *made_last (unless NULL): whether the last one
 * was made now. */
static int mkdirs_for(char *path, int *made_last)
{
	int made = 0;

	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		made = mkdir(path, 0777) == 0;
		if (!made && errno != EEXIST) {
			int e = errno;

			*p = '/';
			return -e;
		}
		*p = '/';
	}
	if (made_last)
		*made_last = made;
	return 0;
}

/* mkdirs_for, once per directory of one omnibor_store call (made: directory -> 1 when it
 * was there before, 2 when this call made it: 10,000 manifests made 50,000 mkdir calls).
 * *fresh: this call made the directory, so no file in it is older than the call. */
static int dir_for(struct strmap *made, char *path, int *fresh)
{
	char *slash = strrchr(path, '/');
	intptr_t st;
	int rc = 0, last = 0;

	*slash = '\0';
	st = (intptr_t)strmap_get(made, path);
	*slash = '/';
	if (!st) {
		rc = mkdirs_for(path, &last);
		st = last ? 2 : 1;
		*slash = '\0';
		if (!rc && strmap_put(made, path, (void *)st))
			rc = -ENOMEM;
		*slash = '/';
	}
	*fresh = st == 2;
	return rc;
}

/* 1 when the file at path holds exactly len bytes equal to text. */
static int same_content(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(len + 1);
	int same = 0;

	if (f && buf)
		same = fread(buf, 1, len + 1, f) == len && !memcmp(buf, text, len);
	free(buf);
	if (f)
		fclose(f);
	return same;
}

/* Writes len bytes to path through path.tmp and a rename. */
static int write_file(const char *path, const char *text, size_t len)
{
	char *tmp;
	int fd, rc = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (len && !rc) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = n < 0 ? -errno : -EIO;
		else {
			text += n;
			len -= (size_t)n;
		}
	}
	if (close(fd) && !rc)
		rc = -EIO;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	return rc;
}

static int store_one(const char *dir, const struct omnibor_manifest *m, struct strmap *made,
		     char *err, size_t errlen)
{
	char *path = omnibor_manifest_path(dir, m->gitoid);
	int rc, fresh;

	if (!path)
		return -ENOMEM;
	rc = dir_for(made, path, &fresh);
	/* content-addressed: a manifest already there is already right, unless damaged */
	if (!rc && (fresh || !same_content(path, m->text, m->len)))
		rc = write_file(path, m->text, m->len);
	if (rc)
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-rc));
	free(path);
	return rc;
}

int omnibor_store(const struct graph *g, const struct gitoids *ids, const struct omnibor_set *s,
		  const char *dir, char *err, size_t errlen)
{
	struct strmap made = { 0 };
	char *ipath = NULL;
	FILE *f;
	int rc = 0;

	for (size_t i = 0; !rc && i < s->n; i++)
		rc = store_one(dir, &s->m[i], &made, err, errlen);
	strmap_release(&made);
	if (rc)
		return rc;
	if (asprintf(&ipath, "%s/index.tsv", dir) < 0)
		return -ENOMEM;
	rc = mkdirs_for(ipath, NULL); /* no manifest made the directory when there is none */
	f = rc ? NULL : fopen(ipath, "w");
	if (!f && !rc)
		rc = -errno;
	if (f && omnibor_write_index(g, ids, s, f))
		rc = -EIO;
	if (f && fclose(f) && !rc)
		rc = -EIO;
	if (rc)
		snprintf(err, errlen, "cannot write '%s': %s", ipath, strerror(-rc));
	free(ipath);
	return rc;
}

static const struct graph *sort_g;

static int cmp_manifest(const void *a, const void *b)
{
	const struct graph_version *x =
		&sort_g->v[(*(const struct omnibor_manifest *const *)a)->vi];
	const struct graph_version *y =
		&sort_g->v[(*(const struct omnibor_manifest *const *)b)->vi];
	int c = strcmp(x->path, y->path);

	return c ? c : (x->vseq > y->vseq) - (x->vseq < y->vseq);
}

static void put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '\t' || *s == '\n') {
			fputc('\\', out);
			fputc(*s == '\\' ? '\\' : *s == '\t' ? 't' : 'n', out);
		} else {
			fputc(*s, out);
		}
	}
}

int omnibor_write_index(const struct graph *g, const struct gitoids *ids,
			const struct omnibor_set *s, FILE *out)
{
	const struct omnibor_manifest **order = calloc(s->n + 1, sizeof(*order));

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		order[i] = &s->m[i];
	sort_g = g;
	qsort(order, s->n, sizeof(*order), cmp_manifest);
	for (size_t i = 0; i < s->n; i++) {
		const struct omnibor_manifest *m = order[i];
		const char *id = gitoids_sha256(ids, m->vi);

		put_escaped(out, g->v[m->vi].path);
		fprintf(out, "\t%s%s\t" OMNIBOR_URI_PREFIX "%s\t%s\n", id ? OMNIBOR_URI_PREFIX : "",
			id ? id : "-", m->gitoid, m->is_artifact ? "artifact" : "intermediate");
	}
	free(order);
	return ferror(out) ? -EIO : 0;
}
