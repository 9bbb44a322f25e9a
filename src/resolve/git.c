/*
 * git.c - file path -> git checkout, read with libgit2.  Each work tree is opened once and
 * described once (remote, HEAD, status, superproject); directories map to work trees in a
 * hash table, so the thousands of files a build reads from one tree cost one probe each.
 */
#include "asbuilt/purl.h"
#include "asbuilt/resolve_git.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/map.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct co {
	struct git_checkout pub; /* first: resolve_git_is_tracked() casts back */
	git_repository *repo;
	git_index *index; /* read on the first resolve_git_is_tracked() */
	char *workdir, *remote_url, *commit, *branch, *purl, *download_location;
};

struct resolve_git {
	struct strmap dirs;  /* directory -> struct co *, or &no_tree / &bad_tree */
	struct strmap trees; /* workdir -> struct co * */
	struct co **cos;
	size_t nco, capco;
};

static char no_tree, bad_tree; /* cache markers: no work tree; repository unreadable */

/* --- small helpers ---------------------------------------------------------------------- */
static int git_errno(void)
{
	const git_error *e = git_error_last();
	return e && e->klass == GIT_ERROR_NOMEMORY ? -ENOMEM : -EIO;
}

/* Writes s[0..n) to f percent-encoded for a purl (purl_enc()); lower != 0 also lowercases. */
static void put_enc(FILE *f, const char *s, size_t n, int lower)
{
	struct sb b = { 0 };
	char *t;

	purl_enc(&b, s, n, lower);
	if ((t = sb_done(&b)))
		fputs(t, f);
	free(t);
}

/* --- remote URLs and purls ---------------------------------------------------------------- */

/* Copy of url without user info when it is http(s):// or ftp(s)://.  Caller frees. */
static char *url_sanitize(const char *url)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://", "ftps://" };
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(url, schemes[i], n))
			continue;
		const char *host = url + n, *end = host + strcspn(host, "/?#");
		const char *at = memrchr(host, '@', (size_t)(end - host));
		if (!at)
			break;
		char *out;
		return asprintf(&out, "%.*s%s", (int)n, url, at + 1) < 0 ? NULL : out;
	}
	return strdup(url);
}

/* Splits url into host and path (leading and trailing '/' and a ".git" suffix removed).
 * Returns 0, or -1 when url names no host (a local path, file://). */
static int url_split(const char *url, const char **host, size_t *hostlen, const char **path,
		     size_t *pathlen)
{
	const char *h, *p, *sep = strstr(url, "://");
	if (sep) {
		if (!strncasecmp(url, "file://", 7))
			return -1;
		h = sep + 3;
		p = h + strcspn(h, "/");
		const char *at = memrchr(h, '@', (size_t)(p - h));
		if (at)
			h = at + 1;
		*hostlen = strcspn(h, ":/"); /* drop a port */
	} else {
		/* scp-like [user@]host:path; a ':' after a '/' is part of a local path */
		const char *colon = strchr(url, ':');
		if (!colon || url[0] == '/' || memchr(url, '/', (size_t)(colon - url)))
			return -1;
		h = url;
		const char *at = memrchr(url, '@', (size_t)(colon - url));
		if (at)
			h = at + 1;
		*hostlen = (size_t)(colon - h);
		p = colon + 1;
	}
	*host = h;
	while (*p == '/')
		p++;
	size_t n = strcspn(p, "?#");
	while (n && p[n - 1] == '/')
		n--;
	if (n >= 4 && !strncmp(p + n - 4, ".git", 4))
		n -= 4;
	*path = p;
	*pathlen = n;
	return 0;
}

/* Number of '/'-separated segments in s[0..n) (0 for an empty string). */
static int segments(const char *s, size_t n)
{
	int k = n ? 1 : 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '/';
	return k;
}

/* Writes pkg:github / pkg:gitlab / pkg:bitbucket to f for a known host and returns 1, or
 * writes nothing and returns 0. */
static int purl_hosted(FILE *f, const char *url)
{
	static const struct {
		const char *host, *type;
		int lower, gitlab;
	} hosts[] = { { "github.com", "github", 1, 0 },
		      { "bitbucket.org", "bitbucket", 1, 0 },
		      { "gitlab.com", "gitlab", 0, 1 } };
	const char *host, *path;
	size_t hostlen, pathlen;

	if (url_split(url, &host, &hostlen, &path, &pathlen))
		return 0;
	int nseg = segments(path, pathlen);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (hostlen != strlen(hosts[i].host) || strncasecmp(host, hosts[i].host, hostlen))
			continue;
		if (hosts[i].gitlab ? nseg < 2 : nseg != 2)
			return 0;
		fprintf(f, "pkg:%s", hosts[i].type);
		for (size_t s = 0, e; s < pathlen; s = e + 1) {
			e = s + strcspn(path + s, "/");
			if (e > pathlen)
				e = pathlen;
			fputc('/', f);
			put_enc(f, path + s, e - s, hosts[i].lower);
		}
		return 1;
	}
	return 0;
}

