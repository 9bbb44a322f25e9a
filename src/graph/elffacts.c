/* elffacts.c - the ELF facts of a build's files, read from disk and stored (elffacts.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/elffacts.h"
#include "asbuilt/elfinfo.h"
#include "asbuilt/elfq.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/map.h"
#include "asbuilt/steps.h"
#include "asbuilt/store.h"

enum fkind { F_UNKNOWN, F_NONE, F_ELF, F_AR };

/* What is known of one version's file (lazily filled, per version index). */
struct fact {
	enum fkind kind;	/* F_NONE: not ELF/ar, or no longer the recorded content */
	int changed;		/* ELF/ar, but the file no longer has the recorded content */
	int visited;		/* store_version saw it in this run */
	struct elfinfo *ei;	/* F_ELF */
	struct elfmember *m;	/* F_AR */
	size_t nm;
};

/* A library some binary needs, read to attribute its unversioned imports. */
struct lib {
	struct elfinfo *ei; /* NULL: unreadable */
	struct strmap exports;
};

struct ctx {
	struct store *st;
	const struct graph *g;
	struct fact *f; /* g->nv of them */
	struct strmap libs; /* real path -> struct lib * */
	struct elffacts_stats stats;
};

static int64_t ts_ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* "!<arch>\n" -> F_AR, "\177ELF" -> F_ELF, else F_NONE. */
static enum fkind sniff(const char *path)
{
	unsigned char h[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return F_NONE;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n == 8 && !memcmp(h, "!<arch>\n", 8))
		return F_AR;
	if (n >= 4 && !memcmp(h, "\177ELF", 4))
		return F_ELF;
	return F_NONE;
}

/* Whether the file at v->path still has the content recorded for v: the identity it had
 * when hashed, or else the same SHA-256.  Returns 1, 0, or -EIO. */
static int same_content(struct ctx *x, const struct graph_version *v, const struct stat *sb)
{
	struct elfq_stat id;
	struct hash_result h;
	struct stat sb2;
	int rc = elfq_version_stat(x->st, v->id, &id);

	if (rc)
		return rc == -ENOENT ? 0 : rc;
	if (id.size != (int64_t)sb->st_size)
		return 0;
	if (id.dev == (int64_t)sb->st_dev && id.ino == (int64_t)sb->st_ino &&
	    id.mtime_ns == ts_ns(sb->st_mtim) && id.ctime_ns == ts_ns(sb->st_ctim))
		return 1;
	return hash_path(v->path, &sb2, &h) == 0 && !strcmp(h.sha256, v->sha256);
}

/* The facts of version vi, read on first use.  Returns the fact (kind F_NONE when there
 * is nothing to read), or NULL with *err set to -EIO / -ENOMEM. */
static struct fact *fact_of(struct ctx *x, int vi, int *err)
{
	const struct graph_version *v = &x->g->v[vi];
	struct fact *f = &x->f[vi];
	struct stat sb;
	int rc;

	if (f->kind != F_UNKNOWN)
		return f;
	f->kind = F_NONE;
	if (!v->sha256 || strcmp(v->state, "ok") || (v->flags & GRAPH_V_DIR) ||
	    stat(v->path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 8)
		return f;
	enum fkind k = sniff(v->path);
	if (k == F_NONE)
		return f;
	rc = same_content(x, v, &sb);
	if (rc < 0) {
		*err = rc;
		return NULL;
	}
	if (!rc) {
		f->changed = 1;
		return f;
	}
	rc = k == F_ELF ? elfinfo_read(v->path, &f->ei)
			: elfinfo_archive_members(v->path, &f->m, &f->nm);
	if (rc == -ENOMEM) {
		*err = rc;
		return NULL;
	}
	if (rc == 0)
		f->kind = k;
	return f;
}

static void facts_free(struct fact *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		elfinfo_free(f[i].ei);
		elfinfo_members_free(f[i].m, f[i].nm);
	}
	free(f);
}

/* --- elf_info, elf_needed, elf_imports --------------------------------------------- */

/* The library at path, read once.  NULL only on ENOMEM. */
static struct lib *lib_of(struct ctx *x, const char *path)
{
	struct lib *l = strmap_get(&x->libs, path);

