/* pkgsplit.c - the binary packages of a recorded distro build and their files: the set,
 * os-release, and Debian (dpkg-buildpackage) packages (see pkgsplit.h; RPM is in
 * pkgsplit_rpm.c). */
#include "asbuilt/pkgsplit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "asbuilt/sbuf.h"
/* The purl, CPE and DEP-5 license rules of the dpkg resolver, so that a package built here
 * is named the way the same package is named once installed. */
#include "../resolve/dpkg_internal.h"

/* --- the set ----------------------------------------------------------------------------- */

struct pkgsplit_pkg *pkgsplit_add(struct pkgsplit *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		struct pkgsplit_pkg *p = realloc(s->p, cap * sizeof(*p));

		if (!p)
			return NULL;
		s->p = p;
		s->cap = cap;
	}
	memset(&s->p[s->n], 0, sizeof(s->p[0]));
	return &s->p[s->n++];
}

static void pkg_release(struct pkgsplit_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source);
	free(p->purl);
	free(p->cpe);
	free(p->license);
	free(p->supplier);
	free(p->homepage);
	free(p->stage);
	free(p->comment);
	graph_ivec_release(&p->files);
}

void pkgsplit_release(struct pkgsplit *s)
{
	for (size_t i = 0; i < s->n; i++)
		pkg_release(&s->p[i]);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

/* The whole file at path as a new NUL-terminated string, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *p = realloc(buf, cap = 2 * cap + 4096 + 1);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static char *path_join(const char *a, const char *b)
{
	char *s;

	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

void pkgsplit_os_release(const char *root, char id[64], char distro[160])
{
	static const char *const where[] = { "etc/os-release", "usr/lib/os-release" };
	char *text = NULL, *cur, *line, *v, *p;
	const char *osid = NULL, *ver = NULL, *code = NULL;

	root = root && *root ? root : "/";
	for (size_t i = 0; i < 2 && !text; i++)
		if ((p = path_join(root, where[i]))) {
			text = slurp(p);
			free(p);
		}
	for (cur = text; (line = dpkg_next_line(&cur));) {
		if (!(v = strchr(line, '=')))
			continue;
		*v++ = '\0';
		if ((*v == '"' || *v == '\'') && (p = strchr(v + 1, *v))) {
			*p = '\0';
			v++;
		}
		if (!strcmp(line, "ID"))
			osid = v;
		else if (!strcmp(line, "VERSION_ID"))
			ver = v;
		else if (!strcmp(line, "VERSION_CODENAME"))
			code = v;
	}
	snprintf(id, 64, "%s", osid && *osid ? osid : "debian");
	distro[0] = '\0';
	if (osid && *osid && ((ver && *ver) || (code && *code)))
		snprintf(distro, 160, "%s-%s", osid, ver && *ver ? ver : code);
	free(text);
}

/* --- Debian control files ---------------------------------------------------------------- */

/* The next paragraph of a control file at *cur (comments and blank lines before it
 * skipped): its start, with *end just past it, or NULL at the end. */
static const char *next_para(const char **cur, const char **end)
{
	const char *s = *cur;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		int blank = strspn(s, " \t\r") >= len;

		if (!blank && *s != '#')
			break;
		s += len + (nl != NULL);
	}
	if (!*s)
		return NULL;
	*end = s;
	while (**end) {
		const char *nl = strchr(*end, '\n');
		size_t len = nl ? (size_t)(nl - *end) : strlen(*end);

		if (strspn(*end, " \t\r") >= len)
			break;
		*end += len + (nl != NULL);
	}
	*cur = *end;
	return s;
}

/* The value of the single-line field name in the paragraph [s, end), trimmed, as a new
 * string; NULL when absent (or ENOMEM). */
static char *para_field(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end, *v;

		if (!strncasecmp(s, name, n) && s[n] == ':') {
			for (v = s + n + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t' || eol[-1] == '\r'))
				eol--;
			return strndup(v, (size_t)(eol - v));
		}
		s = nl ? nl + 1 : end;
	}
	return NULL;
}

