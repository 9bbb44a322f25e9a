/*
 * elfq.h - the ELF facts of file versions in the database (schema version 2, tables
 * elf_info, elf_needed, elf_imports, elf_link_members; docs/database.md).  All SQL is in
 * src/store/elfq.c; statements are prepared once per store (store_stmt).  Writers do not
 * open transactions: the caller wraps a batch in store_begin / store_commit.
 */
#ifndef ASBUILT_ELFQ_H
#define ASBUILT_ELFQ_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* One elf_info row.  type is "exec", "dyn", "pie", "rel", "core", "other" (elfinfo) or "ar"
 * (an ar archive); machine 0, interp, build_id and soname NULL are stored as SQL NULL. */
struct elfq_info {
	int64_t version_id;
	const char *type;
	unsigned machine;
	const char *interp, *build_id, *soname;
	int is_static;
};

/* The identity a file version had when it was hashed (file_versions: size, dev, ino,
 * mtime_ns, ctime_ns). */
struct elfq_stat {
	int64_t size, dev, ino, mtime_ns, ctime_ns;
};

/* Reads the identity of version_id into *out.  Returns 0, -ENOENT, or -EIO. */
int elfq_version_stat(struct store *st, int64_t version_id, struct elfq_stat *out);

/* 1 when version_id has an elf_info row, 0 when not, -EIO on an SQLite error. */
int elfq_has_info(struct store *st, int64_t version_id);

/* Inserts the elf_info row (ignored when version_id has one).  Returns 0 or -EIO. */
int elfq_info_put(struct store *st, const struct elfq_info *in);

/* Adds DT_NEEDED entry idx (0-based) of version_id: name, the real path the loader would
 * load (NULL: not found) and its version in the same build (0 = none).  0 or -EIO. */
int elfq_needed_put(struct store *st, int64_t version_id, int idx, const char *name,
		    const char *resolved_path, int64_t resolved_version_id);

/* Adds an undefined dynamic symbol version_id imports: name, symbol version ("GLIBC_2.2.5")
 * and the library that version is required from ("libc.so.6"), either NULL.  0 or -EIO. */
int elfq_import_put(struct store *st, int64_t version_id, const char *name,
		    const char *version, const char *library);

/* Records that the link that wrote link_version_id pulled member of the archive version
 * archive_version_id in, for symbols (space-separated).  Ignored when already there.
 * Returns 0 or -EIO. */
int elfq_link_member_put(struct store *st, int64_t link_version_id,
			 int64_t archive_version_id, const char *member, const char *symbols);

/* --- reading the facts back (asbuilt symbols, vex) --------------------------------------
 * The walkers prepare their own statement (a callback may run other queries), call fn for
 * every row with strings borrowed for the call only, stop at fn's first non-zero return and
 * return it; otherwise 0, or -EIO on an SQLite error (store_errmsg says which). */

/* The type ("exec", "pie", "dyn", "rel", "ar", ...) of version_id's elf_info row, copied
 * into type (NUL-terminated, truncated to len - 1 bytes), and its is_static flag.
 * Returns 0, -ENOENT when version_id has no elf_info row, or -EIO. */
int elfq_info_get(struct store *st, int64_t version_id, char *type, size_t len, int *is_static);

/* One elf_needed row, with the SHA-256 of the resolved version when there is one
 * (resolved_version_id 0 and resolved_sha256 NULL otherwise; resolved_path NULL: not
 * found). */
struct elfq_needed_row {
	int idx;
	const char *name, *resolved_path, *resolved_sha256;
	int64_t resolved_version_id;
};

/* The DT_NEEDED entries of version_id, in idx order. */
int elfq_each_needed(struct store *st, int64_t version_id,
		     int (*fn)(const struct elfq_needed_row *r, void *ctx), void *ctx);

/* One elf_imports row (version and library NULL when unknown). */
struct elfq_import_row {
	const char *name, *version, *library;
};

/* The dynamic symbols version_id imports, ordered by name, then version. */
int elfq_each_import(struct store *st, int64_t version_id,
		     int (*fn)(const struct elfq_import_row *r, void *ctx), void *ctx);

/* One elf_link_members row with its archive's version: path, SHA-256 (NULL unless the
 * version's state is 'ok') and whether the build wrote it (origin other than
 * 'preexisting'). */
struct elfq_member_row {
	int64_t archive_version_id;
	const char *archive_path, *archive_sha256;
	int archive_built;
	const char *member, *symbols;
};

/* The archive members the link that wrote link_version_id pulled in, ordered by archive
 * path, then in the order they were stored (archive order). */
int elfq_each_link_member(struct store *st, int64_t link_version_id,
			  int (*fn)(const struct elfq_member_row *r, void *ctx), void *ctx);

#endif /* ASBUILT_ELFQ_H */
