/*
 * dpkg.c - file path -> Debian package, from the dpkg database.  Every .list file is read
 * whole into one buffer that stays alive; its lines become hash keys in place, so indexing
 * ~150k paths costs one read per package and no per-path allocation.
 */
#include "asbuilt/resolve_dpkg.h"
#include "dpkg_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the resolver ----------------------------------------------------------------------- */
struct pkg {
	struct dpkg_pkg pub;
	char *license, *purl, *cpe; /* owned; pub points at them */
	int ready;
};

struct diversion {
	const char *from, *to, *by; /* by ":" is a local diversion */
};

struct strvec {
	char **v;
	size_t n, cap;
};

static const char *const merged_dirs[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64",
					   "/libx32" };
#define NMERGED (sizeof(merged_dirs) / sizeof(merged_dirs[0]))

struct resolve_dpkg {
	char *root; /* real path of root without trailing '/': "" for "/" */
	char *status, *divbuf;
	struct pkg *pkgs;
	uint32_t npkgs, cappkgs;
	struct htab names; /* package name -> pkg index (other architectures chained) */
	struct diversion *div;
	uint32_t ndiv;
	struct htab divs; /* canonical path -> diversion index * 2 + (1 if it is the "to") */
	char osid[64], distro[160];
	int merged[NMERGED];
	int indexed, dirlinks_built;
	struct strvec bufs; /* contents of the .list files; path keys point into them */
	struct htab paths;  /* canonical path -> pkg index */
	struct strvec dl;   /* dirlinks: dl.v[2i] real directory, dl.v[2i+1] listed one */
	struct htab dirlinks;
};

static int strvec_push(struct strvec *s, char *p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = p;
	return 0;
}

static void strvec_release(struct strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Reads dirfd/path whole, NUL-terminated; *len gets its size.  NULL with errno on failure. */
static char *read_all(int dirfd, const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(buf = malloc((size_t)st.st_size + 1)))
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = 0;
	if (len)
		*len = got;
	return buf;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}

/* root + rel into buf.  Returns 0 or -ENAMETOOLONG. */
static int root_path(const struct resolve_dpkg *r, char *buf, size_t n, const char *rel)
{
	int w = snprintf(buf, n, "%s%s", r->root, rel);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

/* Next line of a buffer being split in place ('\n' -> NUL), or NULL at its end. */
char *dpkg_next_line(char **cur)
{
	char *s = *cur, *nl;
	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl)
		*nl++ = 0;
	*cur = nl;
	return s;
}

/* The spelling of p used as key: /usr/lib/x is keyed as /lib/x when /lib is merged. */
static const char *canon(const struct resolve_dpkg *r, const char *p, size_t *len)
{
	if (*len > 5 && memcmp(p, "/usr/", 5) == 0) {
		for (size_t i = 0; i < NMERGED; i++) {
			size_t n = strlen(merged_dirs[i]);
			if (r->merged[i] && *len >= 4 + n && memcmp(p + 4, merged_dirs[i], n) == 0 &&
			    (*len == 4 + n || p[4 + n] == '/')) {
				*len -= 4;
				return p + 4;
			}
		}
	}
	return p;
}

/* --- status ----------------------------------------------------------------------------- */
static int status_has_files(const char *st)
{
	static const char *const ok[] = { " ok installed",	  " ok triggers-pending",
					  " ok triggers-awaited", " ok half-configured",
					  " ok unpacked" };
	const char *sp = strchr(st, ' ');
	for (size_t i = 0; sp && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(sp, ok[i]) == 0)
			return 1;
	return 0;
}