/* The first paragraph's field name of the control file at path, or NULL. */
static char *file_field(const char *path, const char *name)
{
	char *text = slurp(path), *v = NULL;
	const char *cur = text, *s, *end;

	if (text && (s = next_para(&cur, &end)))
		v = para_field(s, end, name);
	free(text);
	return v;
}

/* "NAME (VERSION) dist; urgency" -> *name and *version from the first entry of
 * debian/changelog.  0 or -ENOENT. */
static int changelog_head(const char *debian, char **name, char **version)
{
	char *path = path_join(debian, "changelog"), *text = path ? slurp(path) : NULL;
	char *open_, *close_;
	int rc = -ENOENT;

	*name = *version = NULL;
	open_ = text ? strchr(text, '(') : NULL;
	close_ = open_ ? strchr(open_, ')') : NULL;
	if (open_ && close_ && !memchr(text, '\n', (size_t)(open_ - text))) {
		char *e = open_;
		while (e > text && e[-1] == ' ')
			e--;
		*name = strndup(text, (size_t)(e - text));
		*version = strndup(open_ + 1, (size_t)(close_ - open_ - 1));
		rc = *name && *version ? 0 : -ENOMEM;
	}
	free(path);
	free(text);
	return rc;
}

/* --- the files of a staging tree ----------------------------------------------------------- */

static int has_prefix(const char *s, const char *prefix, size_t n)
{
	return !strncmp(s, prefix, n) && s[n] == '/';
}

/* Whether the build removed the file of version v again, so that it is not in the package:
 * it vanished, or the graph says it was removed and it is not on disk either.  (The graph
 * alone is not enough: the record resolves the path of an unlinked symlink to its target,
 * so dh_link replacing libfoo.so.1 -> libfoo.so.1.0 marks libfoo.so.1.0 removed.) */
static int gone(const struct graph_version *v)
{
	struct stat sb;

	if (!strcmp(v->state, "vanished"))
		return 1;
	return (v->flags & GRAPH_V_TEMP) && lstat(v->path, &sb) != 0;
}

/* The newest versions under stage/, DEBIAN/ left out, into p->files (sorted by path). */
static int staged_files(const struct graph *g, const char *stage, struct pkgsplit_pkg *p)
{
	char *meta = path_join(stage, "DEBIAN");
	size_t n = strlen(stage), m = meta ? strlen(meta) : 0;
	int rc = 0;

	if (!meta)
		return -ENOMEM;
	for (size_t i = 0; i < g->nv && !rc; i++) {
		const struct graph_version *v = &g->v[i];

		if (!has_prefix(v->path, stage, n) || has_prefix(v->path, meta, m) ||
		    graph_latest(g, v->path) != (int)i || (v->flags & GRAPH_V_DIR) || gone(v))
			continue;
		if (!v->sha256)
			p->nunhashed++;
		else if (graph_ivec_push(&p->files, (int)i))
			rc = -ENOMEM;
	}
	graph_sort_by_path(g, &p->files);
	free(meta);
	return rc;
}

/* The architecture of the .deb the build wrote for name/version ("NAME_VERSION_ARCH.deb",
 * the version without its epoch), or NULL. */
static char *deb_arch(const struct graph *g, const char *name, const char *version)
{
	const char *colon = strchr(version, ':');
	char *prefix;
	size_t n;

	if (asprintf(&prefix, "%s_%s_", name, colon ? colon + 1 : version) < 0)
		return NULL;
	n = strlen(prefix);
	for (size_t i = 0; i < g->nv; i++) {
		const char *base = strrchr(g->v[i].path, '/');
		size_t len;

		base = base ? base + 1 : g->v[i].path;
		len = strlen(base);
		if ((g->v[i].flags & GRAPH_V_WRITTEN) && !strncmp(base, prefix, n) && len > n + 4 &&
		    !strcmp(base + len - 4, ".deb")) {
			free(prefix);
			return strndup(base + n, len - n - 4);
		}
	}
	free(prefix);
	return NULL;
}

/* --- Debian packages ---------------------------------------------------------------------- */

