/* diff.c - one build cut into keyed sections for asbuilt diff (diff.h: diff_side_new). */
#include "diff_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/hash.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"

const struct ditem *diff_find(const struct dsec *sec, const char *key)
{
	void *v = strmap_get(&sec->idx, key);

	return v ? &sec->v[(intptr_t)v - 1] : NULL;
}

/* The item of sec with key: *it, 1 when it was there already, 0 when new; -ENOMEM. */
static int sec_item(struct dsec *sec, const char *key, struct ditem **it)
{
	void *v = strmap_get(&sec->idx, key);

	if (v) {
		*it = &sec->v[(intptr_t)v - 1];
		return 1;
	}
	if (sec->n == sec->cap) {
		size_t cap = sec->cap ? 2 * sec->cap : 32;
		struct ditem *p = realloc(sec->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		sec->v = p;
		sec->cap = cap;
	}
	*it = &sec->v[sec->n];
	memset(*it, 0, sizeof(**it));
	if (!((*it)->key = strdup(key)) ||
	    strmap_put(&sec->idx, key, (void *)(intptr_t)(sec->n + 1))) {
		free((*it)->key);
		return -ENOMEM;
	}
	sec->n++;
	return 0;
}

/* path relative to root when below it ("." for root itself), else path; a new string. */
static char *relkey(const char *root, const char *path)
{
	size_t n = root ? strlen(root) : 0;

	if (n && !strncmp(path, root, n) && path[n] == '/' && path[n + 1])
		return strdup(path + n + 1);
	if (n && !strcmp(path, root))
		return strdup(".");
	return strdup(path);
}

/* word with every "ROOT/" removed and a final "ROOT" made "."; a new string. */
static char *relword(const char *root, const char *word)
{
	size_t n = root ? strlen(root) : 0, len = strlen(word);
	char *out = malloc(len + 2), *o = out;
	const char *s = word;

	if (!out)
		return NULL;
	while (*s) {
		if (n > 1 && !strncmp(s, root, n) && s[n] == '/') {
			s += n + 1;
		} else if (n > 1 && !strncmp(s, root, n) && !s[n]) {
			*o++ = '.';
			s += n;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* The longest common directory of a[0..n) (each a directory), or NULL. */
static char *common_dir(char **a, size_t n)
{
	size_t len;

	if (!n)
		return NULL;
	len = strlen(a[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;
		while (k < len && a[i][k] && a[i][k] == a[0][k])
			k++;
		if (!((k == len || a[0][k] == '/') && (a[i][k] == '\0' || a[i][k] == '/')))
			while (k > 0 && a[0][k] != '/')
				k--;
		len = k;
	}
	return len ? strndup(a[0], len) : strdup("/");
}

/* The build's directory as the document shows it: the common directory of the steps'
 * working directories, else of the artifacts' directories; NULL when there is none. */
static char *infer_root(const struct sbom_doc *d)
{
	char **dirs = calloc(d->n_steps + d->n_files + 1, sizeof(*dirs)), *root = NULL;
	size_t n = 0;
	int bad = !dirs;

	for (size_t i = 0; !bad && i < d->n_steps; i++)
		if (d->steps[i].cwd && d->steps[i].cwd[0] == '/')
			bad = !(dirs[n++] = strdup(d->steps[i].cwd));
	for (size_t i = 0, steps = n; !bad && !steps && i < d->n_files; i++)
		if (d->files[i].is_artifact) {
			bad = !(dirs[n] = strdup(d->files[i].path));
			if (!bad)
				*strrchr(dirs[n++], '/') = '\0';
		}
	for (size_t i = 0; !bad && i < n; i++)
		if (!dirs[i][0]) /* an artifact at the top: "/" */
			bad = !(dirs[i] = (free(dirs[i]), strdup("/")));
	if (!bad)
		root = common_dir(dirs, n);
	for (size_t i = 0; dirs && i < n; i++)
		free(dirs[i]);
	free(dirs);
	return root;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds sha to the comma-separated sorted set *value. */
static int add_to_set(char **value, const char *sha)
{
	char *parts[64], *copy, *save = NULL, *joined, *p;
	size_t n = 0, len = 0;

	if (!*value)
		return (*value = strdup(sha)) ? 0 : -ENOMEM;
	if (strstr(*value, sha))
		return 0;
	if (!(copy = strdup(*value)))
		return -ENOMEM;
	for (p = strtok_r(copy, ",", &save); p && n < 63; p = strtok_r(NULL, ",", &save))
		parts[n++] = p;
	parts[n++] = (char *)sha;
	qsort(parts, n, sizeof(*parts), cmp_str);
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	if ((joined = malloc(len))) {
		joined[0] = '\0';
		for (size_t i = 0; i < n; i++)
			strcat(strcat(joined, i ? "," : ""), parts[i]);
	}
	free(copy);
	if (!joined)
		return -ENOMEM;
	free(*value);
	*value = joined;
	return 0;
}

/* The basename of path without a "-1.2" version suffix, as a new string. */
static char *tool_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n = strdup(b ? b + 1 : path), *dash;

	if (n && (dash = strrchr(n, '-')) && dash[1] &&
	    strspn(dash + 1, "0123456789.") == strlen(dash + 1))
		*dash = '\0';
	return n;
}

static int add_file(struct diff_side *s, const struct sbom_doc *d, size_t i, enum sbomread_class c)
{
	static const enum diff_section by_class[] = {
		[SBOMREAD_ARTIFACT] = DIFF_ARTIFACT,
		[SBOMREAD_INTERMEDIATE] = DIFF_INTERMEDIATE,
		[SBOMREAD_TOOL] = DIFF_TOOL,
		[SBOMREAD_INPUT] = DIFF_INPUT,
	};
	const struct sbom_file *f = &d->files[i];
	char *key = relkey(s->root, f->path);
	struct ditem *it;
	int rc = key ? sec_item(&s->sec[by_class[c]], key, &it) : -ENOMEM;

	free(key);
	if (rc < 0)
		return rc;
	if (add_to_set(&it->value, f->sha256))
		return -ENOMEM;
	if (rc == 1 || c != SBOMREAD_TOOL)
		return 0;
	if (f->component >= 0) {
		const struct sbom_component *p = &d->comps[f->component];
		if (asprintf(&it->more, "%s %s %s", f->path, p->name,
			     p->version ? p->version : "") < 0)
			it->more = NULL;
	} else {
		it->more = strdup(f->path);
	}
	it->name = tool_name(f->path);
	return it->more && it->name ? 0 : -ENOMEM;
}

/* The SHA-256 of the sorted "relative path TAB sha256" lines of component ci's files. */
static char *comp_digest(const struct diff_side *s, const struct sbom_doc *d, int ci)
{
	char **lines = calloc(d->n_files + 1, sizeof(*lines)), *buf = NULL;
	size_t n = 0, len = 0;
	struct hash_result h;

	for (size_t i = 0; lines && i < d->n_files; i++) {
		char *k;
		if (d->files[i].component != ci || !(k = relkey(s->root, d->files[i].path)))
			continue;
		if (asprintf(&lines[n], "%s\t%s\n", k, d->files[i].sha256) >= 0)
			len += strlen(lines[n++]);
		free(k);
	}
	if (lines && n) {
		qsort(lines, n, sizeof(*lines), cmp_str);
		if ((buf = malloc(len + 1))) {
			buf[0] = '\0';
			for (size_t i = 0; i < n; i++)
				strcat(buf, lines[i]);
			hash_buf(buf, len, &h);
			free(buf);
			buf = strdup(h.sha256);
		}
	}
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	return buf;
}

static int add_comp(struct diff_side *s, const struct sbom_doc *d, int ci)
{
	const struct sbom_component *c = &d->comps[ci];
	char *key = NULL;
	struct ditem *it;
	int rc;

	if (c->kind == SBOM_COMP_PROJECT)
		key = strdup("project");
	else if (asprintf(&key, "%s %s", sbom_kind_name(c->kind), c->name) < 0)
		key = NULL;
	rc = key ? sec_item(&s->sec[DIFF_COMPONENT], key, &it) : -ENOMEM;
	free(key);
	if (rc)
		return rc < 0 ? rc : 0; /* one version per name: the first */
	it->value = strdup(c->version ? c->version : "");
	it->more = comp_digest(s, d, ci);
	return it->value ? 0 : -ENOMEM;
}

/* The key of step st: its outputs (relative, sorted), else its kind and program. */
static char *step_key(const struct diff_side *s, const struct sbom_doc *d,
		      const struct sbom_step *st)
{
	char **outs = calloc(st->n_outputs + 1, sizeof(*outs)), *key = NULL;
	size_t len = 64;

	for (size_t k = 0; outs && k < st->n_outputs; k++)
		if ((outs[k] = relkey(s->root, d->files[st->outputs[k]].path)))
			len += strlen(outs[k]) + 1;
	if (outs && st->n_outputs) {
		qsort(outs, st->n_outputs, sizeof(*outs), cmp_str);
		if ((key = malloc(len))) {
			key[0] = '\0';
			for (size_t k = 0; k < st->n_outputs; k++)
				strcat(strcat(key, k ? " " : ""), outs[k] ? outs[k] : "");
		}
	} else if (outs && asprintf(&key, "(%s %s)", st->kind ? st->kind : "step",
				    st->argc && st->argv[0] ? st->argv[0] : "") < 0) {
		key = NULL;
	}
	for (size_t k = 0; outs && k < st->n_outputs; k++)
		free(outs[k]);
	free(outs);
	return key;
}

static int step_words(struct diff_side *s, const struct sbom_step *st, struct ditem *it)
{
	size_t len = 1;

	if (!(it->argv = calloc(st->argc + 1, sizeof(*it->argv))))
		return -ENOMEM;
	for (size_t k = 0; k < st->argc; k++) {
		if (!(it->argv[k] = relword(s->root, st->argv[k] ? st->argv[k] : "")))
			return -ENOMEM;
		it->argc++;
		len += strlen(it->argv[k]) + 1;
	}
	if (!(it->value = malloc(len)))
		return -ENOMEM;
	it->value[0] = '\0';
	for (size_t k = 0; k < it->argc; k++)
		strcat(strcat(it->value, k ? " " : ""), it->argv[k]);
	return (it->more = strdup(st->kind ? st->kind : "other")) ? 0 : -ENOMEM;
}

static int add_step(struct diff_side *s, const struct sbom_doc *d, const struct sbom_step *st)
{
	char *key = step_key(s, d, st), *k2 = NULL;
	struct ditem *it;
	int rc = key ? sec_item(&s->sec[DIFF_STEP], key, &it) : -ENOMEM;

	for (int dup = 2; rc == 1; dup++) { /* the same outputs again: "KEY #2" */
		free(k2);
		if (asprintf(&k2, "%s #%d", key, dup) < 0)
			k2 = NULL;
		rc = k2 ? sec_item(&s->sec[DIFF_STEP], k2, &it) : -ENOMEM;
	}
	free(k2);
	free(key);
	return rc < 0 ? rc : step_words(s, st, it);
}

static int fill(struct diff_side *s, const struct sbom_doc *d)
{
	enum sbomread_class *cls = sbomread_classify(d);
	int rc = cls || !d->n_files ? 0 : -ENOMEM;

	for (size_t i = 0; i < d->n_files && !rc; i++)
		rc = add_file(s, d, i, cls[i]);
	for (size_t i = 0; i < d->n_comps && !rc; i++)
		rc = add_comp(s, d, (int)i);
	for (size_t i = 0; i < d->n_steps && !rc; i++)
		rc = add_step(s, d, &d->steps[i]);
	free(cls);
	return rc;
}

int diff_side_new(const struct sbom_doc *d, const char *root, struct diff_side **out)
{
	struct diff_side *s = calloc(1, sizeof(*s));
	int rc = s ? 0 : -ENOMEM;

	*out = NULL;
	if (!rc && root && !(s->root = strdup(root)))
		rc = -ENOMEM;
	else if (!rc && !root)
		s->root = infer_root(d); /* NULL: no directory to make paths relative to */
	if (!rc)
		rc = fill(s, d);
	if (rc) {
		diff_side_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const char *diff_side_root(const struct diff_side *s)
{
	return s->root;
}

static void item_release(struct ditem *it)
{
	for (size_t k = 0; k < it->argc; k++)
		free(it->argv[k]);
	free(it->argv);
	free(it->key);
	free(it->value);
	free(it->more);
	free(it->name);
}

void diff_side_free(struct diff_side *s)
{
	if (!s)
		return;
	for (int i = 0; i < DIFF_NSECTIONS; i++) {
		for (size_t k = 0; k < s->sec[i].n; k++)
			item_release(&s->sec[i].v[k]);
		free(s->sec[i].v);
		strmap_release(&s->sec[i].idx);
	}
	free(s->root);
	free(s);
}