	if (l)
		return l;
	if (!(l = calloc(1, sizeof(*l))) || strmap_put(&x->libs, path, l)) {
		free(l);
		return NULL;
	}
	if (elfinfo_read(path, &l->ei))
		return l;
	for (size_t i = 0; i < l->ei->n_exports; i++)
		if (strmap_put(&l->exports, l->ei->exports[i].name, (void *)1))
			return NULL;
	return l;
}

static void lib_free(const char *path, void *value, void *ctx)
{
	struct lib *l = value;

	(void)path;
	(void)ctx;
	elfinfo_free(l->ei);
	strmap_release(&l->exports);
	free(l);
}

/* The library an import comes from: the one its symbol version is required from, or else
 * the first needed library (in DT_NEEDED order) that exports it; NULL when none does.
 * Sets *err to -ENOMEM on failure. */
static const char *import_library(struct ctx *x, const struct elfinfo *e, char **paths,
				  const struct elfinfo_sym *sym, int *err)
{
	if (sym->vfile)
		return sym->vfile;
	for (size_t i = 0; paths && i < e->n_needed; i++) {
		struct lib *l = paths[i] ? lib_of(x, paths[i]) : NULL;

		if (paths[i] && !l) {
			*err = -ENOMEM;
			return NULL;
		}
		if (l && strmap_get(&l->exports, sym->name))
			return e->needed[i];
	}
	return NULL;
}

static int store_elf(struct ctx *x, const struct graph_version *v, const struct elfinfo *e)
{
	struct elfq_info in = {
		.version_id = v->id,
		.type = elfinfo_type_name(e->type),
		.machine = e->machine,
		.interp = e->interp,
		.build_id = e->build_id,
		.soname = e->soname,
		.is_static = e->is_static,
	};
	char **paths = NULL;
	int rc = elfq_info_put(x->st, &in);

	if (!rc && e->n_needed)
		rc = elfinfo_resolve_needed(e, v->path, &paths);
	for (size_t i = 0; !rc && i < e->n_needed; i++) {
		int r = paths[i] ? graph_latest(x->g, paths[i]) : -1;

		rc = elfq_needed_put(x->st, v->id, (int)i, e->needed[i], paths[i],
				     r >= 0 ? x->g->v[r].id : 0);
	}
	/* an object's undefined symbols are not imports */
	for (size_t i = 0; !rc && e->type != ELFINFO_REL && i < e->n_imports; i++) {
		const struct elfinfo_sym *sym = &e->imports[i];
		const char *lib = import_library(x, e, paths, sym, &rc);

		if (!rc)
			rc = elfq_import_put(x->st, v->id, sym->name, sym->version, lib);
	}
	elfinfo_paths_free(paths, e->n_needed);
	return rc;
}

static int store_ar(struct ctx *x, const struct graph_version *v, const struct fact *f)
{
	struct elfq_info in = { .version_id = v->id, .type = "ar" };

	for (size_t i = 0; i < f->nm && !in.machine; i++)
		if (f->m[i].elf)
			in.machine = f->m[i].elf->machine;
	return elfq_info_put(x->st, &in);
}

/* Stores the facts of version vi unless elf_info has it.  0 or a negative errno. */
static int store_version(struct ctx *x, int vi)
{
	const struct graph_version *v = &x->g->v[vi];
	struct fact *f;
	int rc;

	if (x->f[vi].visited++)
		return 0;
	rc = elfq_has_info(x->st, v->id);
	if (rc)
		return rc > 0 ? (x->stats.known++, 0) : rc;
	f = fact_of(x, vi, &rc);
	if (!f)
		return rc;
	if (f->kind == F_NONE) {
		x->stats.changed += f->changed;
		return 0;
	}
	rc = f->kind == F_ELF ? store_elf(x, v, f->ei) : store_ar(x, v, f);
	if (!rc)
		x->stats.stored++;
	return rc;
}

/* --- archive members pulled into a link -------------------------------------------- */

struct link {
	struct strmap def;   /* symbols defined so far */
	struct strmap undef; /* strong undefined references seen so far */
	struct strmap ref;   /* every undefined reference (weak ones too) */
	const struct fact **ar;
	int *ar_vi;
	char **pulled; /* per archive, one flag per member */
	size_t nar;
};

static int wanted(const struct link *L, const char *name)
{
	return strmap_get(&L->undef, name) && !strmap_get(&L->def, name);
}

