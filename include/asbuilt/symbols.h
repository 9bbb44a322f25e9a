/*
 * symbols.h - what a recorded binary takes from each component, at symbol level
 * (docs/symbols-vex.md): the dynamic symbols it imports from each DT_NEEDED library, the
 * libraries those load in turn, and for static links the archive members the link pulled in
 * with the functions each defines; every library and archive attributed to its component
 * (components.h).
 *
 * The report is made from the ELF facts the record stored (elfq.h: elf_info, elf_needed,
 * elf_imports, elf_link_members) plus what only the files hold, read with libelf when the
 * file still has the content the record hashed: the functions and relocations of archive
 * members, the binary's own .symtab, and the dynamic symbols and relocations of the
 * libraries it loads.  vex.h decides verdicts from it.
 *
 * Everything a report holds is owned by it and freed by symbols_report_free().
 */
#ifndef ASBUILT_SYMBOLS_H
#define ASBUILT_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct graph;
struct components_opts;

/* A set of names: add with symbols_names_add, then symbols_names_sort (sorts and drops
 * duplicates) before symbols_names_has.  Zero-initialised = empty. */
struct symbols_names {
	char **v;
	size_t n, cap;
};

/* Adds a copy of name (unsorted until symbols_names_sort).  0 or -ENOMEM. */
int symbols_names_add(struct symbols_names *s, const char *name);
/* Sorts s by strcmp and removes duplicates. */
void symbols_names_sort(struct symbols_names *s);
/* 1 when the sorted set s holds name, else 0. */
int symbols_names_has(const struct symbols_names *s, const char *name);
/* Frees the names; s is empty again.  NULL is fine. */
void symbols_names_release(struct symbols_names *s);

/* A component a library or archive belongs to.  kind is components_kind_name()'s name;
 * name, version and purl may be NULL (the project has no purl). */
struct symbols_component {
	char *kind, *name, *version, *purl;
};

/* A dynamic symbol imported; version NULL when unversioned. */
struct symbols_import {
	char *name, *version;
};

/* A shared library the binary loads: one of its DT_NEEDED entries (loader -1) or, found by
 * reading the libraries from disk, a library one of those needs (loader = the index of the
 * library that needs it, first found). */
struct symbols_library {
	char *needed;  /* the DT_NEEDED name ("libz.so.1") */
	char *path;    /* the real path the loader would use, NULL when none was found */
	char *sha256;  /* of the version the record holds (a library the build read or
			 * made), else of the file as read now; NULL when unknown */
	int component; /* index into report->comps, or -1 */
	int loader;    /* -1, or the index of the library that needs this one */
	/* what the binary imports from it, by name (only for loader -1) */
	struct symbols_import *imports;
	size_t n_imports;
	/* read from the file (read = 1): 0 when it could not be read or no longer has the
	 * content the record hashed (changed = 1) */
	int read, changed;
	int symbolic;		      /* DT_SYMBOLIC / DF_SYMBOLIC: binds its own symbols */
	struct symbols_names exports; /* defined dynamic symbols (functions and data) */
	struct symbols_names protect; /* those of them with STV_PROTECTED visibility */
	struct symbols_names wants;   /* its own undefined dynamic symbols */
	struct symbols_names relrefs; /* symbols its dynamic relocations name (PLT/GOT) */
	size_t self_refs;	      /* how many of its exports relrefs names: its own
				        * symbols it reaches through the PLT/GOT */
};

/* A function an archive member defines (STT_FUNC or STT_GNU_IFUNC, from .symtab). */
struct symbols_func {
	char *name;
	int local; /* STB_LOCAL: a static function */
};

/* An archive member the link pulled in. */
struct symbols_member {
	char *name;			 /* "inflate.o" */
	struct symbols_names referenced; /* its symbols the link referenced (elf_link_members) */
	/* read from the archive (archive->read): defined functions sorted by name, and the
	 * symbols its relocations of allocated sections name (calls within the member to its
	 * own global functions included; .eh_frame and debug sections left out) */
	struct symbols_func *funcs;
	size_t n_funcs;
	struct symbols_names relrefs;
};

/* An archive the link read members from. */
struct symbols_archive {
	char *path, *sha256;
	int component; /* index into report->comps, or -1 */
	int built;     /* the build wrote it */
	int read;      /* its members were read: the file still has the recorded content */
	struct symbols_member *members; /* pulled in, in archive order */
	size_t n_members;
	/* every function any of its members defines, pulled in or not (when read) */
	struct symbols_names all_funcs;
};

/* An object file the link read whole: the crt files, the program's own objects, the objects
 * of a library compiled into the program. */
struct symbols_object {
	char *path, *sha256;
	int component;		 /* index into report->comps, or -1 */
	int built;		 /* the build wrote it */
	int read;		 /* m's functions and relocations were read (recorded content) */
	struct symbols_member m; /* name: the path's basename; referenced stays empty */
};

