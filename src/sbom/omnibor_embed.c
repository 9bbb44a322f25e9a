/* omnibor_embed.c - the .note.omnibor section of OmniBOR (spec section 8),
 * added to an ELF file with objcopy (see omnibor.h). */
#include "asbuilt/omnibor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/elffacts.h"
#include "asbuilt/gitoids.h"
#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/store.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void put32(unsigned char *p, uint32_t v, int big_endian)
{
	for (int i = 0; i < 4; i++)
		p[big_endian ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

int omnibor_note(const char *gitoid, int big_endian, unsigned char out[OMNIBOR_NOTE_SIZE])
{
	if (!gitoid || strlen(gitoid) != 64)
		return -EINVAL;
	put32(out, 8, big_endian);
	put32(out + 4, 32, big_endian);
	put32(out + 8, OMNIBOR_NT_GITOID_BLOB_SHA256, big_endian);
	memcpy(out + 12, "OMNIBOR\0", 8);
	for (int i = 0; i < 32; i++) {
		int hi = hexval(gitoid[2 * i]), lo = hexval(gitoid[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[20 + i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* 1 when base (a file name) is [PREFIX-]ld, ld.bfd, ld.gold or as; *plen =
 * strlen(PREFIX-). */
static int is_binutils(const char *base, size_t *plen)
{
	static const char *const tails[] = { "ld", "ld.bfd", "ld.gold", "as" };
	size_t n = strlen(base);

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t t = strlen(tails[i]);

		if (n >= t && !strcmp(base + n - t, tails[i]) &&
		    (n == t || base[n - t - 1] == '-')) {
			*plen = n - t;
			return 1;
		}
	}
	return 0;
}

char *omnibor_find_objcopy(const struct graph *g, int vi)
{
	int step = vi >= 0 ? g->v[vi].step : -1;
	const char *env = getenv("OBJCOPY");

	for (size_t k = 0; step >= 0 && k < g->s[step].tools.n; k++) {
		const char *path = g->v[g->s[step].tools.v[k]].path;
		const char *slash = strrchr(path, '/');
		size_t plen;
		char *cand;

		if (!slash || !is_binutils(slash + 1, &plen))
			continue;
		if (asprintf(&cand, "%.*sobjcopy", (int)(slash + 1 - path + plen), path) < 0)
			return NULL;
		if (!access(cand, X_OK))
			return cand;
		free(cand);
	}
	return strdup(env && *env ? env : "objcopy");
}

/* EI_DATA of the ELF file at path: 1 little-endian, 2 big-endian; -ENOEXEC when
 * not ELF. */
static int elf_data(const char *path)
{
	unsigned char id[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, id, sizeof(id));
	close(fd);
	if (n != (ssize_t)sizeof(id) ||
	    memcmp(id,
		   "\x7f"
		   "ELF",
		   4) ||
	    (id[5] != 1 && id[5] != 2))
		return -ENOEXEC;
	return id[5];
}

/* Runs argv with stderr into the file errfd; returns its exit status or -errno.
 */
static int run_cmd(char *const argv[], int errfd)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(errfd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Copies the lines of fd (objcopy's stderr) to our stderr, leaving out the
 * warning every SHF_ALLOC section added outside a segment draws, unless all is
 * set. */
static void relay(int fd, int all)
{
	char line[1024];
	FILE *f;

	lseek(fd, 0, SEEK_SET);
	f = fdopen(dup(fd), "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (all || !strstr(line, "not in segment"))
			fputs(line, stderr);
	fclose(f);
}

static int write_note(int fd, const char *gitoid, int big_endian)
{
	unsigned char note[OMNIBOR_NOTE_SIZE];

	if (omnibor_note(gitoid, big_endian, note))
		return -EINVAL;
	return write(fd, note, sizeof(note)) == (ssize_t)sizeof(note) ? 0 : -EIO;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void omnibor_run_release(struct omnibor_run *r)
{
	free(r->argv);
	memset(r, 0, sizeof(*r));
}

/* argv as one NUL-separated string into run (nothing on ENOMEM). */
static void keep_argv(struct omnibor_run *run, char *const argv[])
{
	size_t len = 0;

	for (int i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	if (!run || !(run->argv = malloc(len)))
		return;
	run->argv_len = len - 1; /* NUL-separated, not NUL-terminated (as the collector stores) */
	len = 0;
	for (int i = 0; argv[i]; i++) {
		memcpy(run->argv + len, argv[i], strlen(argv[i]) + 1);
		len += strlen(argv[i]) + 1;
	}
}

static int objcopy_note(const char *objcopy, const char *path, const char *notefile,
			struct omnibor_run *run, char *err, size_t errlen)
{
	char tmpl[] = "/tmp/asbuilt-objcopy-err.XXXXXX", *add = NULL;
	int efd = mkstemp(tmpl), rc;

	if (efd < 0)
		return -errno;
	unlink(tmpl);
	if (asprintf(&add, ".note.omnibor=%s", notefile) < 0) {
		close(efd);
		return -ENOMEM;
	}
	char *argv[] = { (char *)objcopy,
			 "--remove-section=.note.omnibor",
			 "--add-section",
			 add,
			 "--set-section-flags",
			 ".note.omnibor=alloc,readonly,contents",
			 "--set-section-alignment",
			 ".note.omnibor=4",
			 (char *)path,
			 NULL };
	keep_argv(run, argv);
	if (run)
		run->start_ns = now_ns();
	rc = run_cmd(argv, efd);
	if (run)
		run->end_ns = now_ns();
	relay(efd, rc != 0);
	if (rc) {
		snprintf(err, errlen, "%s could not add .note.omnibor to '%s' (%s %d)", objcopy,
			 path, rc < 0 ? strerror(-rc) : "exit status", rc < 0 ? 0 : rc);
		rc = -EIO;
	}
	free(add);
	close(efd);
	return rc;
}

int omnibor_embed(const char *objcopy, const char *path, const char *sha256, const char *gitoid,
		  struct omnibor_run *run, char *err, size_t errlen)
{
	char note[] = "/tmp/asbuilt-omnibor-note.XXXXXX";
	struct hash_result h;
	struct stat st;
	int data = elf_data(path), fd, rc;

	if (data < 0) {
		snprintf(err, errlen, "cannot embed into '%s': %s", path,
			 data == -ENOEXEC ? "not an ELF file" : strerror(-data));
		return data;
	}
	rc = hash_path(path, &st, &h);
	if (!rc && (!sha256 || strcmp(h.sha256, sha256)))
		rc = -ESTALE;
	if (rc) {
		snprintf(err, errlen, "cannot embed into '%s': %s", path,
			 rc == -ESTALE ? "its content is no longer the one the build wrote"
				       : strerror(-rc));
		return rc;
	}
	fd = mkstemp(note);
	if (fd < 0)
		return -errno;
	rc = write_note(fd, gitoid, data == 2);
	close(fd);
	if (!rc)
		rc = objcopy_note(objcopy, path, note, run, err, errlen);
	else
		snprintf(err, errlen, "cannot write the note for '%s'", path);
	unlink(note);
	return rc;
}

/* --- all in one
 * ------------------------------------------------------------------------- */

/* Embeds the manifest id into the ELF artifact vi and notes the rewrite in the record;
 * *embedded is set when a rewrite was recorded. */
static int embed_one(struct store *st, const struct graph *g, const struct gitoids *ids, int vi,
		     const char *gitoid, FILE *report, int *embedded, char *err, size_t errlen)
{
	const struct graph_version *v = &g->v[vi];
	char *objcopy = omnibor_find_objcopy(g, vi);
	struct omnibor_run run = { 0 };
	struct hash_result h;
	struct stat sb;
	int rc, done = 0;

	if (!objcopy)
		return -ENOMEM;
	if (omnibor_embedded(g, vi)) {
		free(objcopy);
		if (hash_path(v->path, &sb, &h) || !v->sha256 || strcmp(h.sha256, v->sha256)) {
			snprintf(err, errlen,
				 "cannot embed into '%s': its content is no longer the "
				 "one the build wrote (nor the one asbuilt embedded)",
				 v->path);
			return -ESTALE;
		}
		if (report && gitoids_sha256(ids, vi))
			fprintf(report, "already embedded  " OMNIBOR_URI_PREFIX "%s  %s\n",
				gitoids_sha256(ids, vi), v->path);
		return 0;
	}
	rc = omnibor_embed(objcopy, v->path, v->sha256, gitoid, &run, err, errlen);
	if (rc == -ENOEXEC)
		rc = 0; /* not ELF: nothing to embed into */
	else if (!rc && !(rc = omnibor_record(st, g, vi, objcopy, &run, NULL, err, errlen)))
		done = *embedded = 1;
	if (done && report && !hash_path(v->path, &sb, &h))
		fprintf(report, "embedded  " OMNIBOR_URI_PREFIX "%s  %s\n", h.gitoid_sha256,
			v->path);
	omnibor_run_release(&run);
	free(objcopy);
	return rc;
}

int omnibor_write(struct store *st, const struct graph *g, const struct graph_ivec *arts,
		  const char *dir, unsigned flags, FILE *report, char *err, size_t errlen)
{
	struct gitoids ids = { 0 };
	struct omnibor_set set = { 0 };
	struct graph_ivec sorted = { 0 };
	int rc, embedded = 0;

	*err = '\0';
	rc = gitoids_load(st, g, &ids);
	if (!rc)
		rc = omnibor_build(g, &ids, arts, &set);
	if (!rc)
		rc = omnibor_store(g, &ids, &set, dir, err, errlen);
	for (size_t k = 0; !rc && k < arts->n; k++)
		rc = graph_ivec_add(&sorted, arts->v[k]);
	if (!rc)
		graph_sort_by_path(g, &sorted);
	for (size_t k = 0; !rc && k < sorted.n; k++) {
		const struct omnibor_manifest *m = omnibor_manifest_of(&set, sorted.v[k]);

		if (!m)
			continue;
		if (report)
			fprintf(report, OMNIBOR_URI_PREFIX "%s  %s\n", m->gitoid,
				g->v[sorted.v[k]].path);
		if (flags & OMNIBOR_EMBED)
			rc = embed_one(st, g, &ids, sorted.v[k], m->gitoid, report, &embedded, err,
				       errlen);
	}
	/* the ELF facts of the new versions, as asbuilt record reads them at its end */
	if (!rc && embedded && (rc = elffacts_compute(st, g->build_id, NULL, NULL)))
		snprintf(err, errlen, "cannot read the ELF facts of the embedded files: %s",
			 rc == -EIO ? store_errmsg(st) : strerror(-rc));
	if (rc == -ENOMEM && !*err)
		snprintf(err, errlen, "out of memory");
	graph_ivec_release(&sorted);
	omnibor_set_release(&set);
	gitoids_release(&ids);
	return rc;
}