static int add_pkg(struct resolve_dpkg *r, struct dpkg_pkg *p, const char *status)
{
	if (!p->name || !p->version || !p->arch || !status || !status_has_files(status))
		return 0;
	if (!p->source) {
		p->source = p->name;
	} else {
		char *paren = strchr(p->source, '(');
		if (paren) { /* "bar (1.2-3)" */
			char *end = strchr(paren, ')'), *sp = paren;
			while (sp > p->source && sp[-1] == ' ')
				sp--;
			*sp = 0;
			if (end)
				*end = 0;
			p->source_version = paren + 1;
		}
	}
	if (!p->source_version)
		p->source_version = p->version;
	if (r->npkgs == r->cappkgs) {
		uint32_t cap = r->cappkgs ? r->cappkgs * 2 : 256;
		struct pkg *v = realloc(r->pkgs, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->pkgs = v;
		r->cappkgs = cap;
	}
	r->pkgs[r->npkgs] = (struct pkg){ .pub = *p };
	return dpkg_ht_add(&r->names, p->name, strlen(p->name), r->npkgs++);
}

/* Splits "Field: value" in place; returns the value (trimmed) or NULL. */
char *dpkg_field_value(char *line, const char *name)
{
	size_t n = strlen(name);
	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	char *v = line + n + 1, *end;
	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = 0;
	return v;
}

static int parse_status(struct resolve_dpkg *r)
{
	char path[PATH_MAX], *cur, *line, *v;
	struct dpkg_pkg p = { 0 };
	const char *status = NULL;
	int rc = root_path(r, path, sizeof(path), "/var/lib/dpkg/status");

	if (rc < 0)
		return rc;
	if (!(r->status = read_all(AT_FDCWD, path, NULL)))
		return -errno;
	cur = r->status;
	for (;;) {
		line = dpkg_next_line(&cur);
		if (!line || !*line || *line == '\r') {
			if ((rc = add_pkg(r, &p, status)) < 0 || !line)
				return rc;
			p = (struct dpkg_pkg){ 0 };
			status = NULL;
		} else if (*line == ' ' || *line == '\t') {
			continue;
		} else if ((v = dpkg_field_value(line, "Package"))) {
			p.name = v;
		} else if ((v = dpkg_field_value(line, "Status"))) {
			status = v;
		} else if ((v = dpkg_field_value(line, "Version"))) {
			p.version = v;
		} else if ((v = dpkg_field_value(line, "Architecture"))) {
			p.arch = v;
		} else if ((v = dpkg_field_value(line, "Source"))) {
			p.source = v;
		} else if ((v = dpkg_field_value(line, "Maintainer"))) {
			p.maintainer = v;
		} else if ((v = dpkg_field_value(line, "Homepage"))) {
			p.homepage = v;
		}
	}
}

/* --- diversions, os-release, /usr-merge ---------------------------------------------- */
static int parse_diversions(struct resolve_dpkg *r)
{
	char path[PATH_MAX], *cur, *l[3];
	int rc = root_path(r, path, sizeof(path), "/var/lib/dpkg/diversions");

	if (rc < 0)
		return rc;
	if (!(r->divbuf = read_all(AT_FDCWD, path, NULL)))
		return errno == ENOENT ? 0 : -errno;
	cur = r->divbuf;
	for (;;) {
		for (int i = 0; i < 3; i++)
			if (!(l[i] = dpkg_next_line(&cur)))
				return 0;
		struct diversion *d = realloc(r->div, (r->ndiv + 1) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		r->div = d;
		r->div[r->ndiv] = (struct diversion){ l[0], l[1], l[2] };
		for (int i = 0; i < 2; i++) {
			size_t len = strlen(l[i]);
			const char *k = canon(r, l[i], &len);
			if ((rc = dpkg_ht_add(&r->divs, k, len, r->ndiv * 2 + (uint32_t)i)) < 0)
				return rc;
		}
		r->ndiv++;
	}
}

static void parse_os_release(struct resolve_dpkg *r)
{
	char path[PATH_MAX], *buf = NULL, *cur, *line, *v;
	const char *id = NULL, *ver = NULL, *code = NULL;

	if (root_path(r, path, sizeof(path), "/etc/os-release") == 0)
		buf = read_all(AT_FDCWD, path, NULL);
	if (!buf && root_path(r, path, sizeof(path), "/usr/lib/os-release") == 0)
		buf = read_all(AT_FDCWD, path, NULL);
	for (cur = buf; (line = dpkg_next_line(&cur));) {
		if (!(v = strchr(line, '=')))
			continue;
		*v++ = 0;
		if (*v == '"' || *v == '\'') {
			char *q = strchr(v + 1, *v);
			if (q)
				*q = 0;
			v++;
		}
		if (!strcmp(line, "ID"))
			id = v;
		else if (!strcmp(line, "VERSION_ID"))
			ver = v;
		else if (!strcmp(line, "VERSION_CODENAME"))
			code = v;
	}
	snprintf(r->osid, sizeof(r->osid), "%s", id && *id ? id : "debian");
	if (id && *id && (ver || code))
		snprintf(r->distro, sizeof(r->distro), "%s-%s", id, ver ? ver : code);
	free(buf);
}

static void detect_usrmerge(struct resolve_dpkg *r)
{
	char a[PATH_MAX], b[PATH_MAX], usr[32];
	struct stat sa, sb;

	for (size_t i = 0; i < NMERGED; i++) {
		snprintf(usr, sizeof(usr), "/usr%s", merged_dirs[i]);
		r->merged[i] = root_path(r, a, sizeof(a), merged_dirs[i]) == 0 &&
			       root_path(r, b, sizeof(b), usr) == 0 && stat(a, &sa) == 0 &&
			       stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	}
}

int resolve_dpkg_load(struct resolve_dpkg **out, const char *root)
{
	struct resolve_dpkg *r = calloc(1, sizeof(*r));
	char real[PATH_MAX];
	int rc = -ENOMEM;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	if (!realpath(root && *root ? root : "/", real)) {
		rc = -errno;
		goto fail;
	}
	if (!(r->root = strdup(strcmp(real, "/") ? real : "")))
		goto fail;
	detect_usrmerge(r);
	if ((rc = parse_status(r)) < 0 || (rc = parse_diversions(r)) < 0)
		goto fail;
	parse_os_release(r);
	*out = r;
	return 0;
fail:
	resolve_dpkg_free(r);
	return rc;
}

/* --- the path index ------------------------------------------------------------------- */
/* The package a .list file stem ("libc6:amd64" or "bash") stands for, or -1. */
static long pkg_of_stem(const struct resolve_dpkg *r, const char *stem, size_t len)
{
	const char *colon = memchr(stem, ':', len);
	long i = dpkg_ht_find(&r->names, stem, colon ? (size_t)(colon - stem) : len);

	for (; i >= 0; i = (long)r->names.e[i].next - 1) {
		const char *arch = r->pkgs[r->names.e[i].val].pub.arch;
		if (!colon || (strlen(arch) == len - (size_t)(colon - stem) - 1 &&
			       memcmp(arch, colon + 1, strlen(arch)) == 0))
			return r->names.e[i].val;
	}
	return -1;
}

/* Adds every path of a .list buffer (split in place) as owned by pkg.  Lines go in batches
 * whose slots are prefetched first: the index is far larger than the caches, and waiting
 * for one slot at a time is most of the indexing time. */
static int index_buf(struct resolve_dpkg *r, char *buf, uint32_t pkg)
{
	enum { BATCH = 16 };
	struct { const char *k; size_t len; uint32_t h; } b[BATCH];
	char *cur = buf, *line = buf;
	int n, rc;

	while (line) {
		for (n = 0; n < BATCH && (line = dpkg_next_line(&cur));) {
			b[n].len = strlen(line);
			b[n].k = canon(r, line, &b[n].len);
			if (*b[n].k != '/')
				continue;
			b[n].h = dpkg_hash_bytes(b[n].k, b[n].len);
			if (r->paths.slot)
				__builtin_prefetch(&r->paths.slot[b[n].h & r->paths.mask]);
			n++;
		}
		for (int i = 0; i < n; i++)
			if ((rc = dpkg_ht_add_h(&r->paths, b[i].k, b[i].len, b[i].h, pkg)) < 0)
				return rc;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the .list files in dir d, sorted, into names. */
static int list_names(DIR *d, struct strvec *names)
{
	struct dirent *de;

	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *s;
		if (n <= 5 || strcmp(de->d_name + n - 5, ".list") != 0)
			continue;
		if (!(s = strdup(de->d_name)) || strvec_push(names, s) < 0) {
			free(s);
			return -ENOMEM;
		}
	}
	qsort(names->v, names->n, sizeof(*names->v), cmp_str);
	return 0;
}

/* Reads every .list of an installed package (in name order) into r->bufs, their packages
 * into pkg_of[] (max entries), and sizes the index for their lines. */
static int read_lists(struct resolve_dpkg *r, DIR *d, uint32_t *pkg_of, size_t max)
{
	struct strvec names = { 0 };
	size_t lines = 0;
	int rc = list_names(d, &names);

	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		long p = pkg_of_stem(r, names.v[i], strlen(names.v[i]) - 5);
		char *buf = p < 0 ? NULL : read_all(dirfd(d), names.v[i], NULL);
		if (p >= 0 && !buf && errno != ENOENT)
			rc = -errno;
		if (!buf)
			continue;
		if (r->bufs.n == max || (rc = strvec_push(&r->bufs, buf)) < 0) {
			free(buf);
			rc = rc ? rc : -EAGAIN; /* the directory grew since it was counted */
			break;
		}
		pkg_of[r->bufs.n - 1] = (uint32_t)p;
		for (const char *c = buf; (c = strchr(c, '\n')); c++)
			lines++;
	}
	if (rc == 0 && lines < UINT32_MAX / 4)
		rc = dpkg_ht_reserve(&r->paths, (uint32_t)lines);
	strvec_release(&names);
	return rc;
}

int resolve_dpkg_index(struct resolve_dpkg *r)
{
	char path[PATH_MAX];
	uint32_t *pkg_of = NULL;
	DIR *d = NULL;
	long n;
	int rc;

	if (r->indexed)
		return 0;
	if ((rc = root_path(r, path, sizeof(path), "/var/lib/dpkg/info")) < 0)
		return rc;
	if (!(d = opendir(path)))
		return -errno;
	for (n = 0; readdir(d); n++)
		;
	rewinddir(d);
	if (!(pkg_of = calloc((size_t)n, sizeof(*pkg_of)))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = read_lists(r, d, pkg_of, (size_t)n)) < 0)
		goto out;
	for (size_t i = 0; i < r->bufs.n; i++)
		if ((rc = index_buf(r, r->bufs.v[i], pkg_of[i])) < 0)
			goto out;
	r->indexed = 1;
out:
	if (!r->indexed) {
		dpkg_ht_release(&r->paths);
		strvec_release(&r->bufs);
		memset(&r->bufs, 0, sizeof(r->bufs));
	}
	free(pkg_of);
	closedir(d);
	return rc;
}

unsigned long resolve_dpkg_npaths(const struct resolve_dpkg *r)
{
	return r->paths.heads;
}

/* Maps the real path of every symlinked directory holding listed entries to its listed
 * spelling.  Best effort: on failure lookups just find fewer paths. */
static void build_dirlinks(struct resolve_dpkg *r)
{
	struct htab parents = { 0 };
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	const char *prev = "";
	size_t prevlen = 0;

	r->dirlinks_built = 1;
	for (uint32_t i = 0; i < r->paths.n; i++) { /* in .list order: siblings are adjacent */
		const struct hent *e = &r->paths.e[i];
		const char *slash = memrchr(e->k, '/', e->len);
		size_t plen = slash ? (size_t)(slash - e->k) : 0, rlen;
		if (plen == 0 || (plen == prevlen && memcmp(e->k, prev, plen) == 0))
			continue;
		prev = e->k;
		prevlen = plen;
		if (dpkg_ht_find(&parents, e->k, plen) >= 0)
			continue;
		if (dpkg_ht_add(&parents, e->k, plen, 0) < 0)
			break;
		if (snprintf(path, sizeof(path), "%s%.*s", r->root, (int)plen, e->k) >=
			    (int)sizeof(path) ||
		    lstat(path, &st) < 0 || !S_ISLNK(st.st_mode) || !realpath(path, real))
			continue;
		rlen = strlen(r->root);
		if (strncmp(real, r->root, rlen) != 0 || (real[rlen] && real[rlen] != '/'))
			continue;
		const char *rp = real[rlen] ? real + rlen : "/";
		size_t len = strlen(rp);
		rp = canon(r, rp, &len);
		if (len == plen && memcmp(rp, e->k, plen) == 0)
			continue;
		char *a = strndup(rp, len), *b = strndup(e->k, plen);
		if (!a || !b || strvec_push(&r->dl, a) < 0) {
			free(a);
			free(b);
			break;
		}
		if (strvec_push(&r->dl, b) < 0) {
			free(b);
			free(r->dl.v[--r->dl.n]);
			break;
		}
		if (dpkg_ht_add(&r->dirlinks, a, len, (uint32_t)(r->dl.n - 2)) < 0)
			break;
	}
	dpkg_ht_release(&parents);
}

/* First package listing path entry e (and its chain) whose name is name (is_name 1) or is
 * not name (is_name 0); name NULL: the first package. */
static struct pkg *chain_owner(struct resolve_dpkg *r, long e, const char *name, int is_name)
{
	for (; e >= 0; e = (long)r->paths.e[e].next - 1) {
		struct pkg *p = &r->pkgs[r->paths.e[e].val];
		if (!name || (strcmp(p->pub.name, name) == 0) == is_name)
			return p;
	}
	return NULL;
}

/* Owner of canonical path k, diversions applied. */
static struct pkg *owner(struct resolve_dpkg *r, const char *k, size_t len)
{
	long e = dpkg_ht_find(&r->paths, k, len);

	for (long d = dpkg_ht_find(&r->divs, k, len); d >= 0; d = (long)r->divs.e[d].next - 1) {
		const struct diversion *dv = &r->div[r->divs.e[d].val / 2];
		int local = strcmp(dv->by, ":") == 0;
		if (r->divs.e[d].val % 2) { /* k is where other packages' copy of from went */
			size_t flen = strlen(dv->from);
			const char *f = canon(r, dv->from, &flen);
			struct pkg *p = chain_owner(r, dpkg_ht_find(&r->paths, f, flen),
						    local ? NULL : dv->by, 0);
			if (p)
				return p;
		} else {
			return local ? NULL : chain_owner(r, e, dv->by, 1);
		}
	}
	return chain_owner(r, e, NULL, 0);
}

static struct pkg *owner_via_dirlinks(struct resolve_dpkg *r, const char *k, size_t len)
{
	char buf[PATH_MAX];

	if (!r->dirlinks_built)
		build_dirlinks(r);
	for (size_t plen = len; plen-- > 1;) { /* each directory prefix, longest first */
		long d = k[plen] == '/' ? dpkg_ht_find(&r->dirlinks, k, plen) : -1;
		if (d < 0)
			continue;
		const char *listed = r->dl.v[r->dirlinks.e[d].val + 1];
		int n = snprintf(buf, sizeof(buf), "%s%s", listed, k + plen);
		struct pkg *p = n > 0 && n < (int)sizeof(buf) ? owner(r, buf, (size_t)n) : NULL;
		if (p)
			return p;
	}
	return NULL;
}

static char *pkg_license(const struct resolve_dpkg *r, const char *name)
{
	char path[PATH_MAX], *text, *lic;
	int n = snprintf(path, sizeof(path), "%s/usr/share/doc/%s/copyright", r->root, name);

	if (n < 0 || n >= (int)sizeof(path) || !(text = read_all(AT_FDCWD, path, NULL)))
		return NULL;
	lic = dpkg_text_dep5_license(text);
	free(text);
	return lic;
}

static const struct dpkg_pkg *ready(struct resolve_dpkg *r, struct pkg *p)
{
	if (p && !p->ready) {
		p->ready = 1;
		p->pub.license = p->license = pkg_license(r, p->pub.name);
		p->pub.purl = p->purl = dpkg_text_purl(&p->pub, r->osid, r->distro);
		p->pub.cpe = p->cpe = dpkg_text_cpe(&p->pub);
	}
	return p ? &p->pub : NULL;
}

const struct dpkg_pkg *resolve_dpkg_lookup(struct resolve_dpkg *r, const char *abspath)
{
	size_t len = strlen(abspath);
	const char *k = canon(r, abspath, &len);
	struct pkg *p;
	int rc = resolve_dpkg_index(r);

	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	if (!(p = owner(r, k, len)))
		p = owner_via_dirlinks(r, k, len);
	errno = 0;
	return ready(r, p);
}

const struct dpkg_pkg *resolve_dpkg_package(struct resolve_dpkg *r, const char *name,
					    const char *arch)
{
	for (long i = dpkg_ht_find(&r->names, name, strlen(name)); i >= 0;
	     i = (long)r->names.e[i].next - 1) {
		struct pkg *p = &r->pkgs[r->names.e[i].val];
		if (!arch || strcmp(p->pub.arch, arch) == 0)
			return ready(r, p);
	}
	return NULL;
}

void resolve_dpkg_free(struct resolve_dpkg *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].license);
		free(r->pkgs[i].purl);
		free(r->pkgs[i].cpe);
	}
	free(r->pkgs);
	dpkg_ht_release(&r->names);
	dpkg_ht_release(&r->divs);
	dpkg_ht_release(&r->paths);
	dpkg_ht_release(&r->dirlinks);
	strvec_release(&r->bufs);
	strvec_release(&r->dl);
	free(r->div);
	free(r->divbuf);
	free(r->status);
	free(r->root);
	free(r);
}
