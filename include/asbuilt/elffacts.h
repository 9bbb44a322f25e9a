/*
 * elffacts.h - reads the ELF facts of the files a recorded build produced and linked with,
 * and stores them in the database (elfq.h; tables elf_info, elf_needed, elf_imports,
 * elf_link_members of docs/database.md).
 *
 * The facts are read from the files on disk, so only a version whose file still has the
 * content the record hashed is read (the same identity - dev, inode, size, mtime, ctime -
 * or, when that differs, the same SHA-256); the others are skipped.  Run it right after the
 * record, before the build tree changes: asbuilt record does, at its end.
 */
#ifndef ASBUILT_ELFFACTS_H
#define ASBUILT_ELFFACTS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct graph;

/* What one elffacts_compute call did. */
struct elffacts_stats {
	size_t stored;	 /* versions whose elf_info row (and needed/imports) was stored */
	size_t known;	 /* versions skipped: elf_info had them already */
	size_t changed;	 /* ELF/ar versions skipped: the file no longer has that content */
	size_t links;	 /* link outputs whose pulled archive members were computed */
	size_t members;	 /* elf_link_members rows stored */
};

/*
 * Computes and stores the ELF facts of build_id: for every ELF or ar version the build wrote
 * (the artifacts included) and every object, archive or shared library a link step read,
 * its elf_info row, its DT_NEEDED entries resolved like the dynamic loader (elf_needed,
 * with the version of the resolved file in the same build when there is one), and for
 * executables and shared libraries the undefined dynamic symbols it imports (elf_imports).
 * For every link step with archive inputs, the archive members the link pulled in
 * (elf_link_members): a member is pulled when it defines a symbol that is undefined, not
 * weak, and not yet defined, after the link's earlier inputs in the order the linker read
 * them (objects, shared libraries, earlier pulled members); each archive is rescanned until
 * nothing more is pulled, and the whole input list until a fixpoint (as ld does within
 * --start-group, which it applies to libc.so's GROUP).
 * Idempotent: versions already in elf_info are skipped, and so are the links that wrote
 * them.  g is the build's graph, or NULL to load it here.  All rows are written in one
 * transaction.  Fills *stats when not NULL.  Returns 0, -ENOENT (no such build), -EIO on a
 * database error (store_errmsg says which), -ENOMEM.
 */
int elffacts_compute(struct store *st, int64_t build_id, const struct graph *g,
		     struct elffacts_stats *stats);

#endif /* ASBUILT_ELFFACTS_H */
