/* components_chain.c - the resolvers of the chain, in order: dpkg, rpm, apk, fetched
 * during the build, package directories, git, the project's source tree, unresolved. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/graph.h"
#include "asbuilt/resolve_apk.h"
#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/resolve_git.h"
#include "asbuilt/resolve_rpm.h"
#include "asbuilt/steps.h"
#include "components_internal.h"

int comp_git_fill(const struct git_checkout *co, const char *url, struct comp_cand *c)
{
	const char *u = co && co->remote_url ? co->remote_url : url;
	int oom = 0;

	c->kind = COMPONENT_GIT;
	if (u) {
		size_t l = strlen(u);
		const char *s;

		while (l > 1 && u[l - 1] == '/')
			l--;
		if (l > 4 && !strncmp(u + l - 4, ".git", 4))
			l -= 4;
		for (s = u + l; s > u && s[-1] != '/' && s[-1] != ':'; s--)
			;
		if (!(c->name = strndup(s, (size_t)(u + l - s))))
			oom = 1;
	} else if (co) {
		c->name = comp_strdup(strrchr(co->workdir, '/') ? strrchr(co->workdir, '/') + 1
								: co->workdir, &oom);
	}
	c->remote_url = comp_strdup(u, &oom);
	c->dirty = -1;
	if (co) {
		c->version = comp_strdup(co->commit, &oom);
		c->commit = comp_strdup(co->commit, &oom);
		c->purl = comp_strdup(co->purl, &oom);
		c->download_location = comp_strdup(co->download_location, &oom);
		c->superproject = comp_strdup(co->is_submodule ? co->superproject : NULL, &oom);
		c->dirty = co->dirty;
		if (!(c->evidence[0] = comp_fmt("%s/.git", co->workdir)))
			oom = 1;
	}
	return oom ? -ENOMEM : 0;
}

/* --- the resolvers of the chain ---------------------------------------------------------- */

static char *path_in_root(const struct comp_ctx *x, const char *rel)
{
	char *p = comp_fmt("%s/%s", strcmp(x->root, "/") ? x->root : "", rel);
	struct stat sb;

	if (p && stat(p, &sb)) {
		free(p);
		return NULL;
	}
	return p;
}

static int from_dpkg(struct comp_ctx *x, const char *path, struct comp_cand *c)
{
	const struct dpkg_pkg *p = x->dpkg ? resolve_dpkg_lookup(x->dpkg, path) : NULL;
	int oom = 0;
	char rel[512];

	if (!p)
		return 0;
	c->kind = COMPONENT_DEB;
	c->name = comp_strdup(p->name, &oom);
	c->version = comp_strdup(p->version, &oom);
	c->purl = comp_strdup(p->purl, &oom);
	c->cpe = comp_strdup(p->cpe, &oom);
	c->license = comp_strdup(p->license, &oom);
	c->homepage = comp_strdup(p->homepage, &oom);
	c->supplier = comp_strdup(p->maintainer, &oom);
	snprintf(rel, sizeof(rel), "var/lib/dpkg/info/%s:%s.list", p->name, p->arch);
	if (!(c->evidence[0] = path_in_root(x, rel))) {
		snprintf(rel, sizeof(rel), "var/lib/dpkg/info/%s.list", p->name);
		c->evidence[0] = path_in_root(x, rel);
	}
	c->identified_by = comp_fmt("dpkg database owns %s", path);
	return oom || !c->identified_by ? -ENOMEM : 1;
}

static int from_rpm(struct comp_ctx *x, const char *path, struct comp_cand *c)
{
	static const char *const dbs[] = { "usr/lib/sysimage/rpm/rpmdb.sqlite",
					   "var/lib/rpm/rpmdb.sqlite",
					   "usr/lib/sysimage/rpm/Packages", "var/lib/rpm/Packages" };
	const struct rpm_pkg *p = x->rpm ? resolve_rpm_lookup(x->rpm, path) : NULL;
	int oom = 0;

	if (!p)
		return 0;
	c->kind = COMPONENT_RPM;
	c->name = comp_strdup(p->name, &oom);
	c->version = comp_strdup(p->version, &oom);
	c->purl = comp_strdup(p->purl, &oom);
	c->cpe = comp_strdup(p->cpe, &oom);
	c->license = comp_strdup(p->license, &oom);
	c->homepage = comp_strdup(p->homepage, &oom);
	c->supplier = comp_strdup(p->vendor, &oom);
	for (size_t i = 0; i < 4 && !c->evidence[0]; i++)
		c->evidence[0] = path_in_root(x, dbs[i]);
	c->identified_by = comp_fmt("rpm database owns %s", path);
	return oom || !c->identified_by ? -ENOMEM : 1;
}