/* What debian/ says of the whole source package. */
struct deb_src {
	const struct graph *g;
	char *dir;		/* the debian/ directory */
	char *source, *version; /* debian/changelog */
	char *maintainer, *homepage;
	char *license; /* debian/copyright (DEP-5) as SPDX */
	char osid[64], distro[160];
};

static void deb_src_release(struct deb_src *d)
{
	free(d->dir);
	free(d->source);
	free(d->version);
	free(d->maintainer);
	free(d->homepage);
	free(d->license);
}

/* Fills the name, version, arch, purl, cpe, license, comment of p, whose staging tree is
 * p->stage and whose debian/control paragraph gave name and ctl_arch. */
static int deb_identity(struct deb_src *d, struct pkgsplit_pkg *p, const char *ctl_arch)
{
	char *control = path_join(p->stage, "DEBIAN/control");
	char *gen_ver = control ? file_field(control, "Version") : NULL;
	char *gen_arch = control ? file_field(control, "Architecture") : NULL;
	struct dpkg_pkg k = { 0 };

	free(control);
	p->version = gen_ver ? gen_ver : d->version ? strdup(d->version) : NULL;
	if (!p->version) {
		free(gen_arch);
		return -ENOMEM;
	}
	p->arch = gen_arch ? gen_arch : deb_arch(d->g, p->name, p->version);
	if (!p->arch && ctl_arch && !strcmp(ctl_arch, "all"))
		p->arch = strdup("all");
	p->source = d->source ? strdup(d->source) : strdup(p->name);
	p->supplier = d->maintainer ? strdup(d->maintainer) : NULL;
	p->homepage = d->homepage ? strdup(d->homepage) : NULL;
	p->license = d->license ? strdup(d->license) : NULL;
	k = (struct dpkg_pkg){ .name = p->name,
			       .version = p->version,
			       .arch = p->arch ? p->arch : "",
			       .source = p->source };
	p->purl = dpkg_text_purl(&k, d->osid, d->distro);
	p->cpe = dpkg_text_cpe(&k);
	if (asprintf(&p->comment,
		     "Debian binary package %s %s (%s) of source package %s, made by the recorded "
		     "build: it contains the files staged under %s/ (DEBIAN/ left out).",
		     p->name, p->version, p->arch ? p->arch : "architecture unknown", p->source,
		     p->stage) < 0)
		p->comment = NULL;
	return p->source && p->purl && p->cpe && p->comment ? 0 : -ENOMEM;
}

/* Adds the package called name (its staging tree stage) and its files. */
static int deb_add(struct deb_src *d, struct pkgsplit *out, const char *name, const char *stage,
		   const char *ctl_arch)
{
	struct pkgsplit_pkg *p = pkgsplit_add(out);
	int rc;

	if (!p)
		return -ENOMEM;
	p->kind = PKGSPLIT_DEB;
	p->stage = strdup(stage);
	p->name = strdup(name);
	if (!p->stage || !p->name)
		return -ENOMEM;
	if ((rc = deb_identity(d, p, ctl_arch)))
		return rc;
	return staged_files(d->g, p->stage, p);
}

/* The package of one binary paragraph, and its -dbgsym package when debhelper made one. */
static int deb_binary(struct deb_src *d, struct pkgsplit *out, const char *name, const char *arch)
{
	char *stage = NULL, *dbg = NULL, *dbgctl = NULL, *dbgname = NULL;
	int rc = -ENOMEM;

	if (asprintf(&stage, "%s/%s", d->dir, name) < 0 ||
	    asprintf(&dbg, "%s/.debhelper/%s/dbgsym-root", d->dir, name) < 0 ||
	    asprintf(&dbgctl, "%s/DEBIAN/control", dbg) < 0)
		goto out;
	if ((rc = deb_add(d, out, name, stage, arch)))
		goto out;
	dbgname = file_field(dbgctl, "Package");
	if (dbgname)
		rc = deb_add(d, out, dbgname, dbg, arch);
out:
	free(stage);
	free(dbg);
	free(dbgctl);
	free(dbgname);
	return rc;
}

