/*
 * omnibor.h - OmniBOR input manifests of a recorded build (docs/omnibor.md).
 *
 * For every artifact, and every version the build wrote that went into one and
 * has inputs itself (objects, archives, generated headers, build-produced
 * tools), an input manifest: "gitoid:blob:sha256\n", then one line per distinct
 * input, sorted: "<gitoid>\n" for an input without a manifest, "<gitoid>
 * manifest <manifest gitoid>\n" for one with.  Inputs are the step's direct
 * inputs (graph_direct) plus the tools the build produced and ran in that step
 * (btools).  A manifest's own id is the gitoid (sha256 of "blob <len>\0" +
 * bytes).  Everything is computed from the record: the same record gives the
 * same bytes.
 */
#ifndef ASBUILT_OMNIBOR_H
#define ASBUILT_OMNIBOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct graph;
struct graph_ivec;
struct gitoids;
struct store;

#define OMNIBOR_HEADER "gitoid:blob:sha256\n"
#define OMNIBOR_URI_PREFIX "gitoid:blob:sha256:"
#define OMNIBOR_DIRNAME "gitoid_blob_sha256" /* "gitoid:blob:sha256" with ':' -> '_' */
#define OMNIBOR_NT_GITOID_BLOB_SHA256 1u
#define OMNIBOR_NOTE_SIZE 52 /* namesz, descsz, type, "OMNIBOR\0", 32 bytes of sha256 */

struct omnibor_manifest {
	int vi;		 /* the version it describes (graph index) */
	char gitoid[65]; /* its own gitoid:blob:sha256, hex */
	char *text;	 /* the manifest bytes (ASCII, NUL-terminated) */
	size_t len;	 /* strlen(text) */
	size_t nskipped; /* inputs left out for want of a gitoid */
	int is_artifact; /* one of the artifacts it was asked for */
};

/* The manifests of a set of artifacts.  Zero-initialised = empty;
 * omnibor_set_release. */
struct omnibor_set {
	struct omnibor_manifest *m; /* in the order they were completed (inputs first) */
	size_t n, cap;
	int *by_v; /* per version index: manifest index + 1, 0 none, -1 being built */
	size_t nv;
	size_t nskipped; /* distinct versions left out for want of a gitoid */
};

/* Computes the manifests of the artifacts arts (version indices of g) and,
 * recursively, of their inputs, with the gitoids of ids.  An artifact without a
 * single input gets no manifest.  Returns 0 or -ENOMEM; on failure out is
 * released. */
int omnibor_build(const struct graph *g, const struct gitoids *ids, const struct graph_ivec *arts,
		  struct omnibor_set *out);

/* Frees everything in s; accepts a zeroed set. */
void omnibor_set_release(struct omnibor_set *s);

/* The manifest of version vi in s (borrowed), or NULL. */
const struct omnibor_manifest *omnibor_manifest_of(const struct omnibor_set *s, int vi);

/* The gitoid:blob:sha256 of len bytes at buf, as hex into out. */
void omnibor_gitoid(const void *buf, size_t len, char out[65]);

/* The path of the manifest with id gitoid under dir:
 * DIR/manifests/gitoid_blob_sha256/ <2 hex>/<62 hex>, as a new string you own;
 * NULL on ENOMEM. */
char *omnibor_manifest_path(const char *dir, const char *gitoid);

/* Writes every manifest of s under dir (created as needed; a manifest already
 * there is rewritten only when its bytes differ) and dir/index.tsv
 * (omnibor_write_index). Returns 0 or a negative errno; err gets a sentence
 * naming the file. */
int omnibor_store(const struct graph *g, const struct gitoids *ids, const struct omnibor_set *s,
		  const char *dir, char *err, size_t errlen);

/* Writes the index: one line per manifest, sorted by path then version:
 * "<path>\t<artifact gitoid URI>\t<manifest gitoid
 * URI>\t<artifact|intermediate>\n", with
 * '\\', '\t' and '\n' in paths written as "\\\\", "\\t", "\\n".  0 or -EIO. */
int omnibor_write_index(const struct graph *g, const struct gitoids *ids,
			const struct omnibor_set *s, FILE *out);

/* --- all in one (what `asbuilt omnibor` and `asbuilt sbom --format omnibor`
 * run) ---------- */

#define OMNIBOR_EMBED 0x1 /* also add .note.omnibor to every ELF artifact */