static int from_apk(struct comp_ctx *x, const char *path, struct comp_cand *c)
{
	const struct apk_pkg *p = x->apk ? resolve_apk_lookup(x->apk, path) : NULL;
	int oom = 0;

	if (!p)
		return 0;
	c->kind = COMPONENT_APK;
	c->name = comp_strdup(p->name, &oom);
	c->version = comp_strdup(p->version, &oom);
	c->purl = comp_strdup(p->purl, &oom);
	c->cpe = comp_strdup(p->cpe, &oom);
	c->license = comp_strdup(p->license, &oom);
	c->homepage = comp_strdup(p->homepage, &oom);
	c->supplier = comp_strdup(p->maintainer, &oom);
	if (!(c->evidence[0] = path_in_root(x, "lib/apk/db/installed")))
		c->evidence[0] = path_in_root(x, "usr/lib/apk/db/installed");
	c->identified_by = comp_fmt("apk database owns %s", path);
	return oom || !c->identified_by ? -ENOMEM : 1;
}

static int from_git(struct comp_ctx *x, const char *path, struct comp_cand *c)
{
	const struct git_checkout *co = x->git ? resolve_git_lookup(x->git, path) : NULL;

	if (!co || resolve_git_is_tracked(x->git, co, path) != 1)
		return 0;
	if (comp_git_fill(co, NULL, c))
		return -ENOMEM;
	c->identified_by = comp_fmt("git work tree %s at %s%s%s%s", co->workdir,
				    co->commit ? co->commit : "(no commit)",
				    co->dirty == 1 ? " (dirty)" : "",
				    co->is_submodule ? ", submodule of " : "",
				    co->is_submodule ? co->superproject : "");
	return c->identified_by ? 1 : -ENOMEM;
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '/' || !strcmp(dir, "/"));
}

int comp_is_binary(const char *path)
{
	enum steps_fclass fc = steps_fclass(path);
	return fc == STEPS_F_OBJECT || fc == STEPS_F_ARCHIVE || fc == STEPS_F_SHLIB ||
	       fc == STEPS_F_EXEC;
}

/* Runs the chain on path (version vi of g, or -1).  Fills *c (always: unresolved when
 * nothing answered) and returns 0, or -ENOMEM. */
int comp_identify(struct comp_ctx *x, const char *path, int vi, int binary, struct comp_cand *c)
{
	const struct graph_version *v = vi >= 0 ? &x->g->v[vi] : NULL;
	int written = v && (v->flags & GRAPH_V_WRITTEN), r;

	r = from_dpkg(x, path, c);
	if (!r)
		r = from_rpm(x, path, c);
	if (!r)
		r = from_apk(x, path, c);
	if (!r && written && comp_fetch_step(x->fetch, v->step))
		r = comp_fetch_written(x->fetch, vi, c);
	if (!r && !written)
		r = comp_fetch_pkgdir(x->fetch, path, NULL, c);
	if (!r && !written)
		r = from_git(x, path, c);
	if (r < 0)
		return r;
	if (r)
		return 0;
	comp_cand_release(c);
	if (!written && !binary && under(path, x->g->cwd)) {
		const char *base = strrchr(x->g->cwd, '/');

		c->kind = COMPONENT_PROJECT;
		c->identified_by = comp_fmt("source tree %s", x->g->cwd);
		/* named after the build's directory (docs/graph.md), as the SBOM names it */
		c->name = strdup(base && base[1] ? base + 1 : x->g->cwd);
		if (!c->name)
			return -ENOMEM;
	} else {
		c->kind = COMPONENT_UNRESOLVED;
		c->identified_by = strdup(binary ? "prebuilt binary, not made by this build"
						 : "no package owns it");
	}
	return c->identified_by ? 0 : -ENOMEM;
}