static int add_defs(struct link *L, const struct elfinfo_sym *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strmap_put(&L->def, s[i].name, (void *)1))
			return -ENOMEM;
	return 0;
}

static int add_refs(struct link *L, const struct elfinfo_sym *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strmap_put(&L->ref, s[i].name, (void *)1) ||
		    (s[i].bind != STB_WEAK && strmap_put(&L->undef, s[i].name, (void *)1)))
			return -ENOMEM;
	}
	return 0;
}

/* Pulls a member in: its definitions and its references join the link. */
static int pull(struct link *L, const struct elfmember *m)
{
	if (m->elf)
		return add_defs(L, m->elf->exports, m->elf->n_exports) ?:
		       add_refs(L, m->elf->imports, m->elf->n_imports);
	for (size_t i = 0; i < m->n_defined; i++)
		if (strmap_put(&L->def, m->defined[i], (void *)1))
			return -ENOMEM;
	return 0;
}

/* Scans archive a until it pulls nothing more.  Returns the number pulled or -ENOMEM. */
static int scan_archive(struct link *L, size_t a)
{
	const struct fact *f = L->ar[a];
	int n = 0, more = 1;

	while (more) {
		more = 0;
		for (size_t i = 0; i < f->nm; i++) {
			const struct elfmember *m = &f->m[i];
			size_t k;

			if (L->pulled[a][i])
				continue;
			for (k = 0; k < m->n_defined && !wanted(L, m->defined[k]); k++)
				;
			if (k == m->n_defined)
				continue;
			L->pulled[a][i] = 1;
			if (pull(L, m))
				return -ENOMEM;
			more = 1;
			n++;
		}
	}
	return n;
}

/* Adds input vi of a link in order: objects and shared libraries define and reference,
 * archives are scanned. */
static int link_input(struct ctx *x, struct link *L, int vi)
{
	int rc = 0;
	struct fact *f = fact_of(x, vi, &rc);

	if (!f)
		return rc;
	if (f->kind == F_ELF && f->ei->type == ELFINFO_REL)
		return add_defs(L, f->ei->exports, f->ei->n_exports) ?:
		       add_refs(L, f->ei->imports, f->ei->n_imports);
	if (f->kind == F_ELF && f->ei->type == ELFINFO_DYN)
		return add_defs(L, f->ei->exports, f->ei->n_exports);
	if (f->kind != F_AR)
		return 0;
	L->ar[L->nar] = f;
	L->ar_vi[L->nar] = vi;
	L->pulled[L->nar] = calloc(f->nm + 1, 1);
	if (!L->pulled[L->nar])
		return -ENOMEM;
	rc = scan_archive(L, L->nar++);
	return rc < 0 ? rc : 0;
}

