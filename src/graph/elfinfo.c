/*
 * elfinfo.c - ELF facts of one artifact, read through elfutils' libelf (gelf API only; no
 * structure of the file is parsed by hand).  See include/asbuilt/elfinfo.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/elfinfo.h"
#include "elfinfo_internal.h"

#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

/* Makes room for element n of the array *arr (grown to powers of two).  0 or -ENOMEM. */
static int grow(void *arr, size_t n, size_t size)
{
	void **a = arr, *p;

	if (n & (n - 1)) /* n is neither 0 nor a power of two: there is room */
		return 0;
	p = realloc(*a, (n ? 2 * n : 1) * size);
	if (!p)
		return -ENOMEM;
	*a = p;
	return 0;
}

/* Returns a copy of s (NULL for NULL); on failure sets *rc to -ENOMEM. */
static char *xdup(const char *s, int *rc)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*rc = -ENOMEM;
	return d;
}

/* Appends a copy of s to the string vector *v of *n entries.  Returns 0 or -ENOMEM. */
int elfinfo_strv_push(char ***v, size_t *n, const char *s)
{
	int rc = grow(v, *n, sizeof(**v));

	if (rc == 0 && ((*v)[*n] = xdup(s, &rc)) != NULL)
		(*n)++;
	return rc;
}

void elfinfo_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* Opens path for libelf.  Returns 0 with *fd and *elf set, or a negative errno. */
int elfinfo_open(const char *path, int *fd, Elf **elf)
{
	struct stat st;
	int rc = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -ENOEXEC;
	else if (!(*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL)))
		rc = -ENOEXEC; /* empty, or unreadable as any kind libelf knows */
	if (rc < 0)
		close(*fd);
	return rc;
}

/* --- symbol versions: version index -> name (and the file a needed version is from) --- */

struct vertab {
	struct {
		const char *name, *file; /* borrowed from the Elf's string table */
	} *v;
	size_t n;
};

static int vertab_set(struct vertab *t, size_t idx, const char *name, const char *file)
{
	if (idx > 0x7fff || !name)
		return 0;
	if (idx >= t->n) {
		void *p = realloc(t->v, (idx + 1) * sizeof(*t->v));

		if (!p)
			return -ENOMEM;
		t->v = p;
		memset(t->v + t->n, 0, (idx + 1 - t->n) * sizeof(*t->v));
		t->n = idx + 1;
	}
	t->v[idx].name = name;
	t->v[idx].file = file;
	return 0;
}

/* Versions required from other objects (.gnu.version_r, index vna_other) when need, else
 * versions this object defines (.gnu.version_d, index vd_ndx, name of the first aux). */
static int read_versions(Elf *elf, Elf_Scn *scn, bool need, struct vertab *t)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	size_t off = 0, next = 0;
	int rc = 0;

	if (!d || !gelf_getshdr(scn, &sh))
		return -EBADMSG;
	for (size_t i = 0; rc == 0 && i < sh.sh_info; i++, off += next) {
		GElf_Verneed vn;
		GElf_Vernaux va;
		GElf_Verdef vd;
		GElf_Verdaux vda;
		size_t aux;

		if (need ? !gelf_getverneed(d, off, &vn) : !gelf_getverdef(d, off, &vd))
			return -EBADMSG;
		aux = off + (need ? vn.vn_aux : vd.vd_aux);
		for (size_t j = 0; need && rc == 0 && j < vn.vn_cnt; j++, aux += va.vna_next) {
			if (!gelf_getvernaux(d, aux, &va))
				return -EBADMSG;
			rc = vertab_set(t, va.vna_other, elf_strptr(elf, sh.sh_link, va.vna_name),
					elf_strptr(elf, sh.sh_link, vn.vn_file));
		}
		if (!need && !gelf_getverdaux(d, aux, &vda))
			return -EBADMSG;
		if (!need && !(vd.vd_flags & VER_FLG_BASE))
			rc = vertab_set(t, vd.vd_ndx, elf_strptr(elf, sh.sh_link, vda.vda_name), NULL);
		next = need ? vn.vn_next : vd.vd_next;
		if (!next)
			break;
	}
	return rc;
}

/* --- symbols ---------------------------------------------------------------------------- */

static void syms_free(struct elfinfo_sym *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].version);
		free(v[i].vfile);
	}
	free(v);
}