/* The generic purl name: the remote URL's last path segment without ".git", else the
 * workdir's last component. */
static void generic_name(const struct co *c, const char **name, size_t *n)
{
	const char *host, *path = c->workdir;
	size_t hostlen, pathlen = strlen(path);

	if (c->remote_url &&
	    url_split(c->remote_url, &host, &hostlen, &path, &pathlen)) { /* local path */
		path = c->remote_url;
		pathlen = strlen(path);
		while (pathlen > 1 && path[pathlen - 1] == '/')
			pathlen--;
		if (pathlen >= 4 && !strncmp(path + pathlen - 4, ".git", 4))
			pathlen -= 4;
	}
	const char *slash = memrchr(path, '/', pathlen);
	*name = slash ? slash + 1 : path;
	*n = pathlen - (size_t)(*name - path);
	if (!*n) {
		*name = "unknown";
		*n = 7;
	}
}

/* Builds c->purl and c->download_location from remote_url, commit and workdir. */
static int make_purl(struct co *c)
{
	size_t plen, dlen;
	FILE *p = open_memstream(&c->purl, &plen), *d;

	if (!p)
		return -ENOMEM;
	int generic = !c->remote_url || !purl_hosted(p, c->remote_url);
	if (generic) {
		const char *name;
		size_t n;
		generic_name(c, &name, &n);
		fputs("pkg:generic/", p);
		put_enc(p, name, n, 0);
	}
	if (c->commit)
		fprintf(p, "@%s", c->commit);
	if (c->remote_url) {
		if (!(d = open_memstream(&c->download_location, &dlen))) {
			fclose(p);
			return -ENOMEM;
		}
		/* a local path is written as a file:// URL */
		fprintf(d, "git+%s%s", c->remote_url[0] == '/' ? "file://" : "", c->remote_url);
		if (c->commit)
			fprintf(d, "@%s", c->commit);
		if (fclose(d)) {
			fclose(p);
			return -ENOMEM;
		}
		if (generic) {
			fputs("?vcs_url=", p);
			put_enc(p, c->download_location, dlen, 0);
		}
	}
	return fclose(p) ? -ENOMEM : 0;
}

/* --- describing a work tree --------------------------------------------------------------- */
/*
 * remote_url: remote.origin.url, else the url of the remote first in name order.  Read
 * from a config snapshot rather than with git_remote_lookup()/git_remote_list(): in
 * Debian's libgit2 1.5.1 those leak a pcre2 match block (20 KiB) per config entry they
 * look at (fixed upstream by libgit2 PR #6382).  Like `git config remote.X.url`, this
 * gives the URL as configured (url.*.insteadOf is not applied).
 */
/* strcmp() of name[0..n) and s. */
static int name_cmp(const char *name, size_t n, const char *s)
{
	int r = strncmp(name, s, n);
	return r ? r : -(s[n] != 0);
}

static int read_remote(struct co *c)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	char *best = NULL, *url = NULL;
	int err = 0;

	if (git_repository_config_snapshot(&cfg, c->repo) < 0 ||
	    git_config_iterator_new(&it, cfg) < 0)
		goto out; /* no remote */
	while (git_config_next(&e, it) == 0) {
		size_t n = strlen(e->name);
		if (n <= 11 || strncmp(e->name, "remote.", 7) || strcmp(e->name + n - 4, ".url"))
			continue;
		const char *name = e->name + 7;
		int origin = (n -= 11) == 6 && !strncmp(name, "origin", 6);
		if (best && !origin && name_cmp(name, n, best) >= 0)
			continue;
		free(best);
		free(url);
		best = strndup(name, n);
		url = strdup(e->value ? e->value : "");
		if (!best || !url) {
			err = -ENOMEM;
			goto out;
		}
		if (origin)
			break;
	}
	if (url && *url && !(c->remote_url = url_sanitize(url)))
		err = -ENOMEM;
out:
	free(best);
	free(url);
	git_config_iterator_free(it);
	git_config_free(cfg);
	return err;
}

static int read_head(struct co *c)
{
	git_reference *ref = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int err = git_repository_head(&ref, c->repo);

	if (err == 0) {
		const git_oid *oid = git_reference_target(ref);
		if (oid && !(c->commit = strdup(git_oid_tostr(hex, sizeof(hex), oid))))
			goto nomem;
		if (!git_repository_head_detached(c->repo) &&
		    !(c->branch = strdup(git_reference_shorthand(ref))))
			goto nomem;
	} else if (err == GIT_EUNBORNBRANCH &&
		   git_reference_lookup(&ref, c->repo, "HEAD") == 0) {
		const char *t = git_reference_symbolic_target(ref);
		if (t && !strncmp(t, "refs/heads/", 11) && !(c->branch = strdup(t + 11)))
			goto nomem;
	}
	git_reference_free(ref);
	return 0;
nomem:
	git_reference_free(ref);
	return -ENOMEM;
}

