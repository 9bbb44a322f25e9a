/*
 * symbols_elf.c - the ELF reading behind asbuilt symbols (symbols.h), through elfutils'
 * libelf (gelf API only): the functions and relocations of archive members, the functions
 * of a binary's .symtab, and a shared library's dynamic symbols (elfinfo.h) with the
 * symbols its dynamic relocations name.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/elfinfo.h"
#include "asbuilt/symbols.h"

/* Opens path for libelf.  Returns 0 with *fd and *elf set (the caller ends and closes
 * them), or a negative errno. */
static int open_elf(const char *path, int *fd, Elf **elf)
{
	struct stat st;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL)) != NULL)
		return 0;
	close(*fd);
	return -ENOEXEC;
}

/* The section named by the symbol table scn's entries, and its strings: *d, *sh.  0 or
 * -EBADMSG. */
static int symtab_of(Elf_Scn *scn, Elf_Data **d, GElf_Shdr *sh)
{
	if (!scn || !gelf_getshdr(scn, sh) || !(*d = elf_getdata(scn, NULL)))
		return -EBADMSG;
	return 0;
}

/* Calls fn(name, local, ctx) for every function (STT_FUNC, STT_GNU_IFUNC) the .symtab of
 * elf defines.  Returns 0, fn's non-zero result, -ENODATA when there is no .symtab, or
 * -EBADMSG. */