/* Appends a deep copy of *s to *v.  Returns 0 or -ENOMEM (the entry kept, for freeing). */
static int sym_push(struct elfinfo_sym **v, size_t *n, const struct elfinfo_sym *s)
{
	struct elfinfo_sym *d;
	int rc = grow(v, *n, sizeof(**v));

	if (rc < 0)
		return rc;
	d = &(*v)[(*n)++];
	*d = *s;
	d->name = xdup(s->name, &rc);
	d->version = xdup(s->version, &rc);
	d->vfile = xdup(s->vfile, &rc);
	return rc;
}

/* Sorts the non-local symbols of symscn into e->imports and e->exports, with the versions
 * of versym (may be NULL) looked up in t. */
static int read_syms(Elf *elf, Elf_Scn *symscn, Elf_Scn *versym, const struct vertab *t,
		     struct elfinfo *e)
{
	Elf_Data *d = elf_getdata(symscn, NULL), *vd = versym ? elf_getdata(versym, NULL) : NULL;
	GElf_Shdr sh;
	size_t n;
	int rc = 0;

	if (!d || !gelf_getshdr(symscn, &sh))
		return -EBADMSG;
	n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 1; rc == 0 && i < n; i++) {
		struct elfinfo_sym s = { 0 };
		GElf_Sym sym;
		GElf_Versym ver;
		size_t idx;

		if (!gelf_getsym(d, (int)i, &sym))
			return -EBADMSG;
		s.name = elf_strptr(elf, sh.sh_link, sym.st_name);
		s.bind = GELF_ST_BIND(sym.st_info);
		s.type = GELF_ST_TYPE(sym.st_info);
		s.vis = GELF_ST_VISIBILITY(sym.st_other);
		if (!s.name || !*s.name || s.bind == STB_LOCAL || s.type == STT_SECTION ||
		    s.type == STT_FILE)
			continue;
		if (vd && gelf_getversym(vd, (int)i, &ver)) {
			idx = ver & 0x7fff;
			s.hidden = (ver & 0x8000) != 0;
			if (idx >= 2 && idx < t->n) {
				s.version = (char *)t->v[idx].name;
				s.vfile = (char *)t->v[idx].file;
			}
		}
		if (sym.st_shndx == SHN_UNDEF)
			rc = sym_push(&e->imports, &e->n_imports, &s);
		else
			rc = sym_push(&e->exports, &e->n_exports, &s);
	}
	return rc;
}

/* --- notes, program headers, dynamic section -------------------------------------------- */

/* Sets e->build_id from the first NT_GNU_BUILD_ID note of d, if any. */
static int read_notes(Elf_Data *d, struct elfinfo *e)
{
	GElf_Nhdr nh;
	size_t off = 0, next, name_off, desc_off;

	while (!e->build_id && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *desc = (const unsigned char *)d->d_buf + desc_off;

		off = next;
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 || !nh.n_descsz ||
		    memcmp((const char *)d->d_buf + name_off, "GNU", 4))
			continue;
		e->build_id = malloc(2 * nh.n_descsz + 1);
		if (!e->build_id)
			return -ENOMEM;
		for (size_t i = 0; i < nh.n_descsz; i++)
			sprintf(e->build_id + 2 * i, "%02x", desc[i]);
	}
	return 0;
}

/* PT_INTERP, and the build-id from PT_NOTE segments. */
static int read_phdrs(Elf *elf, struct elfinfo *e)
{
	size_t phnum;
	int rc = 0;

	if (elf_getphdrnum(elf, &phnum) < 0)
		return -EBADMSG;
	for (size_t i = 0; rc == 0 && i < phnum; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return -EBADMSG;
		if (ph.p_type == PT_INTERP && !e->interp) {
			d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_BYTE);
			if (!d)
				return -EBADMSG;
			e->interp = strndup(d->d_buf, d->d_size);
			rc = e->interp ? 0 : -ENOMEM;
		} else if (ph.p_type == PT_NOTE && e->type != ELFINFO_CORE && ph.p_filesz) {
			d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz,
						 ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
			rc = d ? read_notes(d, e) : 0;
		}
	}
	return rc;
}

/* DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH; DT_FLAGS_1 into *flags1. */
static int read_dynamic(Elf *elf, Elf_Scn *scn, struct elfinfo *e, uint64_t *flags1)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Shdr sh;
	size_t n;
	int rc = 0;

	if (!d || !gelf_getshdr(scn, &sh))
		return -EBADMSG;
	n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		GElf_Dyn dyn;
		const char *s;
		char **one;

		if (!gelf_getdyn(d, (int)i, &dyn))
			return -EBADMSG;
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_FLAGS_1)
			*flags1 = dyn.d_un.d_val;
		one = dyn.d_tag == DT_SONAME	? &e->soname
		      : dyn.d_tag == DT_RPATH	? &e->rpath
		      : dyn.d_tag == DT_RUNPATH ? &e->runpath
						: NULL;
		if (!one && dyn.d_tag != DT_NEEDED)
			continue;
		s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
		if (!s)
			return -EBADMSG;
		if (one) {
			free(*one);
			*one = xdup(s, &rc);
		} else {
			rc = elfinfo_strv_push(&e->needed, &e->n_needed, s);
		}
	}
	return rc;
}

/* --- one ELF object ------------------------------------------------------------------- */

enum { S_DYNAMIC, S_DYNSYM, S_SYMTAB, S_VERSYM, S_VERNEED, S_VERDEF, S_N };

/* Finds the sections of interest (one of each type, indexed as above); reads SHT_NOTE
 * sections while no segment gave a build-id (relocatable objects have no segments). */
static int scan_sections(Elf *elf, Elf_Scn *s[S_N], struct elfinfo *e)
{
	static const GElf_Word types[S_N] = { SHT_DYNAMIC,    SHT_DYNSYM,	   SHT_SYMTAB,
					      SHT_GNU_versym, SHT_GNU_verneed, SHT_GNU_verdef };
	Elf_Scn *scn = NULL;
	int rc = 0;

	while (rc == 0 && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			return -EBADMSG;
		for (int k = 0; k < S_N; k++)
			if (sh.sh_type == types[k])
				s[k] = scn;
		if (sh.sh_type == SHT_NOTE && !e->build_id && e->type != ELFINFO_CORE &&
		    (d = elf_getdata(scn, NULL)) != NULL)
			rc = read_notes(d, e);
	}
	return rc;
}

static enum elfinfo_type classify(const GElf_Ehdr *eh, const struct elfinfo *e, uint64_t flags1)
{
	if (eh->e_type == ET_DYN)
		return (flags1 & DF_1_PIE) || (e->interp && !e->soname) ? ELFINFO_PIE : ELFINFO_DYN;
	return eh->e_type == ET_REL    ? ELFINFO_REL
	       : eh->e_type == ET_EXEC ? ELFINFO_EXEC
	       : eh->e_type == ET_CORE ? ELFINFO_CORE
				       : ELFINFO_OTHER;
}

/* Reads the facts of an open ELF object (a file or an archive member) into a new *out;
 * without symbols (and their versions) unless syms. */
static int read_elf(Elf *elf, bool syms, struct elfinfo **out)
{
	Elf_Scn *s[S_N] = { 0 };
	struct vertab t = { 0 };
	struct elfinfo *e;
	GElf_Ehdr eh;
	uint64_t flags1 = 0;
	int rc;

	*out = NULL;
	if (elf_kind(elf) != ELF_K_ELF)
		return -ENOEXEC;
	if (!gelf_getehdr(elf, &eh))
		return -EBADMSG;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->elfclass = gelf_getclass(elf);
	e->machine = eh.e_machine;
	e->type = classify(&eh, e, 0); /* CORE is known now; DYN/PIE once the rest is read */
	if ((rc = read_phdrs(elf, e)) < 0 || (rc = scan_sections(elf, s, e)) < 0 ||
	    (s[S_DYNAMIC] && (rc = read_dynamic(elf, s[S_DYNAMIC], e, &flags1)) < 0))
		goto out;
	if (!syms)
		; /* the headers only */
	else if ((s[S_VERNEED] && (rc = read_versions(elf, s[S_VERNEED], true, &t)) < 0) ||
		 (s[S_VERDEF] && (rc = read_versions(elf, s[S_VERDEF], false, &t)) < 0))
		goto out;
	else if (eh.e_type == ET_REL)
		rc = s[S_SYMTAB] ? read_syms(elf, s[S_SYMTAB], NULL, &t, e) : 0;
	else if (s[S_DYNSYM])
		rc = read_syms(elf, s[S_DYNSYM], s[S_VERSYM], &t, e);
	e->type = classify(&eh, e, flags1);
	e->is_static = (e->type == ELFINFO_EXEC || e->type == ELFINFO_PIE) && !e->interp;
out:
	free(t.v);
	if (rc < 0)
		elfinfo_free(e);
	else
		*out = e;
	return rc;
}

