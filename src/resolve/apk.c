/*
 * apk.c - file path -> Alpine package, from apk's installed database (a text format with no
 * C library, parsed here); and spdxlic_normalize(), the SPDX form of a distribution's
 * license field, which the rpm resolver shares.  The database is read whole into one buffer
 * that stays alive; package fields point into it.
 */
#include "asbuilt/resolve_apk.h"
#include "asbuilt/purl.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/spdxlic.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#include "asbuilt/map.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


/* --- the resolver ----------------------------------------------------------------------- */
struct pkg {
	struct apk_pkg pub;
	char *license, *purl, *cpe; /* owned; pub points at them */
};

static const char *const merged_dirs[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64" };

struct resolve_apk {
	char *root; /* real path of root without trailing '/': "" for "/" */
	char *db;   /* the installed database; package fields point into it */
	struct pkg *pkgs;
	size_t npkgs, cap;
	struct strmap names; /* name -> index + 1 */
	struct strmap paths; /* canonical path -> index + 1 of the first package listing it */
	char osid[64], distro[160];
	int merged[NELEM(merged_dirs)];
};

/* root + rel, malloc'd; NULL with errno set. */
static char *in_root(const struct resolve_apk *r, const char *rel)
{
	char *p;
	return asprintf(&p, "%s%s", r->root, rel) < 0 ? (errno = ENOMEM, NULL) : p;
}

/* The file at root + rel, whole and NUL-terminated, or NULL with errno set. */
static char *read_file(const struct resolve_apk *r, const char *rel)
{
	char *path = in_root(r, rel), *buf = NULL;
	FILE *f = path ? fopen(path, "re") : NULL;
	struct stat st;
	int e;

	if (f && fstat(fileno(f), &st) == 0 && (buf = malloc((size_t)st.st_size + 1)))
		buf[fread(buf, 1, (size_t)st.st_size, f)] = 0;
	if (f && buf && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	e = errno;
	if (f)
		fclose(f);
	free(path);
	errno = e;
	return buf;
}

/* Cuts the next line off *cur (in place, "\r\n" too) and returns it, or NULL at the end. */
static char *next_line(char **cur)
{
	char *s = *cur, *nl;
	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl)
		*nl++ = 0;
	*cur = nl;
	size_t n = strlen(s);
	if (n && s[n - 1] == '\r')
		s[n - 1] = 0;
	return s;
}

/* The spelling of p used as index key: /usr/lib/x is keyed as /lib/x when /lib is merged. */
static const char *canon(const struct resolve_apk *r, const char *p)
{
	for (size_t i = 0; strncmp(p, "/usr/", 5) == 0 && i < NELEM(merged_dirs); i++) {
		size_t n = strlen(merged_dirs[i]);
		if (r->merged[i] && strncmp(p + 4, merged_dirs[i], n) == 0 &&
		    (!p[4 + n] || p[4 + n] == '/'))
			return p + 4;
	}
	return p;
}

static void detect_usrmerge(struct resolve_apk *r)
{
	for (size_t i = 0; i < NELEM(merged_dirs); i++) {
		char *a = in_root(r, merged_dirs[i]), *usr = NULL, *b = NULL;
		struct stat sa, sb;
		if (a && asprintf(&usr, "/usr%s", merged_dirs[i]) >= 0)
			b = in_root(r, usr);
		r->merged[i] = b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
			       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
		free(a);
		free(usr);
		free(b);
	}
}

static void parse_os_release(struct resolve_apk *r)
{
	char *buf = read_file(r, "/etc/os-release"), *cur, *line, *v;
	const char *id = NULL, *ver = NULL;

	if (!buf)
		buf = read_file(r, "/usr/lib/os-release");
	for (cur = buf; (line = next_line(&cur));) {
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
	}
	snprintf(r->osid, sizeof(r->osid), "%s", id && *id ? id : "alpine");
	for (char *c = r->osid; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (id && *id && ver && *ver)
		snprintf(r->distro, sizeof(r->distro), "%s-%s", r->osid, ver);
	free(buf);
}

static int new_pkg(struct resolve_apk *r)
{
	if (r->npkgs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct pkg *v = realloc(r->pkgs, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->pkgs = v;
		r->cap = cap;
	}
	r->pkgs[r->npkgs++] = (struct pkg){ .pub = { 0 } };
	return 0;
}

/* Indexes dir/file (dir relative to root, NULL or "" for root itself) for package i. */
static int add_path(struct resolve_apk *r, const char *dir, const char *file, size_t i)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "/%s%s%s", dir ? dir : "", dir && *dir ? "/" : "",
			 file);
	const char *k = canon(r, path);

	if (n < 0 || n >= (int)sizeof(path))
		return 0; /* no real path is this long */
	if (strmap_get(&r->paths, k))
		return 0;
	return strmap_put(&r->paths, k, (void *)(uintptr_t)(i + 1));
}

static int parse_db(struct resolve_apk *r)
{
	char *cur = r->db, *line, *dir = NULL;
	int in_para = 0, rc = 0;

	while (rc == 0 && (line = next_line(&cur))) {
		if (!*line) {
			in_para = 0;
			continue;
		}
		if (!in_para) { /* a new package */
			if ((rc = new_pkg(r)) < 0)
				break;
			in_para = 1;
			dir = NULL;
		}
		if (line[1] != ':')
			continue;
		struct apk_pkg *p = &r->pkgs[r->npkgs - 1].pub;
		char *v = line + 2;
		switch (line[0]) {
		case 'P': p->name = v; break;
		case 'V': p->version = v; break;
		case 'A': p->arch = v; break;
		case 'L': p->license_tag = v; break;
		case 'o': p->source = v; break;
		case 'm': p->maintainer = v; break;
		case 'U': p->homepage = v; break;
		case 'F': dir = v; break;
		case 'R': rc = add_path(r, dir, v, r->npkgs - 1); break;
		}
	}
	return rc;
}

static char *make_purl(const struct resolve_apk *r, const struct apk_pkg *p)
{
	struct sb b = { 0 };
	sb_puts(&b, "pkg:apk/");
	purl_enc(&b, r->osid, strlen(r->osid), 1);
	sb_puts(&b, "/");
	purl_enc(&b, p->name, strlen(p->name), 1);
	sb_puts(&b, "@");
	purl_enc(&b, p->version, strlen(p->version), 0);
	sb_puts(&b, "?arch=");
	purl_enc(&b, p->arch, strlen(p->arch), 0);
	if (*r->distro) {
		sb_puts(&b, "&distro=");
		purl_enc(&b, r->distro, strlen(r->distro), 0);
	}
	return sb_done(&b);
}

static char *make_cpe(const struct apk_pkg *p)
{
	struct sb b = { 0 };
	const char *v = p->version, *rel = strrchr(v, '-');
	size_t vlen = strlen(v);

	if (rel && rel[1] == 'r' && rel[2] && strspn(rel + 2, "0123456789") == strlen(rel + 2))
		vlen = (size_t)(rel - v); /* "-rN": Alpine's package release */
	sb_puts(&b, "cpe:2.3:a:");
	cpe_enc(&b, p->source, strlen(p->source));
	sb_puts(&b, ":");
	cpe_enc(&b, p->source, strlen(p->source));
	sb_puts(&b, ":");
	cpe_enc(&b, v, vlen);
	sb_puts(&b, ":*:*:*:*:*:*:*");
	return sb_done(&b);
}

/* Fills in the derived strings of every named package and indexes the names. */
static int finish(struct resolve_apk *r)
{
	for (size_t i = 0; i < r->npkgs; i++) {
		struct pkg *k = &r->pkgs[i];
		struct apk_pkg *p = &k->pub;
		if (!p->name || !*p->name)
			continue; /* not a package; lookups skip it */
		p->version = p->version ? p->version : "";
		p->arch = p->arch ? p->arch : "";
		p->source = p->source && *p->source ? p->source : p->name;
		if (p->license_tag && *p->license_tag &&
		    !(p->license = k->license = spdxlic_normalize(p->license_tag)))
			return -ENOMEM;
		if (!(p->purl = k->purl = make_purl(r, p)) || !(p->cpe = k->cpe = make_cpe(p)))
			return -ENOMEM;
		if (!strmap_get(&r->names, p->name) &&
		    strmap_put(&r->names, p->name, (void *)(uintptr_t)(i + 1)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int resolve_apk_load(struct resolve_apk **out, const char *root)
{
	struct resolve_apk *r = calloc(1, sizeof(*r));
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
	if (!(r->db = read_file(r, "/lib/apk/db/installed")) && (errno == ENOENT || errno == ENOTDIR))
		r->db = read_file(r, "/usr/lib/apk/db/installed");
	if (!r->db) {
		rc = errno == ENOTDIR ? -ENOENT : -errno;
		goto fail;
	}
	detect_usrmerge(r);
	parse_os_release(r);
	if ((rc = parse_db(r)) < 0 || (rc = finish(r)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	resolve_apk_free(r);
	return rc;
}

unsigned long resolve_apk_npaths(const struct resolve_apk *r)
{
	return r->paths.len;
}

static const struct apk_pkg *pkg_at(const struct resolve_apk *r, void *v)
{
	const struct pkg *p = v ? &r->pkgs[(uintptr_t)v - 1] : NULL;
	return p && p->pub.name && *p->pub.name ? &p->pub : NULL;
}

const struct apk_pkg *resolve_apk_lookup(struct resolve_apk *r, const char *abspath)
{
	const struct apk_pkg *p = pkg_at(r, strmap_get(&r->paths, canon(r, abspath)));
	errno = 0;
	return p;
}

const struct apk_pkg *resolve_apk_package(struct resolve_apk *r, const char *name)
{
	return pkg_at(r, strmap_get(&r->names, name));
}

void resolve_apk_free(struct resolve_apk *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npkgs; i++) {
		free(r->pkgs[i].license);
		free(r->pkgs[i].purl);
		free(r->pkgs[i].cpe);
	}
	free(r->pkgs);
	strmap_release(&r->names);
	strmap_release(&r->paths);
	free(r->db);
	free(r->root);
	free(r);
}
