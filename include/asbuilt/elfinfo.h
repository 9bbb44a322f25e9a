/*
 * elfinfo.h - the ELF facts of one artifact, read with elfutils' libelf (gelf): its type and
 * machine, interpreter, GNU build-id, soname, DT_NEEDED list, rpath/runpath, the dynamic
 * symbols it imports and exports (with their symbol versions), and for relocatable objects
 * the global symbols of .symtab.  Also the members of ar archives with the symbols each
 * defines, and a build-time emulation of the dynamic loader's search for DT_NEEDED names.
 */
#ifndef ASBUILT_ELFINFO_H
#define ASBUILT_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum elfinfo_type {
	ELFINFO_OTHER, /* an e_type not listed below */
	ELFINFO_EXEC,  /* ET_EXEC: position-dependent executable */
	ELFINFO_DYN,   /* ET_DYN that is a shared library */
	ELFINFO_PIE,   /* ET_DYN that is a position-independent executable: DF_1_PIE set, or
			* (older linkers) a PT_INTERP and no DT_SONAME */
	ELFINFO_REL,   /* ET_REL: relocatable object (.o) */
	ELFINFO_CORE,  /* ET_CORE: core dump */
};

/* One symbol.  bind/type/vis are the STB_x / STT_x / STV_x values of <elf.h>. */
struct elfinfo_sym {
	char *name;
	char *version;	 /* symbol version ("GLIBC_2.2.5") from .gnu.version_r (imports) or
			  * .gnu.version_d (exports), or NULL when unversioned */
	char *vfile;	 /* the library a version is required from ("libc.so.6", vn_file of
			  * .gnu.version_r), NULL for versions the object defines itself */
	bool hidden;	 /* non-default version: name@VER rather than name@@VER */
	unsigned char bind, type, vis;
};

struct elfinfo {
	enum elfinfo_type type;
	int elfclass;	  /* ELFCLASS32 or ELFCLASS64 */
	unsigned machine; /* e_machine: EM_X86_64, ... */
	bool is_static;	  /* an executable (EXEC or PIE, static-pie included) without PT_INTERP */
	char *interp;	  /* PT_INTERP string ("/lib64/ld-linux-x86-64.so.2"), or NULL */
	char *build_id;	  /* lowercase hex of the NT_GNU_BUILD_ID note, or NULL (never for CORE) */
	char *soname;	  /* DT_SONAME, or NULL */
	char **needed;	  /* DT_NEEDED names, in dynamic-section order */
	size_t n_needed;
	char *rpath;   /* DT_RPATH, or NULL (unexpanded: "$ORIGIN/../lib") */
	char *runpath; /* DT_RUNPATH, or NULL */
	/* REL: undefined non-local symbols of .symtab.  Others: undefined symbols of .dynsym
	 * (st_shndx == SHN_UNDEF, name non-empty), weak ones included; in table order. */
	struct elfinfo_sym *imports;
	size_t n_imports;
	/* REL: defined global/weak symbols of .symtab (commons included).  Others: defined
	 * non-local symbols of .dynsym (a shared library's exported interface; executables
	 * export only what they were linked to export).  Section and file symbols left out. */
	struct elfinfo_sym *exports;
	size_t n_exports;
};

/* One member of an ar archive. */
struct elfmember {
	char *name;	 /* member name, long names resolved ("foo.o") */
	uint64_t size;	 /* bytes of the member's contents */
	uint64_t offset; /* offset of its ar header in the archive (what the armap refers to) */
	/* global symbols the archive symbol table (elf_getarsym) gives for this member, in
	 * table order; without a symbol table, the member's exports instead */
	char **defined;
	size_t n_defined;
	struct elfinfo *elf; /* the member's own facts (its undefined symbols are elf->imports),
			      * or NULL when the member is not ELF */
};

/* Reads the ELF facts of the file at path into a new *out; you own it, free it with
 * elfinfo_free().  Returns 0, -ENOEXEC when the file is not ELF (an ar archive included:
 * see elfinfo_archive_members), -EISDIR for a directory, -EBADMSG for malformed ELF data,
 * -ENOMEM, or the negative errno of open(). */
int elfinfo_read(const char *path, struct elfinfo **out);

/* elfinfo_read() without the symbols (imports and exports stay empty): the type, interp,
 * build-id, soname, needed list and paths, for a fraction of the time on large binaries. */
int elfinfo_read_headers(const char *path, struct elfinfo **out);

/* Frees e and everything it points to.  NULL is fine. */
void elfinfo_free(struct elfinfo *e);

/* Lists the members of the ar archive at path (the symbol and long-name tables left out),
 * in archive order, into a new array *out of *n entries; you own it, free it with
 * elfinfo_members_free().  Returns 0, -ENOEXEC when the file is not an ar archive, -EBADMSG,
 * -ENOMEM, or the negative errno of open().  Thin archives are not supported (-ENOEXEC). */
int elfinfo_archive_members(const char *path, struct elfmember **out, size_t *n);

/* Frees an array of n members from elfinfo_archive_members().  NULL is fine. */
void elfinfo_members_free(struct elfmember *m, size_t n);

/*
 * Resolves e->needed to files the way the dynamic loader would for the binary at binary_path
 * (whose facts e are), at build time: DT_RPATH when there is no DT_RUNPATH, then DT_RUNPATH
 * ($ORIGIN and ${ORIGIN} expanded to the directory of the binary's real path; entries with
 * other $ tokens and empty entries are skipped), then the directories of /etc/ld.so.conf
 * and the files it includes (standing in for /etc/ld.so.cache, which ldconfig builds from
 * them), then the default directories (/lib/<multiarch>, /usr/lib/<multiarch>, /lib64 and
 * /usr/lib64 for 64-bit, /lib, /usr/lib).  LD_LIBRARY_PATH is not used; a name holding a '/'
 * is taken as a path as is.  A candidate counts only when it is ELF of e's class and machine.
 * RPATHs of the loading objects are not inherited: resolve each library's own needed list
 * with its own facts.
 * Fills a new array *paths of e->n_needed entries: the real path of the match (malloc'd), or
 * NULL when none was found; you own it, free it with elfinfo_paths_free().  Returns 0 (also
 * when some names were not found) or -ENOMEM.
 */
int elfinfo_resolve_needed(const struct elfinfo *e, const char *binary_path, char ***paths);

/* Frees an array of n paths from elfinfo_resolve_needed().  NULL is fine. */
void elfinfo_paths_free(char **paths, size_t n);

/* Returns the first symbol named name among v[0..n), or NULL.  Borrowed from v. */
const struct elfinfo_sym *elfinfo_sym_find(const struct elfinfo_sym *v, size_t n,
					   const char *name);

/* Returns a static lowercase name of t: "exec", "dyn", "pie", "rel", "core" or "other". */
const char *elfinfo_type_name(enum elfinfo_type t);

#endif /* ASBUILT_ELFINFO_H */
