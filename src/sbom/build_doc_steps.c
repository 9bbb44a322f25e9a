/* build_doc_steps.c - the build steps of the SBOM of a recorded build, the packages their
 * executables came from (BUILD_TOOL_OF), and the SHA-1 of a file (see build_doc.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/graph.h"
#include "asbuilt/resolve_apk.h"
#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/resolve_rpm.h"
#include "asbuilt/sbom.h"
#include "asbuilt/sbomq.h"
#include "asbuilt/steps.h"
#include "build_doc_internal.h"

/* --- SHA-1 ------------------------------------------------------------------------------ */

static void hex(const unsigned char *md, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int build_doc_file_sha1(const char *path, const char *sha256, const char *db_sha1,
			char out[41])
{
	unsigned char buf[65536], md1[EVP_MAX_MD_SIZE], md256[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *c1 = NULL, *c256 = NULL;
	char hex256[2 * EVP_MAX_MD_SIZE + 1];
	unsigned n1 = 0, n256 = 0;
	int fd, rc = -ENOMEM;
	ssize_t r;

	if (db_sha1 && strlen(db_sha1) == 40) {
		memcpy(out, db_sha1, 41);
		return 0;
	}
	if (!sha256)
		return -ESTALE;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	c1 = EVP_MD_CTX_new();
	c256 = EVP_MD_CTX_new();
	if (!c1 || !c256 || !EVP_DigestInit_ex(c1, EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(c256, EVP_sha256(), NULL))
		goto out;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (!EVP_DigestUpdate(c1, buf, (size_t)r) || !EVP_DigestUpdate(c256, buf, (size_t)r))
			goto out;
	if (r < 0) {
		rc = -errno;
		goto out;
	}
	if (!EVP_DigestFinal_ex(c1, md1, &n1) || !EVP_DigestFinal_ex(c256, md256, &n256))
		goto out;
	hex(md256, n256, hex256);
	rc = -ESTALE;
	if (strcmp(hex256, sha256))
		goto out;
	hex(md1, n1, out);
	rc = 0;
out:
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(c256);
	close(fd);
	return rc;
}

/* --- the packages of the tools ---------------------------------------------------------- */

struct proc_info {
	int64_t start_ns, end_ns;
	char *env;
};

struct steps_ctx {
	struct bd *b;
	const char *root;
	int loaded;
	struct resolve_dpkg *dpkg;
	struct resolve_rpm *rpm;
	struct resolve_apk *apk;
	struct strmap owner; /* path -> (intptr) component index + 2; 1 = no package */
	struct proc_info *pi; /* per image index of the graph */
	struct u64map pid;    /* process id -> image index + 1 */
};

static const char *in_root(const char *root, const char *rel, char *buf, size_t n)
{
	struct stat sb;

	snprintf(buf, n, "%s/%s", strcmp(root, "/") ? root : "", rel);
	return stat(buf, &sb) ? NULL : buf;
}

static void pkg_fill(struct sbom_component *c, enum sbom_comp_kind kind, const char *name,
		     const char *version, const char *purl, const char *cpe, const char *license,
		     const char *supplier, const char *homepage)
{
	c->kind = kind;
	c->name = name;
	c->version = version;
	c->purl = purl;
	c->cpe = cpe;
	c->license_declared = c->license_concluded = license;
	c->supplier = supplier;
	c->homepage = homepage;
}

/* The package that installed the executable at path, added as a component: its index,
 * -1 when no package database owns it, or -ENOMEM. */
static int package_of(struct steps_ctx *x, const char *path)
{
	struct sbom_component c = { .technique = SBOM_HOW_MANIFEST };
	const struct dpkg_pkg *d = NULL;
	const struct rpm_pkg *r = NULL;
	const struct apk_pkg *a = NULL;
	char ev[600], rel[512], by[4200];
	const char *evp = NULL;
	void *have = strmap_get(&x->owner, path);
	int idx;

	if (have)
		return (int)(intptr_t)have - 2;
	if (!x->loaded) {
		x->loaded = 1;
		resolve_dpkg_load(&x->dpkg, x->root); /* a missing database is no package */
		resolve_rpm_load(&x->rpm, x->root);
		resolve_apk_load(&x->apk, x->root);
	}
	if (x->dpkg && (d = resolve_dpkg_lookup(x->dpkg, path))) {
		pkg_fill(&c, SBOM_COMP_DEB, d->name, d->version, d->purl, d->cpe, d->license,
			 d->maintainer, d->homepage);
		snprintf(rel, sizeof(rel), "var/lib/dpkg/info/%s:%s.list", d->name, d->arch);
		if (!(evp = in_root(x->root, rel, ev, sizeof(ev)))) {
			snprintf(rel, sizeof(rel), "var/lib/dpkg/info/%s.list", d->name);
			evp = in_root(x->root, rel, ev, sizeof(ev));
		}
		snprintf(by, sizeof(by), "dpkg database owns %s", path);
	} else if (x->rpm && (r = resolve_rpm_lookup(x->rpm, path))) {
		pkg_fill(&c, SBOM_COMP_RPM, r->name, r->version, r->purl, r->cpe, r->license,
			 r->vendor, r->homepage);
		snprintf(by, sizeof(by), "rpm database owns %s", path);
	} else if (x->apk && (a = resolve_apk_lookup(x->apk, path))) {
		pkg_fill(&c, SBOM_COMP_APK, a->name, a->version, a->purl, a->cpe, a->license,
			 a->maintainer, a->homepage);
		snprintf(by, sizeof(by), "apk database owns %s", path);
	}
	idx = -1;
	if (c.name) {
		c.technique = SBOM_HOW_MANIFEST;
		c.identified_by = by;
		c.evidence = evp ? &evp : NULL;
		c.n_evidence = evp ? 1 : 0;
		idx = sbom_add_component(x->b->d, &c);
		if (idx < 0)
			return idx;
	}
	return strmap_put(&x->owner, path, (void *)(intptr_t)(idx + 2)) ? -ENOMEM : idx;
}

/* --- steps ------------------------------------------------------------------------------ */

static int proc_row(const struct sbomq_proc *p, void *ctx)
{
	struct steps_ctx *x = ctx;
	void *i = u64map_get(&x->pid, (uint64_t)p->id);
	struct proc_info *pi;

	if (!i)
		return 0;
	pi = &x->pi[(intptr_t)i - 1];
	pi->start_ns = p->start_ns;
	pi->end_ns = p->end_ns;
	if (p->env && !(pi->env = strdup(p->env)))
		return -ENOMEM;
	return 0;
}

/* The image that shows the step's command: the root, else the first image with an argv. */
static int command_image(const struct graph *g, const struct graph_step *s)
{
	if (g->p[s->root].argv)
		return s->root;
	for (size_t k = 0; k < s->procs.n; k++)
		if (g->p[s->procs.v[k]].argv)
			return s->procs.v[k];
	return s->root;
}

/* Splits the raw NUL-separated argv of image p into *argv (pointers into the copy *buf). */
static int split_argv(const struct graph_proc *p, char **buf, const char ***argv, size_t *argc)
{
	size_t n = 0, len = p->argv_len;

	*argc = 0;
	if (!p->argv || !len)
		return 0;
	if (!(*buf = malloc(len + 1)))
		return -ENOMEM;
	memcpy(*buf, p->argv, len);
	(*buf)[len] = 0;
	if ((*buf)[len - 1] == 0)
		len--; /* a trailing NUL ends the last argument */
	for (size_t i = 0; i <= len; i++)
		n += !(*buf)[i] || i == len;
	if (!(*argv = calloc(n, sizeof(**argv))))
		return -ENOMEM;
	for (size_t i = 0, start = 0; i <= len; i++)
		if (i == len || !(*buf)[i]) {
			(*argv)[(*argc)++] = *buf + start;
			start = i + 1;
		}
	return 0;
}

/* The string members of the JSON object text env as name/value pairs pointing into *json. */
static int parse_env(const char *env, cJSON **json, struct sbom_kv **kv, size_t *n)
{
	const cJSON *it;
	size_t k = 0;

	*n = 0;
	if (!env || !(*json = cJSON_Parse(env)) || !cJSON_IsObject(*json))
		return 0;
	if (!(*kv = calloc((size_t)cJSON_GetArraySize(*json) + 1, sizeof(**kv))))
		return -ENOMEM;
	cJSON_ArrayForEach(it, *json)
		if (cJSON_IsString(it) && it->string)
			(*kv)[k++] = (struct sbom_kv){ it->string, it->valuestring };
	*n = k;
	return 0;
}

struct step_lists {
	struct graph_ivec in, out, tfiles, tcomps;
};

/* The tools of step s: executables (their packages are BUILD_TOOL_OF the outputs) and the
 * tools the build made itself. */
static int step_tools(struct steps_ctx *x, const struct graph_step *s, struct step_lists *l)
{
	struct bd *b = x->b;
	int rc = 0;

	for (size_t k = 0; k < s->tools.n + s->btools.n && rc >= 0; k++) {
		int built = k >= s->tools.n, t = built ? s->btools.v[k - s->tools.n] : s->tools.v[k];
		int owner = -1, fi;

		if (!built && steps_vclass(b->g, t) != STEPS_F_EXEC)
			continue;
		if (!built && (owner = package_of(x, b->g->v[t].path)) < -1)
			return owner;
		fi = bd_add_version(b, t, owner >= 0 ? owner : -2);
		if (fi == -ENOMEM)
			return fi;
		if (fi >= 0 && graph_ivec_add(&l->tfiles, fi))
			return -ENOMEM;
		if (owner >= 0 && graph_ivec_add(&l->tcomps, owner))
			return -ENOMEM;
		for (size_t j = 0; j < l->out.n && rc >= 0; j++)
			rc = owner >= 0 ? bd_rel(b, SBOM_NODE_COMPONENT, owner, SBOM_NODE_FILE,
						 l->out.v[j], SBOM_REL_BUILD_TOOL_OF)
			     : fi >= 0 ? bd_rel(b, SBOM_NODE_FILE, fi, SBOM_NODE_FILE, l->out.v[j],
						SBOM_REL_BUILD_TOOL_OF)
				       : 0;
	}
	return rc < 0 ? rc : 0;
}

static void step_times(const struct steps_ctx *x, const struct graph_step *s, struct sbom_step *st)
{
	for (size_t k = 0; k < s->procs.n; k++) {
		const struct proc_info *p = &x->pi[s->procs.v[k]];
		if (p->start_ns && (!st->start_ns || p->start_ns < st->start_ns))
			st->start_ns = p->start_ns;
		if (p->end_ns > st->end_ns)
			st->end_ns = p->end_ns;
	}
}

static int one_step(struct steps_ctx *x, int k)
{
	struct bd *b = x->b;
	const struct graph_step *s = &b->g->s[k];
	struct step_lists l = { 0 };
	struct sbom_step st = { .kind = steps_kind_name(s->kind) };
	struct sbom_kv *kv = NULL;
	const char **argv = NULL;
	cJSON *env = NULL;
	char *abuf = NULL;
	int rc = -ENOMEM, img;

	for (size_t j = 0; j < s->out.n; j++)
		if (b->fidx[s->out.v[j]] >= 0 && graph_ivec_add(&l.out, b->fidx[s->out.v[j]]))
			goto out;
	rc = 0;
	if (!l.out.n)
		goto out;
	rc = -ENOMEM;
	for (size_t j = 0; j < s->in.n; j++)
		if (b->fidx[s->in.v[j]] >= 0 && graph_ivec_add(&l.in, b->fidx[s->in.v[j]]))
			goto out;
	img = command_image(b->g, s);
	if ((rc = step_tools(x, s, &l)) || (rc = split_argv(&b->g->p[img], &abuf, &argv, &st.argc)) ||
	    (rc = parse_env(x->pi[img].env, &env, &kv, &st.n_env)))
		goto out;
	st.argv = argv;
	st.cwd = b->g->p[img].cwd;
	st.env = kv;
	step_times(x, s, &st);
	st.inputs = l.in.v, st.n_inputs = l.in.n;
	st.outputs = l.out.v, st.n_outputs = l.out.n;
	st.tool_files = l.tfiles.v, st.n_tool_files = l.tfiles.n;
	st.tool_components = l.tcomps.v, st.n_tool_components = l.tcomps.n;
	rc = sbom_add_step(b->d, &st);
	rc = rc < 0 ? rc : 0;
out:
	cJSON_Delete(env);
	free(kv);
	free(argv);
	free(abuf);
	graph_ivec_release(&l.in);
	graph_ivec_release(&l.out);
	graph_ivec_release(&l.tfiles);
	graph_ivec_release(&l.tcomps);
	return rc;
}

int bd_steps(struct bd *b)
{
	struct steps_ctx x = { .b = b };
	int rc = -ENOMEM;

	x.root = b->o->components.root ? b->o->components.root : "/";
	if (!(x.pi = calloc(b->g->np + 1, sizeof(*x.pi))))
		return -ENOMEM;
	for (size_t i = 0; i < b->g->np; i++)
		if (u64map_put(&x.pid, (uint64_t)b->g->p[i].id, (void *)(intptr_t)(i + 1)))
			goto out;
	if ((rc = sbomq_each_process(b->st, b->g->build_id, proc_row, &x)))
		goto out;
	for (size_t k = 0; k < b->g->ns && !rc; k++)
		rc = one_step(&x, (int)k);
out:
	for (size_t i = 0; i < b->g->np; i++)
		free(x.pi[i].env);
	free(x.pi);
	u64map_release(&x.pid);
	strmap_release(&x.owner);
	resolve_apk_free(x.apk);
	resolve_rpm_free(x.rpm);
	resolve_dpkg_free(x.dpkg);
	return rc;
}
