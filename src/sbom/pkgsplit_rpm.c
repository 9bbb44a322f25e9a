/* pkgsplit_rpm.c - the binary .rpm files a recorded rpmbuild wrote, read with librpm, and
 * the BUILDROOT versions that are their files (see pkgsplit.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/header.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmts.h>

#include "asbuilt/map.h"
#include "asbuilt/pkgsplit.h"
#include "asbuilt/purl.h"
#include "asbuilt/sbuf.h"
#include "asbuilt/spdxlic.h"

#define BUILDROOT "/BUILDROOT/"

static int quiet(rpmlogRec rec, rpmlogCallbackData data)
{
	return 0; /* library code prints nothing */
}

static void init_librpm(void)
{
	rpmlogSetCallback(quiet, NULL);
	(void)rpmReadConfigFiles(NULL, NULL);
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* --- BUILDROOT paths ------------------------------------------------------------------------ */

/* Every version the build wrote under a BUILDROOT/<dir>/, by the path inside the buildroot
 * ("/usr/bin/hello" -> the version indices, in graph order, as a graph_ivec *). */
struct roots {
	struct strmap by_path;
	struct graph_ivec *vecs;
	size_t n;
};

static void roots_release(struct roots *r)
{
	for (size_t i = 0; i < r->n; i++)
		graph_ivec_release(&r->vecs[i]);
	free(r->vecs);
	strmap_release(&r->by_path);
}

static int roots_load(const struct graph *g, struct roots *r)
{
	for (size_t i = 0; i < g->nv; i++) {
		const char *p = strstr(g->v[i].path, BUILDROOT), *in;
		void *k;

		if (!p || !(in = strchr(p + strlen(BUILDROOT), '/')) ||
		    (g->v[i].flags & GRAPH_V_DIR))
			continue;
		if (!(k = strmap_get(&r->by_path, in))) { /* the map holds index + 1 */
			struct graph_ivec *nv = realloc(r->vecs, (r->n + 1) * sizeof(*nv));
			if (!nv)
				return -ENOMEM;
			r->vecs = nv;
			memset(&r->vecs[r->n++], 0, sizeof(r->vecs[0]));
			k = (void *)(intptr_t)r->n;
			if (strmap_put(&r->by_path, in, k))
				return -ENOMEM;
		}
		if (graph_ivec_push(&r->vecs[(intptr_t)k - 1], (int)i))
			return -ENOMEM;
	}
	return 0;
}

/* The version of the buildroot path in that is the package's file: the one whose sha256 is
 * digest (when given), else the newest one the build wrote; -1 when there is none. */
static int root_version(const struct graph *g, const struct roots *r, const char *in,
			const char *digest)
{
	void *k = strmap_get(&r->by_path, in);
	const struct graph_ivec *vec = k ? &r->vecs[(intptr_t)k - 1] : NULL;
	int best = -1;

	for (size_t j = 0; vec && j < vec->n; j++) {
		const struct graph_version *v = &g->v[vec->v[j]];

		if (digest && v->sha256 && !strcmp(v->sha256, digest))
			return vec->v[j];
		if (best < 0 || v->id > g->v[best].id)
			best = vec->v[j];
	}
	return best;
}

/* --- one .rpm -------------------------------------------------------------------------------- */

static char *tag(Header h, rpmTagVal t)
{
	const char *s = headerGetString(h, t);

	return s ? strdup(s) : NULL;
}

static char *rpm_purl(const char *osid, const char *distro, const char *name, const char *vr,
		      const char *arch, const char *epoch)
{
	struct sb b = { 0 };

	sb_puts(&b, "pkg:rpm/");
	purl_enc(&b, osid, strlen(osid), 1);
	sb_puts(&b, "/");
	purl_enc(&b, name, strlen(name), 0);
	sb_puts(&b, "@");
	purl_enc(&b, vr, strlen(vr), 0);
	sb_puts(&b, "?arch="); /* qualifiers sorted by key */
	purl_enc(&b, arch, strlen(arch), 0);
	if (*distro) {
		sb_puts(&b, "&distro=");
		purl_enc(&b, distro, strlen(distro), 0);
	}
	if (epoch) {
		sb_puts(&b, "&epoch=");
		purl_enc(&b, epoch, strlen(epoch), 0);
	}
	return sb_done(&b);
}

static char *rpm_cpe(const char *source, const char *upstream)
{
	struct sb b = { 0 };

	sb_puts(&b, "cpe:2.3:a:");
	cpe_enc(&b, source, strlen(source));
	sb_puts(&b, ":");
	cpe_enc(&b, source, strlen(source));
	sb_puts(&b, ":");
	cpe_enc(&b, upstream, strlen(upstream));
	sb_puts(&b, ":*:*:*:*:*:*:*");
	return sb_done(&b);
}

/* The name part of a SOURCERPM tag ("hello-1.0-1.src.rpm" -> "hello"). */
static char *source_name(const char *srpm)
{
	const char *end = srpm + strlen(srpm);

	for (int dashes = 0; end > srpm && dashes < 2; end--)
		if (end[-1] == '-' && ++dashes == 2)
			return strndup(srpm, (size_t)(end - 1 - srpm));
	return strdup(srpm);
}

/* name, version, purl, ... of the package in header h (read from path). */
static int rpm_identity(Header h, const char *path, const char *root, struct pkgsplit_pkg *p)
{
	char osid[64], distro[160], *epoch = NULL, *srpm = tag(h, RPMTAG_SOURCERPM);
	char *ver = tag(h, RPMTAG_VERSION), *rel = tag(h, RPMTAG_RELEASE), *lic, *vr = NULL;
	int rc = -ENOMEM;

	pkgsplit_os_release(root, osid, distro);
	p->kind = PKGSPLIT_RPM;
	p->name = tag(h, RPMTAG_NAME);
	p->arch = tag(h, RPMTAG_ARCH);
	p->supplier = tag(h, RPMTAG_VENDOR);
	p->homepage = tag(h, RPMTAG_URL);
	p->stage = strdup(path);
	if (headerIsEntry(h, RPMTAG_EPOCH) &&
	    asprintf(&epoch, "%llu", (unsigned long long)headerGetNumber(h, RPMTAG_EPOCH)) < 0)
		epoch = NULL;
	if ((lic = tag(h, RPMTAG_LICENSE))) {
		p->license = spdxlic_normalize(lic);
		free(lic);
	}
	if (!p->name || !ver || !rel || !p->arch || !p->stage ||
	    asprintf(&vr, "%s-%s", ver, rel) < 0) {
		rc = !p->name || !ver || !rel ? -ENOEXEC : -ENOMEM;
		goto out;
	}
	if (epoch ? asprintf(&p->version, "%s:%s", epoch, vr) < 0 : !(p->version = strdup(vr)))
		goto out;
	p->source = srpm ? source_name(srpm) : strdup(p->name);
	p->purl = rpm_purl(osid, distro, p->name, vr, p->arch, epoch);
	p->cpe = p->source ? rpm_cpe(p->source, ver) : NULL;
	if (asprintf(&p->comment,
		     "RPM package %s %s (%s) of source package %s, made by the recorded build: "
		     "it contains the files %s lists, as the build wrote them under BUILDROOT.",
		     p->name, p->version, p->arch, p->source ? p->source : "?", path) < 0)
		p->comment = NULL;
	rc = p->source && p->purl && p->cpe && p->comment ? 0 : -ENOMEM;
out:
	free(epoch);
	free(srpm);
	free(ver);
	free(rel);
	free(vr);
	return rc;
}

/* The files of the package: every regular, non-ghost file it lists, matched to BUILDROOT. */
static int rpm_files(const struct graph *g, const struct roots *r, Header h, struct pkgsplit_pkg *p)
{
	rpmfiles files = rpmfilesNew(NULL, h, RPMTAG_BASENAMES, RPMFI_KEEPHEADER);
	rpmfi fi = files ? rpmfilesIter(files, RPMFI_ITER_FWD) : NULL;
	int rc = 0;

	if (!fi) {
		rpmfilesFree(files);
		return 0; /* a package without files */
	}
	while (!rc && rpmfiNext(fi) >= 0) {
		int algo = 0, vi;
		char *digest;

		if (!S_ISREG(rpmfiFMode(fi)) || (rpmfiFFlags(fi) & RPMFILE_GHOST))
			continue;
		digest = rpmfiFDigestHex(fi, &algo);
		vi = root_version(g, r, rpmfiFN(fi), algo == PGPHASHALGO_SHA256 ? digest : NULL);
		free(digest);
		if (vi < 0)
			p->nunrecorded++;
		else if (!g->v[vi].sha256)
			p->nunhashed++;
		else if (graph_ivec_add(&p->files, vi))
			rc = -ENOMEM;
	}
	rpmfiFree(fi);
	rpmfilesFree(files);
	graph_sort_by_path(g, &p->files);
	return rc;
}

/* Reads the .rpm at path and adds its package. */
static int rpm_one(const struct graph *g, const struct roots *r, const char *path, const char *root,
		   struct pkgsplit *out, char *err, size_t errlen)
{
	FD_t fd = Fopen(path, "r.ufdio");
	rpmts ts = rpmtsCreate();
	Header h = NULL;
	struct pkgsplit_pkg *p;
	int rc = -ENOEXEC;

	if (!fd || Ferror(fd) || !ts) {
		snprintf(err, errlen, "cannot read the package '%s' the build wrote", path);
		goto out;
	}
	rpmtsSetVSFlags(ts, RPMVSF_MASK_NODIGESTS | RPMVSF_MASK_NOSIGNATURES);
	if (rpmReadPackageFile(ts, fd, path, &h) != RPMRC_OK || !h) {
		snprintf(err, errlen, "'%s' is not an RPM package librpm can read", path);
		goto out;
	}
	if (!(p = pkgsplit_add(out))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = rpm_identity(h, path, root, p)) == -ENOEXEC)
		snprintf(err, errlen, "'%s' has no name, version or release", path);
	if (!rc)
		rc = rpm_files(g, r, h, p);
out:
	headerFree(h);
	rpmtsFree(ts);
	if (fd)
		Fclose(fd);
	return rc;
}

int pkgsplit_rpm(const struct graph *g, const char *root, struct pkgsplit *out, char *err,
		 size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct roots r = { 0 };
	int rc = 0, loaded = 0;

	for (size_t i = 0; i < g->nv && !rc; i++) {
		const struct graph_version *v = &g->v[i];

		if (!(v->flags & GRAPH_V_WRITTEN) || !ends_with(v->path, ".rpm") ||
		    ends_with(v->path, ".src.rpm") || graph_latest(g, v->path) != (int)i)
			continue;
		if (!loaded++) {
			pthread_once(&once, init_librpm);
			rc = roots_load(g, &r);
		}
		if (!rc)
			rc = rpm_one(g, &r, v->path, root, out, err, errlen);
	}
	roots_release(&r);
	return rc;
}
