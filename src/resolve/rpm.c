/*
 * rpm.c - file path -> RPM package, through librpm: the database under a root is opened
 * read-only once, each lookup is one RPMDBI_INSTFILENAMES query, and each package is turned
 * into a struct rpm_pkg once (cached by its database record number).
 */
#include "asbuilt/resolve_rpm.h"
#include "asbuilt/map.h"
#include "asbuilt/purl.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/spdxlic.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXOWN 16

struct pkg {
	struct rpm_pkg pub;
	char *own[MAXOWN]; /* every string pub points at */
	int nown, oom;
};

static const char *const merged_dirs[] = { "/bin", "/sbin", "/lib", "/lib64" };

struct resolve_rpm {
	char *root; /* real path of root without trailing '/': "" for "/" */
	rpmts ts;
	struct u64map pkgs; /* database record number -> struct pkg * */
	char osid[64], distro[160];
	int merged[NELEM(merged_dirs)];
};

/* Where rpm databases live, relative to root, newest layout first. */
static const struct {
	const char *dir, *file, *backend;
} dbs[] = {
	{ "/usr/lib/sysimage/rpm", "rpmdb.sqlite", "sqlite" },
	{ "/var/lib/rpm", "rpmdb.sqlite", "sqlite" },
	{ "/usr/lib/sysimage/rpm", "Packages", "bdb_ro" },
	{ "/var/lib/rpm", "Packages", "bdb_ro" },
	{ "/usr/lib/sysimage/rpm", "Packages.db", "ndb" },
	{ "/var/lib/rpm", "Packages.db", "ndb" },
};

/* --- librpm's process-wide state --------------------------------------------------------- */
static int discard_log(rpmlogRec rec, rpmlogCallbackData data)
{
	return 0; /* not RPMLOG_DEFAULT: librpm prints nothing */
}

static void init_librpm(void)
{
	rpmlogSetCallback(discard_log, NULL);
	/* Failure (no rpm-common) is survivable: the database path and backend are set below. */
	(void)rpmReadConfigFiles(NULL, NULL);
}

/* Opens the database in root + dir with backend, read-only.  Returns 0 or -EIO. */
static int open_db(struct resolve_rpm *r, const char *dir, const char *backend)
{
	int rc;

	rpmPushMacro(NULL, "_dbpath", NULL, dir, RMIL_CMDLINE);
	rpmPushMacro(NULL, "_db_backend", NULL, backend, RMIL_CMDLINE);
	rc = rpmtsOpenDB(r->ts, O_RDONLY);
	rpmPopMacro(NULL, "_db_backend");
	rpmPopMacro(NULL, "_dbpath");
	return rc == 0 ? 0 : -EIO;
}

/* --- the root: database, os-release, /usr-merge ------------------------------------------ */
static char *root_path(const struct resolve_rpm *r, const char *rel)
{
	char *p;
	return asprintf(&p, "%s%s", r->root, rel) < 0 ? NULL : p;
}

static int find_db(const struct resolve_rpm *r)
{
	for (size_t i = 0; i < NELEM(dbs); i++) {
		char rel[64], *path;
		struct stat st;
		snprintf(rel, sizeof(rel), "%s/%s", dbs[i].dir, dbs[i].file);
		if (!(path = root_path(r, rel)))
			return -ENOMEM;
		int found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (found)
			return (int)i;
	}
	return -ENOENT;
}

static void detect_usrmerge(struct resolve_rpm *r)
{
	for (size_t i = 0; i < NELEM(merged_dirs); i++) {
		char usr[16], *a = root_path(r, merged_dirs[i]), *b;
		struct stat sa, sb;
		snprintf(usr, sizeof(usr), "/usr%s", merged_dirs[i]);
		b = root_path(r, usr);
		r->merged[i] = a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
			       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
		free(a);
		free(b);
	}
}

