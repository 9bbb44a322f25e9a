/* components_fetch.c - files that downloads (curl, wget, git clone) and package managers
 * (npm, yarn, pnpm, pip, cargo, go) wrote during the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/graph.h"
#include "asbuilt/map.h"
#include "asbuilt/resolve_git.h"
#include "asbuilt/steps.h"
#include "components_internal.h"

/* One fetching command of a step: its words from the tool name on. */
struct fcmd {
	char tool[64]; /* curl wget git npm yarn pnpm pip cargo go */
	char **w;
	size_t n;
	char *line; /* "npm install", "curl", "git clone": for messages */
};

struct fstep {
	int done;
	struct fcmd *c;
	size_t n;
};

struct comp_fetch {
	struct graph *g;
	struct resolve_git *git;
	struct fstep *st;     /* one per step */
	struct strmap records; /* site-packages dir -> struct strmap * (file -> dist-info) */
};

static const char *const fetchers[] = { "curl", "wget", "git", "npm",	"yarn",
					"pnpm", "pip",	"cargo", "go", NULL };

static int in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

/* The tool a word names: basename without ".js", "-cli" and a trailing version. */
static void tname(const char *w, char *buf, size_t len)
{
	const char *b = strrchr(w, '/') ? strrchr(w, '/') + 1 : w;
	size_t n = strlen(b);

	if (n >= len)
		n = len - 1;
	memcpy(buf, b, n);
	buf[n] = 0;
	if (n > 3 && !strcmp(buf + n - 3, ".js"))
		buf[n -= 3] = 0;
	if (n > 4 && !strcmp(buf + n - 4, "-cli"))
		buf[n -= 4] = 0;
	while (n > 1 && strchr("0123456789.", buf[n - 1]))
		buf[--n] = 0;
}

/* Skips interpreters and wrappers: env [-opts] [VAR=x], node [-opts] SCRIPT,
 * python [-opts] SCRIPT, python -m MODULE.  Returns the index of the tool word. */
static size_t tool_word(char **w, size_t n, char *name, size_t len)
{
	size_t i = 0;

	while (i < n) {
		tname(w[i], name, len);
		if (!strcmp(name, "env")) {
			for (i++; i < n && (w[i][0] == '-' || strchr(w[i], '=')); i++)
				;
		} else if (!strcmp(name, "node") || !strcmp(name, "nodejs") ||
			   !strcmp(name, "python") || !strcmp(name, "perl")) {
			for (i++; i < n && w[i][0] == '-' && strcmp(w[i], "-m"); i++)
				;
			if (i < n && !strcmp(w[i], "-m"))
				i++;
		} else {
			return i;
		}
	}
	return n;
}

static void fcmd_release(struct fcmd *c)
{
	for (size_t k = 0; k < c->n; k++)
		free(c->w[k]);
	free(c->w);
	free(c->line);
}

/* The first argument after "git [-c x] [-C dir]": the subcommand, or NULL. */
static const char *git_sub(const struct fcmd *c, size_t *at)
{
	for (size_t i = 1; i < c->n; i++) {
		if (!strcmp(c->w[i], "-c") || !strcmp(c->w[i], "-C")) {
			i++;
			continue;
		}
		if (c->w[i][0] != '-') {
			*at = i;
			return c->w[i];
		}
	}
	return NULL;
}