/*
 * 1 when the index differs from HEAD or the work tree from the index, 0 when not, -1 when
 * unknown.  This is git_status_list_new()'s pair of diffs, made directly because only
 * git_diff_options can say GIT_SUBMODULE_IGNORE_DIRTY: a submodule counts when its
 * checked-out commit differs from the recorded one, not when its own files changed (they
 * make the submodule's checkout dirty).  Untracked and ignored files are not in these
 * diffs; stat-only changes are checked by content; nothing is written to the index.
 */
static int read_dirty(struct co *c)
{
	git_diff_options opts;
	git_object *tree = NULL;
	git_diff *diff = NULL;
	int dirty = -1;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_DIRTY;
	if (c->commit && git_revparse_single(&tree, c->repo, "HEAD^{tree}") < 0)
		goto out;
	/* unborn branch: tree NULL, so everything in the index is a change */
	if (git_diff_tree_to_index(&diff, c->repo, (git_tree *)tree, NULL, &opts) < 0)
		goto out;
	dirty = git_diff_num_deltas(diff) > 0;
	git_diff_free(diff);
	diff = NULL;
	if (!dirty && git_diff_index_to_workdir(&diff, c->repo, NULL, &opts) < 0)
		dirty = -1;
	else if (!dirty)
		dirty = git_diff_num_deltas(diff) > 0;
out:
	git_diff_free(diff);
	git_object_free(tree);
	return dirty;
}

static const struct co *lookup_dir(struct resolve_git *g, const char *dir);

/* Sets is_submodule and superproject from the work tree around c's parent directory. */
static void read_super(struct resolve_git *g, struct co *c)
{
	char parent[PATH_MAX];
	const struct co *s;
	git_submodule *sm = NULL;

	snprintf(parent, sizeof(parent), "%s", c->workdir);
	char *slash = strrchr(parent, '/');
	if (slash == parent)
		return; /* workdir is "/" or "/x": no superproject above */
	*slash = 0;
	if (!(s = lookup_dir(g, parent)))
		return;
	size_t n = strlen(s->workdir);
	const char *rel = c->workdir + (n == 1 ? 1 : n + 1);
	if (git_submodule_lookup(&sm, s->repo, rel) == 0) {
		c->pub.is_submodule = 1;
		c->pub.superproject = s->workdir;
	}
	git_submodule_free(sm);
}

static void co_free(struct co *c)
{
	if (!c)
		return;
	git_index_free(c->index);
	git_repository_free(c->repo);
	free(c->workdir);
	free(c->remote_url);
	free(c->commit);
	free(c->branch);
	free(c->purl);
	free(c->download_location);
	free(c);
}

/* Describes the work tree of repo (taken over: freed with the checkout) at workdir wd. */
static struct co *co_new(struct resolve_git *g, git_repository *repo, const char *wd)
{
	struct co *c = calloc(1, sizeof(*c));
	if (!c) {
		git_repository_free(repo);
		return NULL;
	}
	c->repo = repo;
	if (!(c->workdir = strdup(wd)) || read_remote(c) || read_head(c) || make_purl(c))
		goto fail;
	c->pub.dirty = read_dirty(c);
	c->pub.workdir = c->workdir;
	c->pub.remote_url = c->remote_url;
	c->pub.commit = c->commit;
	c->pub.branch = c->branch;
	c->pub.purl = c->purl;
	c->pub.download_location = c->download_location;
	if (g->nco == g->capco) {
		size_t cap = g->capco ? g->capco * 2 : 8;
		struct co **v = realloc(g->cos, cap * sizeof(*v));
		if (!v)
			goto fail;
		g->cos = v;
		g->capco = cap;
	}
	if (strmap_put(&g->trees, c->workdir, c))
		goto fail;
	g->cos[g->nco++] = c;
	read_super(g, c);
	return c;
fail:
	co_free(c);
	return NULL;
}

/* --- the directory cache ---------------------------------------------------------------- */

/* Maps dir and its ancestors down to (and including) stop to v.  With stop NULL, goes up
 * to "/" but stops at the first ancestor already cached. */
static int cache_up(struct resolve_git *g, const char *dir, const char *stop, void *v)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	memcpy(buf, dir, n + 1);
	for (;;) {
		if (!stop && strmap_get(&g->dirs, buf))
			return 0;
		if (strmap_put(&g->dirs, buf, v))
			return -ENOMEM;
		if ((stop && !strcmp(buf, stop)) || n <= 1)
			return 0;
		while (n > 1 && buf[n - 1] != '/')
			n--;
		buf[n > 1 ? --n : n] = 0;
	}
}