static int read_path(const char *path, bool syms, struct elfinfo **out)
{
	Elf *elf;
	int fd, rc;

	*out = NULL;
	rc = elfinfo_open(path, &fd, &elf);
	if (rc < 0)
		return rc;
	rc = read_elf(elf, syms, out);
	elf_end(elf);
	close(fd);
	return rc;
}

int elfinfo_read(const char *path, struct elfinfo **out)
{
	return read_path(path, true, out);
}

int elfinfo_read_headers(const char *path, struct elfinfo **out)
{
	return read_path(path, false, out);
}

void elfinfo_free(struct elfinfo *e)
{
	if (!e)
		return;
	free(e->interp);
	free(e->build_id);
	free(e->soname);
	elfinfo_strv_free(e->needed, e->n_needed);
	free(e->rpath);
	free(e->runpath);
	syms_free(e->imports, e->n_imports);
	syms_free(e->exports, e->n_exports);
	free(e);
}

const struct elfinfo_sym *elfinfo_sym_find(const struct elfinfo_sym *v, size_t n,
					   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

const char *elfinfo_type_name(enum elfinfo_type t)
{
	static const char *const names[] = { "other", "exec", "dyn", "pie", "rel", "core" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "other";
}

/* --- ar archives ---------------------------------------------------------------------- */

void elfinfo_members_free(struct elfmember *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].name);
		elfinfo_strv_free(m[i].defined, m[i].n_defined);
		elfinfo_free(m[i].elf);
	}
	free(m);
}

/* Appends the member elf (one elf_begin of the archive) to *v; skips the ar tables. */
static int member_add(Elf *elf, struct elfmember **v, size_t *n)
{
	Elf_Arhdr *h = elf_getarhdr(elf);
	int64_t off = elf_getaroff(elf);
	struct elfmember *m;
	int rc;

	if (!h || !h->ar_name || off < 0)
		return -EBADMSG;
	if (!strcmp(h->ar_name, "/") || !strcmp(h->ar_name, "//") ||
	    !strcmp(h->ar_name, "/SYM64/"))
		return 0;
	if (grow(v, *n, sizeof(**v)) < 0)
		return -ENOMEM;
	m = &(*v)[(*n)++];
	*m = (struct elfmember){ .size = (uint64_t)h->ar_size, .offset = (uint64_t)off };
	rc = 0;
	m->name = xdup(h->ar_name, &rc);
	if (rc == 0)
		rc = read_elf(elf, true, &m->elf);
	return rc == -ENOEXEC ? 0 : rc;
}

/* Gives each member its symbols from the archive symbol table (whose offsets name member
 * headers), or without a table, its exports. */
static int members_symbols(Elf *ar, struct elfmember *m, size_t n)
{
	size_t nsym = 0, k = 0;
	Elf_Arsym *sym = elf_getarsym(ar, &nsym);
	int rc = 0;

	for (size_t i = 0; sym && rc == 0 && i < nsym; i++) {
		if (!sym[i].as_name) /* the table ends with a null entry */
			continue;
		for (size_t j = 0; j < n && m[k].offset != sym[i].as_off; j++)
			k = (k + 1) % n; /* the table is in member order: usually no step at all */
		if (n && m[k].offset == sym[i].as_off)
			rc = elfinfo_strv_push(&m[k].defined, &m[k].n_defined, sym[i].as_name);
	}
	for (size_t i = 0; !sym && rc == 0 && i < n; i++)
		for (size_t j = 0; m[i].elf && rc == 0 && j < m[i].elf->n_exports; j++)
			rc = elfinfo_strv_push(&m[i].defined, &m[i].n_defined, m[i].elf->exports[j].name);
	return rc;
}

int elfinfo_archive_members(const char *path, struct elfmember **out, size_t *n)
{
	struct elfmember *v = NULL;
	size_t len = 0;
	Elf *ar, *elf;
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	int fd, rc;

	*out = NULL;
	*n = 0;
	rc = elfinfo_open(path, &fd, &ar);
	if (rc < 0)
		return rc;
	rc = elf_kind(ar) == ELF_K_AR ? 0 : -ENOEXEC;
	while (rc == 0 && (elf = elf_begin(fd, cmd, ar)) != NULL) {
		rc = member_add(elf, &v, &len);
		cmd = elf_next(elf);
		elf_end(elf);
	}
	if (rc == 0)
		rc = members_symbols(ar, v, len);
	if (rc < 0) {
		elfinfo_members_free(v, len);
	} else {
		*out = v;
		*n = len;
	}
	elf_end(ar);
	close(fd);
	return rc;
}
