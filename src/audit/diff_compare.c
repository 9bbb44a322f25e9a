/* diff_compare.c - comparing two sides section by section (diff.h: diff_compare). */
#include "diff_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *diff_section_name(enum diff_section s)
{
	static const char *const names[] = { "component", "tool",	  "input",
					     "step",	  "intermediate", "artifact" };

	return (unsigned)s < DIFF_NSECTIONS ? names[s] : "?";
}

const char *diff_change_name(enum diff_change c)
{
	static const char *const names[] = { "added", "removed", "changed" };

	return (unsigned)c <= DIFF_CHANGED ? names[c] : "?";
}

static void entry_release(struct diff_entry *e)
{
	for (size_t i = 0; i < e->nplus; i++)
		free(e->plus[i]);
	for (size_t i = 0; i < e->nminus; i++)
		free(e->minus[i]);
	free(e->plus);
	free(e->minus);
	free(e->key);
	free(e->a);
	free(e->b);
	free(e->a_more);
	free(e->b_more);
	free(e->what);
}

void diff_result_free(struct diff_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		entry_release(&r->e[i]);
	free(r->e);
	free(r);
}

static char *dup_or_null(const char *s, int *bad)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*bad = 1;
	return d;
}

/* Appends an entry for x (side A, may be NULL) and y (side B, may be NULL). */
static struct diff_entry *add(struct diff_result *r, enum diff_section sec, enum diff_change ch,
			      const struct ditem *x, const struct ditem *y)
{
	struct diff_entry *e;
	int bad = 0;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 32;
		struct diff_entry *p = realloc(r->e, cap * sizeof(*p));
		if (!p)
			return NULL;
		r->e = p;
		r->cap = cap;
	}
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->section = sec;
	e->change = ch;
	e->key = dup_or_null(x ? x->key : y->key, &bad);
	e->a = dup_or_null(x ? x->value : NULL, &bad);
	e->b = dup_or_null(y ? y->value : NULL, &bad);
	e->a_more = dup_or_null(x ? x->more : NULL, &bad);
	e->b_more = dup_or_null(y ? y->more : NULL, &bad);
	r->count[sec][ch]++;
	return bad ? NULL : e;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The words of x (argc) that are not matched by a word of y, as new strings in *out. */
static int words_only(const struct ditem *x, const struct ditem *y, char ***out, size_t *n)
{
	char *used = calloc(y->argc + 1, 1);

	*n = 0;
	*out = calloc(x->argc + 1, sizeof(**out));
	if (!used || !*out) {
		free(used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < x->argc; i++) {
		size_t k = 0;
		while (k < y->argc && (used[k] || strcmp(x->argv[i], y->argv[k])))
			k++;
		if (k < y->argc)
			used[k] = 1;
		else if (!((*out)[(*n)++] = strdup(x->argv[i]))) {
			free(used);
			return -ENOMEM;
		}
	}
	free(used);
	return 0;
}

/* What differs between two items of sec, comma-separated, or NULL when nothing does. */
static const char *what(enum diff_section sec, const struct ditem *x, const struct ditem *y)
{
	int v = !same(x->value, y->value), m = !same(x->more, y->more);

	switch (sec) {
	case DIFF_COMPONENT:
		return v && m ? "version, files" : v ? "version" : m ? "files" : NULL;
	case DIFF_STEP:
		return v && m ? "command, kind" : v ? "command" : m ? "kind" : NULL;
	default: /* files: the content; a tool's path or package alone is no difference */
		return v ? "sha256" : NULL;
	}
}

static int changed(struct diff_result *r, enum diff_section sec, const struct ditem *x,
		   const struct ditem *y, const char *w)
{
	struct diff_entry *e = add(r, sec, DIFF_CHANGED, x, y);

	if (!e || !(e->what = strdup(w)))
		return -ENOMEM;
	if (sec == DIFF_STEP &&
	    (words_only(y, x, &e->plus, &e->nplus) || words_only(x, y, &e->minus, &e->nminus)))
		return -ENOMEM;
	return 0;
}

static int section(struct diff_result *r, enum diff_section sec, const struct dsec *a,
		   const struct dsec *b)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct ditem *x = &a->v[i], *y = diff_find(b, x->key);
		const char *w = y ? what(sec, x, y) : NULL;

		if (!y && !add(r, sec, DIFF_REMOVED, x, NULL))
			return -ENOMEM;
		else if (y && !w)
			r->same[sec]++;
		else if (w && changed(r, sec, x, y, w))
			return -ENOMEM;
	}
	for (size_t i = 0; i < b->n; i++)
		if (!diff_find(a, b->v[i].key) && !add(r, sec, DIFF_ADDED, NULL, &b->v[i]))
			return -ENOMEM;
	return 0;
}

/* The only entry of change ch among the tool entries [from, r->n) named name, or -1. */
static long only_tool(const struct diff_result *r, size_t from, enum diff_change ch,
		      const char *name, const struct dsec *sec)
{
	long found = -1;

	for (size_t i = from; i < r->n; i++) {
		const struct ditem *it = r->e[i].change == ch ? diff_find(sec, r->e[i].key) : NULL;
		if (it && it->name && !strcmp(it->name, name)) {
			if (found >= 0)
				return -1;
			found = (long)i;
		}
	}
	return found;
}

/* A tool removed from A and one of the same name added in B are one changed tool. */
static int pair_tools(struct diff_result *r, size_t from, const struct dsec *a,
		      const struct dsec *b)
{
	for (size_t i = from; i < r->n; i++) {
		const struct ditem *x =
			r->e[i].change == DIFF_REMOVED ? diff_find(a, r->e[i].key) : NULL;
		long j = x && x->name ? only_tool(r, from, DIFF_ADDED, x->name, b) : -1;
		struct diff_entry *e = &r->e[i], *f;

		if (j < 0 || only_tool(r, from, DIFF_REMOVED, x->name, a) != (long)i)
			continue;
		f = &r->e[j];
		e->change = DIFF_CHANGED;
		e->b = f->b, f->b = NULL;
		e->b_more = f->b_more, f->b_more = NULL;
		free(e->key);
		e->key = strdup(x->name);
		e->what = strdup(same(e->a, e->b) ? "path" : "sha256, path");
		if (!e->key || !e->what)
			return -ENOMEM;
		r->count[DIFF_TOOL][DIFF_REMOVED]--;
		r->count[DIFF_TOOL][DIFF_ADDED]--;
		r->count[DIFF_TOOL][DIFF_CHANGED]++;
		entry_release(f);
		memmove(f, f + 1, (r->n - (size_t)j - 1) * sizeof(*f));
		r->n--;
		if ((size_t)j < i)
			i--;
	}
	return 0;
}

static int cmp_entry(const void *p, const void *q)
{
	const struct diff_entry *x = p, *y = q;

	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return strcmp(x->key, y->key);
}

int diff_compare(const struct diff_side *a, const struct diff_side *b, struct diff_result **out)
{
	struct diff_result *r = calloc(1, sizeof(*r));
	int rc = r ? 0 : -ENOMEM;

	for (int s = 0; s < DIFF_NSECTIONS && !rc; s++) {
		size_t from = r->n;
		rc = section(r, (enum diff_section)s, &a->sec[s], &b->sec[s]);
		if (!rc && s == DIFF_TOOL)
			rc = pair_tools(r, from, &a->sec[s], &b->sec[s]);
	}
	if (rc) {
		diff_result_free(r);
		*out = NULL;
		return rc;
	}
	qsort(r->e, r->n, sizeof(*r->e), cmp_entry);
	*out = r;
	return 0;
}