/* The nearest existing directory at or above dir, in buf. */
static void existing_dir(char *buf, size_t size, const char *dir)
{
	struct stat st;
	snprintf(buf, size, "%s", dir);
	while (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf) {
			strcpy(buf, "/");
			return;
		}
		*slash = 0;
	}
}

static const struct co *cached(void *v)
{
	errno = v == &bad_tree ? EIO : 0;
	return v == &no_tree || v == &bad_tree ? NULL : v;
}

/* Opens the repository around dir and caches the answer; NULL with errno as documented. */
static const struct co *lookup_dir(struct resolve_git *g, const char *dir)
{
	char start[PATH_MAX], wd[PATH_MAX];
	git_repository *repo = NULL;
	void *v = strmap_get(&g->dirs, dir);

	if (v)
		return cached(v);
	existing_dir(start, sizeof(start), dir);
	int err = git_repository_open_ext(&repo, start, GIT_REPOSITORY_OPEN_CROSS_FS, NULL);
	if (err == GIT_ENOTFOUND)
		return cache_up(g, dir, NULL, &no_tree) ? (errno = ENOMEM, NULL) : cached(&no_tree);
	if (err < 0)
		return strmap_put(&g->dirs, dir, &bad_tree) ? (errno = ENOMEM, NULL)
							   : cached(&bad_tree);

	/* A bare repository, or a directory inside the git directory: no work tree. */
	const char *w = git_repository_workdir(repo), *gd = git_repository_path(repo);
	size_t gn = strlen(gd) - 1; /* gd ends with '/' */
	if (!w || (!strncmp(dir, gd, gn) && (dir[gn] == 0 || dir[gn] == '/')) ||
	    strlen(w) >= sizeof(wd)) {
		git_repository_free(repo);
		return strmap_put(&g->dirs, dir, &no_tree) ? (errno = ENOMEM, NULL)
							  : cached(&no_tree);
	}
	size_t n = strlen(w);
	memcpy(wd, w, n + 1);
	if (n > 1 && wd[n - 1] == '/')
		wd[--n] = 0;

	struct co *c = strmap_get(&g->trees, wd);
	if (c)
		git_repository_free(repo);
	else if (!(c = co_new(g, repo, wd)))
		return errno = ENOMEM, NULL;
	/* dir below wd (the usual case): every directory in between is in the same tree */
	int below = !strncmp(dir, wd, n) && (dir[n] == 0 || dir[n] == '/' || n == 1);
	if (below ? cache_up(g, dir, wd, c) : strmap_put(&g->dirs, dir, c))
		return errno = ENOMEM, NULL;
	errno = 0;
	return c;
}

/* --- public ------------------------------------------------------------------------------ */
int resolve_git_new(struct resolve_git **out)
{
	struct resolve_git *g;

	*out = NULL;
	if (git_libgit2_init() < 0)
		return git_errno();
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	if (!(g = calloc(1, sizeof(*g)))) {
		git_libgit2_shutdown();
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

const struct git_checkout *resolve_git_lookup(struct resolve_git *g, const char *abspath)
{
	char dir[PATH_MAX];
	size_t n;

	if (!abspath || abspath[0] != '/')
		return errno = EINVAL, NULL;
	if ((n = strlen(abspath)) >= sizeof(dir))
		return errno = ENAMETOOLONG, NULL;
	memcpy(dir, abspath, n + 1);
	while (n > 1 && dir[n - 1] == '/') /* "/a/b/" names b */
		dir[--n] = 0;
	char *slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = 0;
	const struct co *c = lookup_dir(g, dir);
	return c ? &c->pub : NULL;
}

int resolve_git_is_tracked(struct resolve_git *g, const struct git_checkout *c,
			   const char *abspath)
{
	struct co *co = (struct co *)c;
	size_t n = strlen(c->workdir);

	if (strncmp(abspath, c->workdir, n) || (n > 1 && abspath[n] != '/'))
		return 0;
	const char *rel = abspath + (n > 1 ? n + 1 : 1);
	if (!co->index && git_repository_index(&co->index, co->repo) < 0)
		return git_errno();
	for (int stage = 0; stage <= 3; stage++)
		if (git_index_get_bypath(co->index, rel, stage))
			return 1;
	return 0;
}

void resolve_git_free(struct resolve_git *g)
{
	if (!g)
		return;
	for (size_t i = g->nco; i > 0; i--)
		co_free(g->cos[i - 1]);
	free(g->cos);
	strmap_release(&g->trees);
	strmap_release(&g->dirs);
	free(g);
	git_libgit2_shutdown();
}