/* ID and VERSION_ID of root's os-release into r->osid (lowercased) and r->distro. */
static void parse_os_release(struct resolve_rpm *r)
{
	static const char *const where[] = { "/etc/os-release", "/usr/lib/os-release" };
	char line[512], id[64] = "", ver[64] = "";
	FILE *f = NULL;

	for (size_t i = 0; !f && i < NELEM(where); i++) {
		char *path = root_path(r, where[i]);
		f = path ? fopen(path, "re") : NULL;
		free(path);
	}
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '='), *end;
		if (!v)
			continue;
		*v++ = 0;
		v[strcspn(v, "\r\n")] = 0;
		if ((*v == '"' || *v == '\'') && (end = strchr(v + 1, *v))) {
			*end = 0;
			v++;
		}
		if (!strcmp(line, "ID"))
			snprintf(id, sizeof(id), "%s", v);
		else if (!strcmp(line, "VERSION_ID"))
			snprintf(ver, sizeof(ver), "%s", v);
	}
	if (f)
		fclose(f);
	for (char *c = id; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	snprintf(r->osid, sizeof(r->osid), "%s", id);
	if (*id && *ver)
		snprintf(r->distro, sizeof(r->distro), "%s-%s", id, ver);
}

int resolve_rpm_load(struct resolve_rpm **out, const char *root)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct resolve_rpm *r = calloc(1, sizeof(*r));
	char real[PATH_MAX];
	int rc = -ENOMEM, db;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	if (!realpath(root && *root ? root : "/", real)) {
		rc = -errno;
		goto fail;
	}
	if (!(r->root = strdup(strcmp(real, "/") ? real : "")))
		goto fail;
	if ((rc = db = find_db(r)) < 0)
		goto fail;
	rc = -ENOTSUP; /* Debian's librpm has no ndb: it would quietly read an empty database */
	if (strcmp(dbs[db].backend, "ndb") == 0)
		goto fail;
	pthread_once(&once, init_librpm);
	rc = -ENOMEM;
	if (!(r->ts = rpmtsCreate()))
		goto fail;
	rc = -EIO;
	if (rpmtsSetRootDir(r->ts, real) != 0)
		goto fail;
	/* Reading needs no signature or digest checks, hence no keyring. */
	rpmtsSetVSFlags(r->ts, RPMVSF_MASK_NODIGESTS | RPMVSF_MASK_NOSIGNATURES);
	if ((rc = open_db(r, dbs[db].dir, dbs[db].backend)) < 0)
		goto fail;
	detect_usrmerge(r);
	parse_os_release(r);
	*out = r;
	return 0;
fail:
	resolve_rpm_free(r);
	return rc;
}

/* --- one package from its header --------------------------------------------------------- */
/* Takes ownership of s (which may be NULL) and returns it. */
static const char *keep(struct pkg *p, char *s)
{
	if (s && p->nown < MAXOWN)
		return p->own[p->nown++] = s;
	free(s);
	return NULL;
}

/* A copy of a string tag, or NULL when h has none (or out of memory: p->oom). */
static const char *tag_str(struct pkg *p, Header h, rpmTagVal tag)
{
	const char *s = headerGetString(h, tag);
	char *c = s ? strdup(s) : NULL;
	p->oom |= s && !c;
	return keep(p, c);
}

/* h formatted with fmt (headerFormat's query format), owned by p. */
static const char *tag_fmt(struct pkg *p, Header h, const char *fmt)
{
	errmsg_t err = NULL;
	char *s = headerFormat(h, fmt, &err);
	p->oom |= !s;
	return keep(p, s);
}

/* "bash-5.2.15-5.fc39.src.rpm" -> "bash", owned by p; NULL when srpm is NULL. */
static const char *source_name(struct pkg *p, const char *srpm)
{
	static const char *const sfx[] = { ".src.rpm", ".nosrc.rpm" };
	size_t n = srpm ? strlen(srpm) : 0;

	if (!srpm)
		return NULL;
	for (size_t i = 0; i < NELEM(sfx); i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && strcmp(srpm + n - k, sfx[i]) == 0)
			n -= k;
	}
	for (int dashes = 0; dashes < 2; dashes++) { /* drop -RELEASE, then -VERSION */
		const char *d = memrchr(srpm, '-', n);
		if (!d || d == srpm)
			break;
		n = (size_t)(d - srpm);
	}
	char *s = strndup(srpm, n);
	p->oom |= !s;
	return keep(p, s);
}

/* S(x): x and its length, for purl_enc()/cpe_enc(). */
#define S(x) (x), strlen(x)