static int parse_proc(const struct graph_proc *p, struct fcmd *c)
{
	size_t n = 0, t, at = 0;
	const char *sub;
	char name[64];

	memset(c, 0, sizeof(*c));
	for (size_t o = 0; p->argv && o < p->argv_len; o += strnlen(p->argv + o, p->argv_len - o) + 1)
		n++;
	if (!n || !(c->w = calloc(n, sizeof(*c->w))))
		return n ? -ENOMEM : 0;
	for (size_t o = 0; o < p->argv_len; o += strlen(c->w[c->n - 1]) + 1)
		if (!(c->w[c->n++] = strndup(p->argv + o, p->argv_len - o)))
			return -ENOMEM;
	t = tool_word(c->w, c->n, name, sizeof(name));
	if (t >= c->n || !in_list(name, fetchers))
		return 0;
	for (size_t k = 0; k < t; k++)
		free(c->w[k]);
	memmove(c->w, c->w + t, (c->n - t) * sizeof(*c->w));
	c->n -= t;
	snprintf(c->tool, sizeof(c->tool), "%s", name);
	sub = NULL;
	if (!strcmp(name, "git")) {
		sub = git_sub(c, &at);
		if (!sub || (strcmp(sub, "clone") && strcmp(sub, "submodule")))
			return 0;
	} else if (strcmp(name, "curl") && strcmp(name, "wget") && c->n > 1 &&
		   c->w[1][0] != '-') {
		sub = c->w[1];
	}
	c->line = sub ? comp_fmt("%s %s", name, sub) : comp_fmt("%s", name);
	return c->line ? 1 : -ENOMEM;
}

static struct fstep *step_cmds(struct comp_fetch *f, int step)
{
	struct fstep *s = &f->st[step];
	const struct graph_step *gs = &f->g->s[step];

	if (s->done)
		return s;
	s->done = 1;
	for (size_t k = 0; k < gs->procs.n; k++) {
		struct fcmd c, *nc;
		int r = parse_proc(&f->g->p[gs->procs.v[k]], &c);

		if (r <= 0) {
			fcmd_release(&c);
			if (r < 0)
				return NULL;
			continue;
		}
		if (!(nc = realloc(s->c, (s->n + 1) * sizeof(*nc)))) {
			fcmd_release(&c);
			return NULL;
		}
		s->c = nc;
		s->c[s->n++] = c;
	}
	return s;
}

int comp_fetch_new(struct comp_fetch **out, struct graph *g, struct resolve_git *git)
{
	struct comp_fetch *f = calloc(1, sizeof(*f));

	if (!f || !(f->st = calloc(g->ns + 1, sizeof(*f->st)))) {
		free(f);
		return -ENOMEM;
	}
	f->g = g;
	f->git = git;
	*out = f;
	return 0;
}

void comp_fetch_set_git(struct comp_fetch *f, struct resolve_git *git)
{
	f->git = git;
}

void comp_fetch_free(struct comp_fetch *f)
{
	if (!f)
		return;
	for (size_t i = 0; f->g && i < f->g->ns; i++) {
		for (size_t k = 0; k < f->st[i].n; k++)
			fcmd_release(&f->st[i].c[k]);
		free(f->st[i].c);
	}
	free(f->st);
	comp_pkgdir_release(&f->records);
	free(f);
}

int comp_fetch_step(struct comp_fetch *f, int step)
{
	struct fstep *s;

	if (step < 0)
		return 0;
	if (f->g->s[step].kind == STEPS_PKGMGR || f->g->s[step].kind == STEPS_DOWNLOAD)
		return 1;
	s = step_cmds(f, step);
	return s && s->n;
}

int comp_fetch_pkgdir(struct comp_fetch *f, const char *path, const char *by,
		      struct comp_cand *c)
{
	return comp_pkgdir(&f->records, path, by, c);
}

/* --- downloads ---------------------------------------------------------------------------- */

/* The URL a curl/wget command fetched into path: the one whose last segment is path's
 * basename, else the first. */
static const char *pick_url(const struct fcmd *cm, const char *path)
{
	const char *base = strrchr(path, '/') + 1, *first = NULL;

	for (size_t k = 1; k < cm->n; k++) {
		const char *u = cm->w[k], *s;
		size_t l;

		if (!strstr(u, "://"))
			continue;
		if (!first)
			first = u;
		l = strcspn(u, "?#");
		for (s = u + l; s > u && s[-1] != '/'; s--)
			;
		if ((size_t)(u + l - s) == strlen(base) && !strncmp(s, base, strlen(base)))
			return u;
	}
	return first;
}