static int deb_src_load(struct deb_src *d, const char *root)
{
	char *ctl = path_join(d->dir, "control"), *copyright = path_join(d->dir, "copyright");
	char *text = copyright ? slurp(copyright) : NULL;
	const char *cur, *s, *end;
	char *ctext = ctl ? slurp(ctl) : NULL;

	changelog_head(d->dir, &d->source, &d->version);
	cur = ctext;
	if (ctext && (s = next_para(&cur, &end))) {
		d->maintainer = para_field(s, end, "Maintainer");
		d->homepage = para_field(s, end, "Homepage");
		if (!d->source)
			d->source = para_field(s, end, "Source");
	}
	d->license = text ? dpkg_text_dep5_license(text) : NULL;
	pkgsplit_os_release(root, d->osid, d->distro);
	free(ctl);
	free(copyright);
	free(text);
	free(ctext);
	return 0;
}

/* Leaves out the packages from index from on that the build did not make: nothing staged
 * and no .deb written (dpkg-buildpackage -B skips Architecture: all packages; rpmbuild or
 * make run in a tree that has a debian/ directory stage none). */
static void drop_unbuilt(const struct graph *g, struct pkgsplit *s, size_t from)
{
	size_t k = from;

	for (size_t i = from; i < s->n; i++) {
		struct pkgsplit_pkg *p = &s->p[i];
		char *deb = p->files.n || p->nunhashed ? NULL : deb_arch(g, p->name, p->version);

		if (p->files.n || p->nunhashed || deb)
			s->p[k++] = *p;
		else
			pkg_release(p);
		free(deb);
	}
	s->n = k;
}

/* Adds the binary packages of debian/control (after its source paragraph) that the build
 * made. */
static int deb_packages(const struct graph *g, const char *root, struct pkgsplit *out, char *err,
			size_t errlen)
{
	struct deb_src d = { .g = g, .dir = path_join(g->cwd, "debian") };
	char *ctl = d.dir ? path_join(d.dir, "control") : NULL, *text = ctl ? slurp(ctl) : NULL;
	const char *cur = text, *s, *end;
	size_t before = out->n;
	int rc = 0;

	if (!text) {
		rc = d.dir && ctl ? -ENOENT : -ENOMEM;
		goto out;
	}
	deb_src_load(&d, root);
	if (!d.version) {
		snprintf(err, errlen, "no version: '%s/changelog' has no entry", d.dir);
		rc = -ENOEXEC;
		goto out;
	}
	next_para(&cur, &end); /* the source paragraph */
	while (!rc && (s = next_para(&cur, &end))) {
		char *name = para_field(s, end, "Package"),
		     *arch = para_field(s, end, "Architecture");

		if (name && *name)
			rc = deb_binary(&d, out, name, arch);
		free(name);
		free(arch);
	}
	if (!rc && out->n == before) {
		snprintf(err, errlen, "'%s' names no binary package", ctl);
		rc = -ENOEXEC;
	}
	if (!rc)
		drop_unbuilt(g, out, before);
out:
	deb_src_release(&d);
	free(ctl);
	free(text);
	return rc;
}

/* --- both ------------------------------------------------------------------------------------ */

static int cmp_pkg(const void *a, const void *b)
{
	const struct pkgsplit_pkg *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->version, y->version);
}

int pkgsplit_find(const struct graph *g, const char *root, struct pkgsplit *out, char *err,
		  size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	*err = '\0';
	rc = deb_packages(g, root, out, err, errlen);
	if (rc == -ENOENT)
		rc = 0;
	if (!rc)
		rc = pkgsplit_rpm(g, root, out, err, errlen);
	if (!rc && !out->n) {
		snprintf(err, errlen,
			 "build %lld made no binary package: no debian/control in its directory "
			 "'%s' (dpkg-buildpackage) and no .rpm written (rpmbuild)",
			 (long long)g->build_id, g->cwd);
		rc = -ENOENT;
	}
	if (rc) {
		if (rc == -ENOMEM && !*err)
			snprintf(err, errlen, "out of memory");
		pkgsplit_release(out);
		return rc;
	}
	qsort(out->p, out->n, sizeof(out->p[0]), cmp_pkg);
	return 0;
}