static int each_func(Elf *elf, int (*fn)(const char *name, int local, void *ctx), void *ctx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf_Data *d;
	int rc = -ENODATA;

	while ((scn = elf_nextscn(elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn)
		return rc;
	if ((rc = symtab_of(scn, &d, &sh)))
		return rc;
	for (size_t i = 1; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize && !rc; i++) {
		GElf_Sym s;
		const char *name;
		int type;

		if (!gelf_getsym(d, (int)i, &s))
			return -EBADMSG;
		type = GELF_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		name = elf_strptr(elf, sh.sh_link, s.st_name);
		if (name && *name)
			rc = fn(name, GELF_ST_BIND(s.st_info) == STB_LOCAL, ctx);
	}
	return rc;
}

/* Whether the relocation section rsh of a relocatable object applies to code or data that
 * is loaded: its target section is allocated and is not .eh_frame (unwind tables name
 * functions without calling them).  Debug sections are not allocated. */
static int loaded_target(Elf *elf, const GElf_Shdr *rsh)
{
	Elf_Scn *t = elf_getscn(elf, rsh->sh_info);
	size_t shstrndx;
	GElf_Shdr tsh;
	const char *name;

	if (!t || !gelf_getshdr(t, &tsh) || !(tsh.sh_flags & SHF_ALLOC))
		return 0;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return 1;
	name = elf_strptr(elf, shstrndx, tsh.sh_name);
	return !name || strcmp(name, ".eh_frame") != 0;
}

/* Adds the symbol of relocation info (its symbol index) of the symbol table symd/symsh. */
static int add_relsym(Elf *elf, Elf_Data *symd, const GElf_Shdr *symsh, uint64_t info,
		      struct symbols_names *out)
{
	size_t idx = GELF_R_SYM(info);
	const char *name;
	GElf_Sym s;

	if (!idx || !gelf_getsym(symd, (int)idx, &s))
		return 0;
	if (GELF_ST_TYPE(s.st_info) == STT_SECTION)
		return 0;
	name = elf_strptr(elf, symsh->sh_link, s.st_name);
	return name && *name ? symbols_names_add(out, name) : 0;
}

/* Adds to out the symbols named by the relocations of section scn (SHT_REL or SHT_RELA). */
static int scn_relrefs(Elf *elf, Elf_Scn *scn, const GElf_Shdr *rsh, struct symbols_names *out)
{
	Elf_Data *rd = elf_getdata(scn, NULL), *symd;
	GElf_Shdr symsh;
	size_t n = rsh->sh_entsize ? rsh->sh_size / rsh->sh_entsize : 0;
	int rc = symtab_of(elf_getscn(elf, rsh->sh_link), &symd, &symsh);

	for (size_t i = 0; !rc && rd && i < n; i++) {
		GElf_Rela ra;
		GElf_Rel r;

		if (rsh->sh_type == SHT_RELA && gelf_getrela(rd, (int)i, &ra))
			rc = add_relsym(elf, symd, &symsh, ra.r_info, out);
		else if (rsh->sh_type == SHT_REL && gelf_getrel(rd, (int)i, &r))
			rc = add_relsym(elf, symd, &symsh, r.r_info, out);
	}
	return rc == -EBADMSG ? 0 : rc;
}

/* Adds to out (then sorted) the symbols the relocations of elf name: for an object, those
 * applying to loaded sections; for a shared library (dynamic != 0), its dynamic ones. */
static int read_relrefs(Elf *elf, int dynamic, struct symbols_names *out)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int rc = 0;

	while (!rc && (scn = elf_nextscn(elf, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL))
			continue;
		if (dynamic ? !(sh.sh_flags & SHF_ALLOC) : !loaded_target(elf, &sh))
			continue;
		rc = scn_relrefs(elf, scn, &sh, out);
	}
	symbols_names_sort(out);
	return rc;
}

/* --- archive members ------------------------------------------------------------------ */

static int by_func(const void *a, const void *b)
{
	const struct symbols_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->local - y->local;
}

static int add_func(const char *name, int local, void *ctx)
{
	struct symbols_member *m = ctx;
	struct symbols_func *v;

	if (!(m->n_funcs & (m->n_funcs + 1)) || !m->funcs) { /* grow at 0, 1, 3, 7, ... */
		v = realloc(m->funcs, (2 * m->n_funcs + 2) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->funcs = v;
	}
	if (!(m->funcs[m->n_funcs].name = strdup(name)))
		return -ENOMEM;
	m->funcs[m->n_funcs++].local = local;
	return 0;
}

/* Reads the functions and relocations of the ELF object elf into m. */
static int object_read(Elf *elf, struct symbols_member *m)
{
	int rc = each_func(elf, add_func, m);

	if (rc && rc != -ENODATA)
		return rc;
	if (m->n_funcs)
		qsort(m->funcs, m->n_funcs, sizeof(*m->funcs), by_func);
	return read_relrefs(elf, 0, &m->relrefs);
}

/* Reads one member (an elf_begin of the archive) into m. */
static int member_read(Elf *elf, struct symbols_member *m)
{
	Elf_Arhdr *h = elf_getarhdr(elf);

	if (!h || !h->ar_name)
		return -EBADMSG;
	if (!(m->name = strdup(h->ar_name)))
		return -ENOMEM;
	return elf_kind(elf) == ELF_K_ELF ? object_read(elf, m) : 0;
}

int symbols_elf_object(const char *path, struct symbols_member *m)
{
	const char *b = strrchr(path, '/');
	Elf *elf;
	int fd, rc = open_elf(path, &fd, &elf);

	if (rc)
		return rc;
	if (!(m->name = strdup(b && b[1] ? b + 1 : path)))
		rc = -ENOMEM;
	else
		rc = elf_kind(elf) == ELF_K_ELF ? object_read(elf, m) : -ENOEXEC;
	elf_end(elf);
	close(fd);
	return rc;
}

static int is_table(Elf *elf)
{
	Elf_Arhdr *h = elf_getarhdr(elf);

	return h && h->ar_name &&
	       (!strcmp(h->ar_name, "/") || !strcmp(h->ar_name, "//") ||
		!strcmp(h->ar_name, "/SYM64/"));
}

/* Appends the next member to *v (grown as needed). */
static int member_push(Elf *elf, struct symbols_member **v, size_t *n)
{
	struct symbols_member *p;

	if (!(*n & (*n + 1)) || !*v) {
		p = realloc(*v, (2 * *n + 2) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*v = p;
	}
	p = &(*v)[(*n)++];
	memset(p, 0, sizeof(*p));
	return member_read(elf, p);
}

int symbols_elf_archive(const char *path, struct symbols_member **out, size_t *n)
{
	struct symbols_member *v = NULL;
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	Elf *ar, *elf;
	size_t len = 0;
	int fd, rc = open_elf(path, &fd, &ar);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = elf_kind(ar) == ELF_K_AR ? 0 : -ENOEXEC;
	while (!rc && (elf = elf_begin(fd, cmd, ar)) != NULL) {
		if (!is_table(elf))
			rc = member_push(elf, &v, &len);
		cmd = elf_next(elf);
		elf_end(elf);
	}
	elf_end(ar);
	close(fd);
	if (rc) {
		symbols_members_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void symbols_member_release(struct symbols_member *m)
{
	free(m->name);
	for (size_t k = 0; k < m->n_funcs; k++)
		free(m->funcs[k].name);
	free(m->funcs);
	symbols_names_release(&m->referenced);
	symbols_names_release(&m->relrefs);
	memset(m, 0, sizeof(*m));
}

void symbols_members_free(struct symbols_member *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		symbols_member_release(&m[i]);
	free(m);
}

/* --- a binary's .symtab ----------------------------------------------------------------- */

static int add_name(const char *name, int local, void *ctx)
{
	(void)local;
	return symbols_names_add(ctx, name);
}

int symbols_elf_funcs(const char *path, struct symbols_names *funcs)
{
	Elf *elf;
	int fd, rc = open_elf(path, &fd, &elf);

	if (rc)
		return rc;
	rc = elf_kind(elf) == ELF_K_ELF ? each_func(elf, add_name, funcs) : -ENOEXEC;
	symbols_names_sort(funcs);
	elf_end(elf);
	close(fd);
	return rc;
}

/* --- shared libraries ------------------------------------------------------------------- */

/* Whether the dynamic section of elf asks for symbolic binding (DT_SYMBOLIC, or DF_SYMBOLIC
 * in DT_FLAGS): the library's references to its own symbols bind to them directly. */
static int is_symbolic(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;

			if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag == DT_SYMBOLIC ||
			    (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_SYMBOLIC)))
				return 1;
		}
	}
	return 0;
}

/* Fills lib's sets from the dynamic symbols elfinfo read. */
static int library_syms(const struct elfinfo *ei, struct symbols_library *lib)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < ei->n_exports; i++) {
		rc = symbols_names_add(&lib->exports, ei->exports[i].name);
		if (!rc && ei->exports[i].vis == STV_PROTECTED)
			rc = symbols_names_add(&lib->protect, ei->exports[i].name);
	}
	for (size_t i = 0; !rc && i < ei->n_imports; i++)
		rc = symbols_names_add(&lib->wants, ei->imports[i].name);
	symbols_names_sort(&lib->exports);
	symbols_names_sort(&lib->protect);
	symbols_names_sort(&lib->wants);
	return rc;
}

int symbols_elf_library(const char *path, struct symbols_library *lib)
{
	struct elfinfo *ei = NULL;
	Elf *elf;
	int fd, rc = elfinfo_read(path, &ei);

	if (rc)
		return rc;
	rc = library_syms(ei, lib);
	elfinfo_free(ei);
	if (rc || (rc = open_elf(path, &fd, &elf)))
		return rc;
	lib->symbolic = is_symbolic(elf);
	rc = read_relrefs(elf, 1, &lib->relrefs);
	elf_end(elf);
	close(fd);
	for (size_t i = 0; !rc && i < lib->relrefs.n; i++)
		lib->self_refs += (size_t)symbols_names_has(&lib->exports, lib->relrefs.v[i]);
	if (!rc)
		lib->read = 1;
	return rc;
}