static char *make_purl(const struct resolve_rpm *r, const struct rpm_pkg *p, const char *vr)
{
	struct sb b = { 0 };
	const char *sep = "?";

	sb_puts(&b, "pkg:rpm/");
	if (*r->osid) {
		purl_enc(&b, S(r->osid), 0);
		sb_puts(&b, "/");
	}
	purl_enc(&b, S(p->name), 0);
	sb_puts(&b, "@");
	purl_enc(&b, S(vr), 0);
	if (*p->arch) { /* qualifiers sorted by key, as the canonical form wants */
		sb_puts(&b, "?arch=");
		purl_enc(&b, S(p->arch), 0);
		sep = "&";
	}
	if (*r->distro) {
		sb_puts(&b, sep);
		sb_puts(&b, "distro=");
		purl_enc(&b, S(r->distro), 0);
		sep = "&";
	}
	if (p->epoch) {
		sb_puts(&b, sep);
		sb_puts(&b, "epoch=");
		purl_enc(&b, S(p->epoch), 0);
	}
	return sb_done(&b);
}

static char *make_cpe(const char *source, const char *upstream)
{
	struct sb b = { 0 };

	sb_puts(&b, "cpe:2.3:a:");
	cpe_enc(&b, S(source));
	sb_puts(&b, ":");
	cpe_enc(&b, S(source));
	sb_puts(&b, ":");
	cpe_enc(&b, S(upstream));
	sb_puts(&b, ":*:*:*:*:*:*:*");
	return sb_done(&b);
}

static void pkg_free(struct pkg *p)
{
	for (int i = 0; p && i < p->nown; i++)
		free(p->own[i]);
	free(p);
}

static struct pkg *pkg_new(const struct resolve_rpm *r, Header h)
{
	struct pkg *p = calloc(1, sizeof(*p));
	struct rpm_pkg *q = p ? &p->pub : NULL;

	if (!p)
		return NULL;
	q->name = tag_str(p, h, RPMTAG_NAME);
	if (headerIsEntry(h, RPMTAG_EPOCH))
		q->epoch = tag_fmt(p, h, "%{EPOCH}");
	q->version = tag_fmt(p, h, "%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}");
	const char *vr = tag_fmt(p, h, "%{VERSION}-%{RELEASE}");
	const char *upstream = tag_fmt(p, h, "%{VERSION}");
	q->arch = headerIsEntry(h, RPMTAG_ARCH) ? tag_str(p, h, RPMTAG_ARCH) : "";
	q->source_rpm = tag_str(p, h, RPMTAG_SOURCERPM);
	q->source = q->source_rpm ? source_name(p, q->source_rpm) : q->name;
	q->vendor = tag_str(p, h, RPMTAG_VENDOR);
	q->homepage = tag_str(p, h, RPMTAG_URL);
	q->license_tag = tag_str(p, h, RPMTAG_LICENSE);
	if (q->license_tag)
		p->oom |= !(q->license = keep(p, spdxlic_normalize(q->license_tag)));
	if (!p->oom && q->name && q->version && vr && upstream && q->arch && q->source) {
		p->oom |= !(q->purl = keep(p, make_purl(r, q, vr)));
		p->oom |= !(q->cpe = keep(p, make_cpe(q->source, upstream)));
	}
	if (p->oom || !q->name || !q->version || !q->purl) {
		errno = p->oom ? ENOMEM : EINVAL; /* EINVAL: no NAME, VERSION or RELEASE */
		pkg_free(p);
		return NULL;
	}
	return p;
}

/* The cached package of header h, made on first use; NULL with errno set. */
static struct pkg *pkg_of(struct resolve_rpm *r, Header h)
{
	uint64_t key = headerGetInstance(h);
	struct pkg *p = u64map_get(&r->pkgs, key);

