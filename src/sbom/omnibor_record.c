/* omnibor_record.c - the record notes the rewrite that `omnibor --embed` made: the objcopy
 * run becomes a process of the build with its exec, read and write, and the rewritten file
 * a new version (see omnibor.h). */
#include "asbuilt/omnibor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/graph.h"
#include "asbuilt/hash.h"
#include "asbuilt/store.h"

int omnibor_embedded(const struct graph *g, int vi)
{
	const struct graph_version *v = &g->v[vi];
	const struct graph_proc *p;
	const char *a, *end;

	if (v->step < 0)
		return 0;
	p = &g->p[g->s[v->step].root];
	if (!p->argv)
		return 0;
	end = p->argv + p->argv_len;
	for (a = p->argv; a < end; a += strlen(a) + 1) /* "--add-section .note.omnibor=NOTE" */
		if (!strcmp(a, "--add-section") && a + strlen(a) + 1 < end &&
		    !strncmp(a + strlen(a) + 1, ".note.omnibor=", 14))
			return 1;
	return 0;
}

/* The real path of the program objcopy names (a path, or a name looked up in $PATH), as a
 * new string; NULL when it cannot be found. */
static char *program_path(const char *objcopy)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(objcopy, '/'))
		return realpath(objcopy, NULL);
	for (const char *d = path ? path : "/usr/bin:/bin"; *d;) {
		size_t n = strcspn(d, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? d : ".", objcopy);
		if (!access(buf, X_OK))
			return realpath(buf, NULL);
		d += n + (d[n] == ':');
	}
	return NULL;
}

/* A version row of path as it is now; 0 and *id (and its hashes in *hout when not NULL), or
 * a negative errno. */
static int version_now(struct store *st, int64_t build, const char *path, int64_t vseq,
		       const char *origin, int64_t writer, int64_t *id, struct hash_result *hout)
{
	struct hash_result h;
	struct stat sb;
	int rc = hash_path(path, &sb, &h);
	struct store_version v = {
		.build_id = build,
		.path = path,
		.vseq = vseq,
		.sha256 = h.sha256,
		.gitoid_sha1 = h.gitoid_sha1,
		.gitoid_sha256 = h.gitoid_sha256,
		.sha1 = h.sha1,
		.size = (int64_t)h.size,
		.dev = (int64_t)sb.st_dev,
		.ino = (int64_t)sb.st_ino,
		.mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec,
		.ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec,
		.origin = origin,
		.writer_id = writer,
		.state = "ok",
	};

	if (rc)
		return rc;
	if (hout)
		*hout = h;
	*id = store_version_add(st, &v);
	return *id > 0 ? 0 : -EIO;
}

static int event(struct store *st, int64_t build, int64_t proc, int64_t ts, const char *op,
		 const char *access, const char *path, const char *real, int64_t flags, int64_t vid)
{
	struct store_event e = { .build_id = build,
				 .process_id = proc,
				 .ts_ns = ts,
				 .op = op,
				 .access = access,
				 .path = path,
				 .abspath = real,
				 .realpath = real,
				 .flags = flags,
				 .result = !strcmp(op, "open") ? 3 : 0,
				 .version_id = vid };

	return store_event_add(st, &e) > 0 ? 0 : -EIO;
}

/* The version id of objcopy's executable in the build (the newest one the build has, else a
 * new 'preexisting' one) and its sha256 into sha (65 bytes). */
static int exe_version(struct store *st, const struct graph *g, const char *exe, int64_t *id,
		       char *sha)
{
	int v = graph_latest(g, exe), rc;
	struct hash_result h;

	if (v >= 0 && g->v[v].sha256) {
		*id = g->v[v].id;
		snprintf(sha, HASH_HEX_SHA256, "%s", g->v[v].sha256);
		return 0;
	}
	rc = version_now(st, g->build_id, exe, v >= 0 ? g->v[v].vseq + 1 : 1, "preexisting", 0, id,
			 &h);
	if (!rc)
		memcpy(sha, h.sha256, HASH_HEX_SHA256);
	return rc;
}

/* The rows, inside the transaction. */
static int rows(struct store *st, const struct graph *g, int vi, const char *objcopy,
		const char *exe, const struct omnibor_run *run, int64_t *new_id)
{
	const struct graph_version *v = &g->v[vi];
	char *cwd = getcwd(NULL, 0);
	struct store_process p = { .build_id = g->build_id,
				   .pid = (int)getpid(),
				   .ppid = (int)getppid(),
				   .exe = exe,
				   .exec_path = objcopy,
				   .cwd = cwd,
				   .argv = { run->argv, run->argv_len },
				   .uid = (int)getuid(),
				   .gid = (int)getgid(),
				   .start_ns = run->start_ns,
				   .source = OMNIBOR_SOURCE };
	char sha[HASH_HEX_SHA256];
	int64_t pid, exe_vid, nid;
	int rc;

	pid = store_process_new(st, &p);
	free(cwd);
	if (pid <= 0 ||
	    store_process_end(st, pid, run->end_ns, 0, "exit", (struct store_bytes){ 0 }, NULL))
		return -EIO;
	if ((rc = exe_version(st, g, exe, &exe_vid, sha)))
		return rc;
	if (store_process_set_exe_hash(st, pid, sha))
		return -EIO;
	if ((rc = version_now(st, g->build_id, v->path, g->v[graph_latest(g, v->path)].vseq + 1,
			      "written", pid, &nid, NULL)))
		return rc;
	rc = event(st, g->build_id, pid, run->start_ns, "exec", "read", objcopy, exe, 0, exe_vid);
	if (!rc)
		rc = event(st, g->build_id, pid, run->start_ns, "open", "read", v->path, v->path,
			   O_RDONLY, v->id);
	if (!rc)
		rc = event(st, g->build_id, pid, run->end_ns, "open", "write", v->path, v->path,
			   O_WRONLY | O_CREAT | O_TRUNC, nid);
	if (!rc && new_id)
		*new_id = nid;
	return rc;
}

int omnibor_record(struct store *st, const struct graph *g, int vi, const char *objcopy,
		   const struct omnibor_run *run, int64_t *new_id, char *err, size_t errlen)
{
	const char *path = g->v[vi].path;
	char *exe = program_path(objcopy);
	int rc;

	if (!run->argv) {
		free(exe);
		snprintf(err, errlen, "embedded into '%s' but out of memory to note it", path);
		return -ENOMEM;
	}
	rc = store_begin(st) ? -EIO : rows(st, g, vi, objcopy, exe ? exe : objcopy, run, new_id);
	if (!rc && store_commit(st))
		rc = -EIO;
	if (rc) {
		snprintf(err, errlen,
			 "embedded into '%s' but could not note the rewrite in the record: %s",
			 path, rc == -EIO ? store_errmsg(st) : strerror(-rc));
		store_rollback(st);
	}
	free(exe);
	return rc;
}
