/* fileops.c - one file operation record -> a file_events row and its version. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/noise.h"
#include "asbuilt/hashstore.h"
#include "asbuilt/store.h"
#include "internal.h"

static const char *const op_names[AB_OP_MAX] = {
	[AB_OP_OPEN] = "open",	       [AB_OP_RENAME] = "rename",   [AB_OP_LINK] = "link",
	[AB_OP_SYMLINK] = "symlink",   [AB_OP_UNLINK] = "unlink",   [AB_OP_TRUNCATE] = "truncate",
	[AB_OP_CHDIR] = "chdir",       [AB_OP_DLOPEN] = "dlopen",   [AB_OP_EXEC_INTERP] = "interp",
};

static const char *nonempty(const struct decoded *d, unsigned i)
{
	return i < d->nstr && *d->str[i] ? d->str[i] : NULL;
}

/* Remembers that img wrote canon in event event_id; hashed when img ends. */
static void add_pending(struct collector *c, struct image *img, const char *canon,
			int64_t event_id, uint64_t ts_ns, int survives_exec)
{
	struct pending_write *w = malloc(sizeof(*w));

	if (!w || !(w->path = strdup(canon))) {
		free(w);
		return;
	}
	w->event_id = event_id;
	w->ts_ns = ts_ns;
	w->survives_exec = survives_exec;
	w->next = img->writes;
	img->writes = w;
	strmap_put(&c->writers, canon, img);
	vers_rewrote(c, img->id, canon);
}

/* Files of the system rather than of the build tree: the ones the user's hash cache keeps. */
#define is_system hashstore_eligible

static const char *access_of(unsigned op, const struct ab_file *f, int is_exec)
{
	if (is_exec)
		return "read";
	switch (op) {
	case AB_OP_OPEN:
		if (f->fflags & AB_F_DIR)
			return "none";
		return f->fflags & AB_F_WRITE ? "write" : "read";
	case AB_OP_DLOPEN:
	case AB_OP_EXEC_INTERP:
		return "read";
	case AB_OP_RENAME:
	case AB_OP_LINK:
	case AB_OP_SYMLINK:
	case AB_OP_UNLINK:
	case AB_OP_TRUNCATE:
		return "write";
	default:
		return "none";
	}
}

void collector_file_event(struct collector *c, struct image *img, const struct decoded *d,
			  const char *op_override)
{
	static const struct ab_file none;
	const struct ab_file *f = op_override ? &none : &d->u.file;
	const char *abspath = nonempty(d, 1), *abspath2 = nonempty(d, 3);
	const char *canon = NULL, *canon2 = NULL, *noise = NULL;
	const char *access = access_of(f->op, f, op_override != NULL);
	int ok = op_override ? 1 : f->ret >= 0;
	struct store_event e = {
		.build_id = c->build_id,
		.process_id = img->id,
		.ts_ns = (int64_t)d->hdr.ts_ns + c->wall_off,
		.op = op_override ? op_override : (f->op < AB_OP_MAX ? op_names[f->op] : NULL),
		.access = access,
		.path = nonempty(d, 0),
		.abspath = abspath,
		.path2 = nonempty(d, 2),
		.abspath2 = abspath2,
		.flags = f->oflags,
		.result = f->ret,
	};
	struct hc_key want, *wantp = NULL;
	int64_t id;
	int f_trunc = 0, defer = 0;

	if (!e.op)
		e.op = "unknown";
	/* a path the backend could not make absolute (a cwd deeper than PATH_MAX) is as
	 * lost as a cut one */
	if (ok && !abspath && nonempty(d, 0) && !op_override && f->op != AB_OP_DLOPEN &&
	    f->op != AB_OP_SYMLINK)
		f_trunc = 1;
	if ((f->fflags & AB_F_TRUNC_PATH) || f_trunc) {
		c->stats.warnings++;
		store_incomplete_add(c->st, c->build_id, img->id, "path-truncated", abspath);
	}
	noise = abspath ? noise_class(abspath) : NULL;
	/* a name of the process's own mount namespace: on the host it may be nothing, or
	 * another file; said, and not looked up (unless a pseudo file: /proc, /dev, ...,
	 * never looked up anyway) */
	if ((f->fflags & AB_F_NS_PATH) && !noise_is_pseudo(noise)) {
		c->stats.warnings++;
		store_incomplete_add(c->st, c->build_id, img->id, "mount-namespace", abspath);
		ok = 0;
	}
	/* a path made a symlink, renamed or removed as a directory may now resolve elsewhere */
	if (ok && f->op == AB_OP_SYMLINK)
		vers_paths_changed(c, abspath2, NULL);
	else if (ok && f->op == AB_OP_RENAME)
		vers_paths_changed(c, abspath, abspath2);
	else if (ok && f->op == AB_OP_UNLINK && (f->fflags & AB_F_DIR))
		vers_paths_changed(c, abspath, NULL);
	if (abspath && ok && !noise_is_pseudo(noise) && f->op != AB_OP_SYMLINK)
		canon = vers_canon(c, abspath);
	if (abspath2 && ok)
		canon2 = vers_canon(c, abspath2);
	e.noise = noise;
	e.realpath = canon;
	if (f->fflags & AB_F_STAT) {
		want = (struct hc_key){ f->dev, f->ino, f->size, f->mtime_ns, f->ctime_ns };
		wantp = &want;
	}

	/* reads are hashed now, as they were at use; a process reading back what it is
	 * still writing (ar updating an archive) reads its own output, not an input.
	 * System files the build never wrote are hashed when the collector is idle, so
	 * the first compile's toolchain does not delay the build's own files. */
	if (ok && canon && strcmp(access, "read") == 0 && strcmp(e.op, "chdir") != 0 &&
	    strmap_get(&c->writers, canon) != img) {
		if (wantp && is_system(canon) && !strmap_get(&c->paths, canon))
			defer = 1;
		else
			e.version_id = vers_read(c, canon, wantp, img->id, (int)d->hdr.pid,
						 f->op == AB_OP_OPEN ? f->ret : -1);
	}

	if (ok && canon && (f->op == AB_OP_UNLINK || f->op == AB_OP_RENAME))
		vers_removed(c, canon);
	if (ok && canon2 && (f->op == AB_OP_RENAME || f->op == AB_OP_LINK))
		vers_rewrote(c, img->id, canon2); /* ranlib: read x.a, write a temp, rename */
	if (ok && f->op == AB_OP_RENAME && canon2) {
		if (canon)
			vers_flush_path(c, canon, 0); /* a writer renaming its own output */
		e.version_id = vers_new(c, canon2, "renamed", img->id);
	} else if (ok && f->op == AB_OP_LINK && canon2) {
		e.version_id = vers_new(c, canon2, "linked", img->id);
	} else if (ok && f->op == AB_OP_UNLINK && canon) {
		/* too late to hash if it is gone: 'vanished' */
		vers_flush_path(c, canon, d->hdr.ts_ns);
	}

	id = store_event_add(c->st, &e);
	if (id < 0) {
		c->db_failed = 1;
		return;
	}
	c->stats.file_events++;
	if (defer)
		collector_defer_read(c, id, img->id, canon, wantp);
	if (ok && canon && (f->op == AB_OP_OPEN || f->op == AB_OP_TRUNCATE) &&
	    strcmp(access, "write") == 0) {
		if (wantp)
			vers_write_opened(c, canon, wantp, img->id);
		add_pending(c, img, canon, id, d->hdr.ts_ns,
			    f->op == AB_OP_OPEN && !(f->oflags & O_CLOEXEC));
	}
}