	if (p)
		return p;
	if (!(p = pkg_new(r, h)))
		return NULL;
	if (u64map_put(&r->pkgs, key, p) < 0) {
		pkg_free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* --- lookups ----------------------------------------------------------------------------- */
/* 1 when file number num of h is exactly path (directory and basename as strings). */
static int file_is(Header h, unsigned int num, const char *path)
{
	struct rpmtd_s bn, dn, di;
	const char *slash = strrchr(path, '/'), *b = NULL, *d = NULL;
	const uint32_t *dix = NULL;
	int ok = headerGet(h, RPMTAG_BASENAMES, &bn, HEADERGET_MINMEM);

	ok &= headerGet(h, RPMTAG_DIRNAMES, &dn, HEADERGET_MINMEM);
	ok &= headerGet(h, RPMTAG_DIRINDEXES, &di, HEADERGET_MINMEM);
	if (ok && rpmtdSetIndex(&bn, (int)num) >= 0 && rpmtdSetIndex(&di, (int)num) >= 0 &&
	    (b = rpmtdGetString(&bn)) && (dix = rpmtdGetUint32(&di)) &&
	    rpmtdSetIndex(&dn, (int)*dix) >= 0)
		d = rpmtdGetString(&dn); /* with its trailing '/' */
	ok = d && slash && strlen(d) == (size_t)(slash - path + 1) &&
	     strncmp(d, path, strlen(d)) == 0 && strcmp(b, slash + 1) == 0;
	rpmtdFreeData(&bn);
	rpmtdFreeData(&dn);
	rpmtdFreeData(&di);
	return ok;
}

/*
 * The first package owning exactly path; NULL with errno 0 when none.  librpm's file
 * lookup matches directories by fingerprint (device and inode) on the live filesystem, as
 * if chrooted into root; unprivileged and with root != "/" that is the host's tree, where
 * /lib -> usr/lib would make /usr/lib/x match a package's /lib/x.  So its candidates (same
 * basename, installed state) are kept only when the path is the same string.
 */
static struct pkg *owner(struct resolve_rpm *r, const char *path)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(r->ts, RPMDBI_INSTFILENAMES, path, 0);
	struct pkg *p = NULL;
	Header h;

	errno = 0;
	while (mi && (h = rpmdbNextIterator(mi)))
		if (file_is(h, rpmdbGetIteratorFileNum(mi), path)) {
			p = pkg_of(r, h);
			break;
		}
	rpmdbFreeIterator(mi);
	return p;
}

/* The other spelling of path under /usr-merge into buf, or NULL when it has none. */
static const char *merged_alias(const struct resolve_rpm *r, const char *path, char *buf,
				size_t n)
{
	int usr = strncmp(path, "/usr/", 5) == 0;
	const char *rest = usr ? path + 4 : path;

	for (size_t i = 0; i < NELEM(merged_dirs); i++) {
		size_t k = strlen(merged_dirs[i]);
		if (!r->merged[i] || strncmp(rest, merged_dirs[i], k) != 0 ||
		    (rest[k] && rest[k] != '/'))
			continue;
		int w = snprintf(buf, n, "%s%s", usr ? "" : "/usr", rest);
		return w > 0 && (size_t)w < n ? buf : NULL;
	}
	return NULL;
}

const struct rpm_pkg *resolve_rpm_lookup(struct resolve_rpm *r, const char *abspath)
{
	char buf[PATH_MAX];
	const char *alias;
	struct pkg *p = owner(r, abspath);

	if (!p && errno == 0 && (alias = merged_alias(r, abspath, buf, sizeof(buf))))
		p = owner(r, alias);
	return p ? &p->pub : NULL;
}

const struct rpm_pkg *resolve_rpm_package(struct resolve_rpm *r, const char *name,
					  const char *arch)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(r->ts, RPMDBI_NAME, name, 0);
	struct pkg *p = NULL;
	Header h;

	while (mi && (h = rpmdbNextIterator(mi))) {
		const char *a = headerGetString(h, RPMTAG_ARCH);
		if (!arch || (a && strcmp(a, arch) == 0)) {
			p = pkg_of(r, h);
			break;
		}
	}
	rpmdbFreeIterator(mi);
	return p ? &p->pub : NULL;
}

static void free_one(uint64_t key, void *value, void *ctx)
{
	pkg_free(value);
}

void resolve_rpm_free(struct resolve_rpm *r)
{
	if (!r)
		return;
	u64map_each(&r->pkgs, free_one, NULL);
	u64map_release(&r->pkgs);
	if (r->ts)
		rpmtsFree(r->ts);
	free(r->root);
	free(r);
}