/* Everything known of one binary. */
struct symbols_report {
	char *path, *sha256;
	char *type;    /* elf_info.type: "exec", "pie", "dyn" */
	int is_static; /* no PT_INTERP: loads no library */
	struct symbols_component *comps;
	size_t n_comps;
	struct symbols_library *libs;
	size_t n_libs;
	struct symbols_archive *archives;
	size_t n_archives;
	struct symbols_object *objects; /* the link's object inputs, in the order it read them */
	size_t n_objects;
	struct symbols_import *unresolved; /* imports no needed library provides (weak ones) */
	size_t n_unresolved;
	int have_symtab;	       /* its .symtab was read (not stripped, unchanged) */
	struct symbols_names funcs;    /* the functions its .symtab defines, when read */
	struct symbols_names warnings; /* what could not be read, one sentence each */
};

/*
 * Makes the report of version vi of g (a binary the build wrote) from the record in st and
 * the files on disk; copts are the options of the component resolution (components.h;
 * NULL: defaults without the cache).  Returns 0 and a new *out (free with
 * symbols_report_free), -ENOEXEC when vi has no elf_info row or is not an executable or
 * shared library ("exec", "pie", "dyn"), -EIO on a database error (store_errmsg), -ENOMEM.
 */
int symbols_report_make(struct store *st, struct graph *g, int vi,
			const struct components_opts *copts, struct symbols_report **out);

/* Frees r and everything it holds.  NULL is fine. */
void symbols_report_free(struct symbols_report *r);

/* The function named name in m's sorted funcs, or NULL. */
const struct symbols_func *symbols_member_func(const struct symbols_member *m, const char *name);

/* --- the ELF reading behind the report (symbols_elf.c) ------------------------------ */

/*
 * Reads every member of the ar archive at path: into a new array *out of *n members (you
 * own it: free with symbols_members_free) with name, funcs (sorted) and relrefs (sorted)
 * set; referenced is left empty.  Non-ELF members are listed without functions.  Returns
 * 0, -ENOEXEC when path is not an ar archive, -EBADMSG, -ENOMEM, or open()'s -errno.
 */
int symbols_elf_archive(const char *path, struct symbols_member **out, size_t *n);

/* Reads the relocatable object at path into m: name (the basename), funcs, relrefs.
 * Returns 0, -ENOEXEC when it is not ELF, -EBADMSG, -ENOMEM, or open()'s -errno. */
int symbols_elf_object(const char *path, struct symbols_member *m);

/* Frees n members (their names, functions and sets) and the array.  NULL is fine. */
void symbols_members_free(struct symbols_member *m, size_t n);

/* Frees what one member holds; *m is empty again. */
void symbols_member_release(struct symbols_member *m);

/* Reads the shared library at path into lib: exports, protect, wants, relrefs (all
 * sorted), self_refs, symbolic; sets lib->read.  Returns 0, -ENOEXEC (not ELF), -ENOMEM, or open()'s
 * -errno. */
int symbols_elf_library(const char *path, struct symbols_library *lib);

/* Adds to funcs (then sorted) every function the .symtab of the ELF file at path defines.
 * Returns 0, -ENODATA when it has no .symtab (stripped), -ENOEXEC, -ENOMEM, or open()'s
 * -errno. */
int symbols_elf_funcs(const char *path, struct symbols_names *funcs);

/* --- package URLs (symbols_purl.c) ----------------------------------------------------- */

/* A parsed package URL, percent-decoded.  ns and version may be NULL; qualifiers are
 * n_quals key=value pairs (keys lowercased). */
struct symbols_purl {
	char *type, *ns, *name, *version; /* ns: the namespace */
	char **qkey, **qval;
	size_t n_quals;
};

/* Parses s ("pkg:TYPE[/NAMESPACE]/NAME[@VERSION][?QUALIFIERS][#SUBPATH]") into *p.  Returns
 * 0, -EINVAL when s is not a package URL, -ENOMEM.  Release with symbols_purl_release. */
int symbols_purl_parse(const char *s, struct symbols_purl *p);
void symbols_purl_release(struct symbols_purl *p);

/* 1 when the package URL purl (a component's) is the package pattern names: same type,
 * namespace and name; the same version when pattern has one; and every qualifier pattern
 * has, with the same value.  Subpaths are ignored.  0 otherwise (also when purl is NULL or
 * not a package URL). */
int symbols_purl_match(const struct symbols_purl *pattern, const char *purl);

/* --- selecting and printing (symbols_json.c) ----------------------------------------------- */

/* Sets mask[i] (r->n_comps entries) to 1 for every component of r whose purl matches one of
 * pats[0..npats), or for every component (the unattributed ones included) when npats is 0.
 * Returns the number of components selected. */
size_t symbols_report_select(const struct symbols_report *r, const struct symbols_purl *pats,
			     size_t npats, char *mask);

/* The report as a new JSON object (you own it: cJSON_Delete), with the components mask
 * selects (NULL: all); with_unattributed adds the libraries and archives no component
 * explains as a last entry of kind "unresolved".  docs/symbols-vex.md shows the fields.
 * NULL on ENOMEM. */
struct cJSON *symbols_report_json(const struct symbols_report *r, const char *mask,
				  int with_unattributed);

#endif /* ASBUILT_SYMBOLS_H */