/* The member's defined symbols that the link referenced, space-separated (malloc'd). */
static char *member_symbols(const struct link *L, const struct elfmember *m)
{
	size_t len = 1, at = 0;
	char *s;

	for (size_t i = 0; i < m->n_defined; i++)
		if (strmap_get(&L->ref, m->defined[i]))
			len += strlen(m->defined[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = 0;
	for (size_t i = 0; i < m->n_defined; i++) {
		if (!strmap_get(&L->ref, m->defined[i]))
			continue;
		at += (size_t)sprintf(s + at, "%s%s", at ? " " : "", m->defined[i]);
	}
	return s;
}

static int store_members(struct ctx *x, const struct link *L, const struct graph_ivec *outs)
{
	for (size_t a = 0; a < L->nar; a++) {
		const struct fact *f = L->ar[a];

		for (size_t i = 0; i < f->nm; i++) {
			char *syms;
			int rc = 0;

			if (!L->pulled[a][i])
				continue;
			if (!(syms = member_symbols(L, &f->m[i])))
				return -ENOMEM;
			for (size_t o = 0; o < outs->n && !rc; o++) {
				rc = elfq_link_member_put(x->st, x->g->v[outs->v[o]].id,
							  x->g->v[L->ar_vi[a]].id, f->m[i].name,
							  syms);
				x->stats.members += !rc;
			}
			free(syms);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void link_release(struct link *L)
{
	for (size_t a = 0; a < L->nar; a++)
		free(L->pulled[a]);
	free(L->pulled);
	free(L->ar);
	free(L->ar_vi);
	strmap_release(&L->def);
	strmap_release(&L->undef);
	strmap_release(&L->ref);
}

/* The outputs of link step si that are ELF files not yet in elf_info (also those whose file
 * changed since, such as a binary stripped in place). */
static int link_outputs(struct ctx *x, int si, struct graph_ivec *outs)
{
	const struct graph_step *s = &x->g->s[si];

	for (size_t k = 0; k < s->out.n; k++) {
		int vi = s->out.v[k], rc = 0;
		const struct graph_version *v = &x->g->v[vi];
		struct fact *f;

		if (v->flags & (GRAPH_V_TEMP | GRAPH_V_PROBE))
			continue;
		rc = elfq_has_info(x->st, v->id);
		if (rc < 0)
			return rc;
		if (rc)
			continue;
		if (!(f = fact_of(x, vi, &rc)))
			return rc;
		/* a binary stripped in place since: its link inputs are still facts */
		if ((f->kind == F_ELF || f->changed) && graph_ivec_push(outs, vi))
			return -ENOMEM;
	}
	return 0;
}

static int link_members(struct ctx *x, int si)
{
	const struct graph_step *s = &x->g->s[si];
	struct graph_ivec outs = { 0 };
	struct link L = { 0 };
	int rc = link_outputs(x, si, &outs);

	if (rc || !outs.n)
		goto out;
	rc = -ENOMEM;
	L.ar = calloc(s->in.n + 1, sizeof(*L.ar));
	L.ar_vi = calloc(s->in.n + 1, sizeof(*L.ar_vi));
	L.pulled = calloc(s->in.n + 1, sizeof(*L.pulled));
	if (!L.ar || !L.ar_vi || !L.pulled)
		goto out;
	rc = 0;
	for (size_t k = 0; k < s->in.n && !rc; k++)
		rc = link_input(x, &L, s->in.v[k]);
	for (int n = 1; !rc && n > 0 && L.nar;) { /* rescan every archive to a fixpoint */
		n = 0;
		for (size_t a = 0; a < L.nar && n >= 0; a++) {
			int r = scan_archive(&L, a);
			n = r < 0 ? r : n + r;
		}
		rc = n < 0 ? n : 0;
	}
	if (!rc && L.nar) {
		x->stats.links += outs.n;
		rc = store_members(x, &L, &outs);
	}
out:
	link_release(&L);
	graph_ivec_release(&outs);
	return rc;
}

/* --- the whole build ------------------------------------------------------------------ */

static int compute(struct ctx *x)
{
	const struct graph *g = x->g;
	int rc = 0;

	for (size_t i = 0; i < g->ns && !rc; i++)
		if (g->s[i].kind == STEPS_LINK)
			rc = link_members(x, (int)i);
	for (size_t i = 0; i < g->nv && !rc; i++) {
		const struct graph_version *v = &g->v[i];

		if ((v->flags & GRAPH_V_WRITTEN) &&
		    !(v->flags & (GRAPH_V_TEMP | GRAPH_V_PROBE | GRAPH_V_DIR)))
			rc = store_version(x, (int)i);
	}
	for (size_t i = 0; i < g->ns && !rc; i++) {
		const struct graph_step *s = &g->s[i];

		for (size_t k = 0; s->kind == STEPS_LINK && k < s->in.n && !rc; k++)
			if (!(g->v[s->in.v[k]].flags & GRAPH_V_WRITTEN))
				rc = store_version(x, s->in.v[k]);
	}
	return rc;
}

int elffacts_compute(struct store *st, int64_t build_id, const struct graph *g,
		     struct elffacts_stats *stats)
{
	struct graph *own = NULL;
	struct ctx x = { .st = st, .g = g };
	int rc = 0;

	if (!g) {
		rc = graph_load(st, build_id, &own);
		if (rc)
			return rc;
		x.g = own;
	}
	x.f = calloc(x.g->nv + 1, sizeof(*x.f));
	if (!x.f) {
		rc = -ENOMEM;
		goto out;
	}
	if (store_begin(st)) {
		rc = -EIO;
		goto out;
	}
	rc = compute(&x);
	if (rc)
		store_rollback(st);
	else if (store_commit(st))
		rc = -EIO;
	if (stats)
		*stats = x.stats;
out:
	strmap_each(&x.libs, lib_free, NULL);
	strmap_release(&x.libs);
	facts_free(x.f, x.g->nv);
	graph_free(own);
	return rc;
}