static int generic(const struct fcmd *cm, const char *path, struct comp_cand *c)
{
	const char *url = pick_url(cm, path), *s;
	size_t l;
	FILE *m;

	if (!url)
		return 0;
	l = strcspn(url, "?#");
	for (s = url + l; s > url && s[-1] != '/'; s--)
		;
	c->kind = COMPONENT_GENERIC;
	c->name = s < url + l ? strndup(s, (size_t)(url + l - s)) : strdup(strrchr(path, '/') + 1);
	c->download_location = strdup(url);
	if (!c->name || !(m = open_memstream(&c->purl, &(size_t){ 0 })))
		return -ENOMEM;
	fputs("pkg:generic/", m);
	comp_pct(m, c->name, strlen(c->name), "");
	fputs("?download_url=", m);
	comp_pct(m, url, strlen(url), "");
	fclose(m);
	c->identified_by = comp_fmt("%s download of %s", cm->tool, url);
	return c->purl && c->identified_by ? 1 : -ENOMEM;
}

/* The URL of "git clone [opts] URL [DIR]". */
static const char *clone_url(const struct fcmd *cm)
{
	static const char *const withval[] = {
		"-b", "--branch", "-o", "--origin", "-c", "--config", "--depth", "--reference",
		"--reference-if-able", "-j", "--jobs", "--filter", "--template",
		"--separate-git-dir", "-u", "--upload-pack", "--shallow-since",
		"--shallow-exclude", "--server-option", "--bundle-uri", NULL };
	size_t at = 0;

	if (!git_sub(cm, &at) || strcmp(cm->w[at], "clone"))
		return NULL;
	for (size_t k = at + 1; k < cm->n; k++) {
		if (!strcmp(cm->w[k], "--"))
			return k + 1 < cm->n ? cm->w[k + 1] : NULL;
		if (cm->w[k][0] != '-')
			return cm->w[k];
		if (in_list(cm->w[k], withval))
			k++;
	}
	return NULL;
}

static int git_fetched(struct comp_fetch *f, const struct fcmd *cm, const char *path,
		       struct comp_cand *c)
{
	const struct git_checkout *co = f->git ? resolve_git_lookup(f->git, path) : NULL;
	const char *url = clone_url(cm);
	int r;

	if (!co && !url)
		return 0;
	if ((r = comp_git_fill(co, url, c)) < 0)
		return r;
	c->identified_by = comp_fmt("%s of %s%s%s", cm->line, c->remote_url ? c->remote_url
									: co->workdir,
				    c->commit ? " at " : "", c->commit ? c->commit : "");
	return c->identified_by ? 1 : -ENOMEM;
}

int comp_fetch_written(struct comp_fetch *f, int vi, struct comp_cand *c)
{
	const struct graph_version *v = &f->g->v[vi];
	struct fstep *s;
	int r = 0;

	if (v->step < 0 || !(s = step_cmds(f, v->step)))
		return v->step < 0 ? 0 : -ENOMEM;
	for (size_t k = 0; k < s->n && !r; k++) /* package managers first */
		if (strcmp(s->c[k].tool, "curl") && strcmp(s->c[k].tool, "wget") &&
		    strcmp(s->c[k].tool, "git"))
			r = comp_fetch_pkgdir(f, v->path, s->c[k].line, c);
	for (size_t k = 0; k < s->n && !r; k++)
		if (!strcmp(s->c[k].tool, "git"))
			r = git_fetched(f, &s->c[k], v->path, c);
	for (size_t k = 0; k < s->n && !r; k++)
		if (!strcmp(s->c[k].tool, "curl") || !strcmp(s->c[k].tool, "wget"))
			r = generic(&s->c[k], v->path, c);
	if (r <= 0)
		comp_cand_release(c);
	return r;
}