/* Loads the gitoids of g's build from st, computes the manifests of arts,
 * writes them and the index under dir (omnibor_store) and, with OMNIBOR_EMBED,
 * embeds each ELF artifact's manifest id into it (omnibor_embed; non-ELF
 * artifacts are left alone, and so are artifacts an earlier embedding wrote,
 * omnibor_embedded), notes each rewrite in the record (omnibor_record) and reads
 * the ELF facts of the new versions (elffacts_compute).  report (may be NULL)
 * gets one line per artifact with a manifest, "<manifest gitoid URI>  <path>",
 * sorted by path, and per embedding "embedded  <new gitoid URI of the file>
 * <path>" (or "already embedded  <gitoid URI>  <path>").  Returns 0 or a
 * negative errno with a sentence in err (-EIO: a database error when err is
 * empty, see store_errmsg). */
int omnibor_write(struct store *st, const struct graph *g, const struct graph_ivec *arts,
		  const char *dir, unsigned flags, FILE *report, char *err, size_t errlen);

/* --- embedding (omnibor_embed.c)
 * ------------------------------------------------------ */

/* The .note.omnibor content for manifest id gitoid (64 hex): one ELF note,
 * namesz 8, descsz 32, type NT_GITOID_BLOB_SHA256 (1), name "OMNIBOR\0", desc
 * the 32 raw bytes of the id, the three words in the byte order big_endian
 * says.  Returns 0, -EINVAL (not 64 hex). */
int omnibor_note(const char *gitoid, int big_endian, unsigned char out[OMNIBOR_NOTE_SIZE]);

/* The objcopy to rewrite version vi with: the one next to the linker or
 * assembler the step that wrote vi ran (same directory and target prefix:
 * /usr/bin/x86_64-linux-gnu-ld.bfd -> /usr/bin/x86_64-linux-gnu-objcopy), else
 * $OBJCOPY, else "objcopy" from PATH.  A new string you own; NULL on ENOMEM. */
char *omnibor_find_objcopy(const struct graph *g, int vi);

/* How omnibor_embed ran objcopy: what the record needs to note the rewrite. */
struct omnibor_run {
	char *argv; /* NUL-separated, argv_len bytes (as processes.argv) */
	size_t argv_len;
	int64_t start_ns, end_ns; /* wall clock, nanoseconds since the epoch */
};

/* Frees the strings of r (not r); accepts a zeroed struct. */
void omnibor_run_release(struct omnibor_run *r);

/* Adds a .note.omnibor section (SHT_NOTE, SHF_ALLOC) holding manifest id gitoid
 * to the ELF file at path, in place, with objcopy.  The file must still have
 * content sha256 (the version the record holds).  When run is not NULL it gets
 * the command and its times (yours: omnibor_run_release), also on failure.
 * Returns 0; -ENOEXEC when path is not ELF, -ESTALE when its content is no
 * longer the recorded one, -EIO when objcopy failed, another negative errno;
 * err gets a sentence. */
int omnibor_embed(const char *objcopy, const char *path, const char *sha256, const char *gitoid,
		  struct omnibor_run *run, char *err, size_t errlen);

/* --- the rewrite in the record (omnibor_record.c) ----------------------------------- */

#define OMNIBOR_SOURCE "asbuilt" /* processes.source of a step asbuilt itself ran */

/*
 * Notes in the record of g's build (st) that objcopy (as run) rewrote version vi in place
 * (docs/omnibor.md, "The record notes the rewrite"), in one transaction: a processes row
 * for the objcopy run (exe its real path, argv and times of run, cwd, exit 0, source
 * OMNIBOR_SOURCE, no parent: it ran after the build), its exec of objcopy, read of version
 * vi and write of the new version (file_events), and the new version of the path
 * (file_versions: next vseq, origin 'written', writer that process, the hashes and
 * identity of the file as it is now); objcopy's own executable gets a 'preexisting'
 * version when the build has none.  The graph g is not updated (load it again).
 * *new_id (may be NULL) gets the new version's id.  Returns 0, -ENOENT (the file is gone),
 * -EIO (a database error: store_errmsg), -ENOMEM; err gets a sentence.
 */
int omnibor_record(struct store *st, const struct graph *g, int vi, const char *objcopy,
		   const struct omnibor_run *run, int64_t *new_id, char *err, size_t errlen);

/* Whether version vi was written by an embedding (omnibor_record): its step's command has
 * "--add-section .note.omnibor=...".  Such a version is not embedded into again. */
int omnibor_embedded(const struct graph *g, int vi);

#endif /* ASBUILT_OMNIBOR_H */
