/* collector.c - process images and the dispatch of wire records into the store. */
#include "asbuilt/collector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/hashstore.h"
#include "asbuilt/store.h"
#include "internal.h"

/* Offset from CLOCK_MONOTONIC (record timestamps) to the Unix epoch, in ns. */
static int64_t mono_to_wall(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

static int64_t now_ns(void)
{
	struct timespec r;

	clock_gettime(CLOCK_REALTIME, &r);
	return (int64_t)r.tv_sec * 1000000000 + r.tv_nsec;
}

int collector_new(struct store *st, int64_t build_id, const char *source,
		  struct collector **out)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->st = st;
	c->build_id = build_id;
	c->source = source;
	c->wall_off = mono_to_wall();
	if (store_begin(st)) {
		free(c);
		return -EIO;
	}
	*out = c;
	return 0;
}

void collector_set_io(struct collector *c, collector_drain_fn drain, collector_ack_fn ack,
		      void *ctx)
{
	c->drain = drain;
	c->ack = ack;
	c->drain_ctx = ctx;
}

/* Ends img: hashes what it wrote, closes its row with its argv, environment and exit
 * status (kept until now).  status < -1000: unknown. */
static void image_end(struct collector *c, struct image *img, const char *how, int status)
{
	struct store_bytes argv = { img->argv, img->argv_len };

	if (img->ended)
		return;
	img->ended = 1;
	if (img->argv_want && img->argv_len < img->argv_want) {
		store_incomplete_add(c->st, c->build_id, img->id, "argv-truncated", NULL);
		c->stats.warnings++;
	}
	if (argv.len && argv.p[argv.len - 1] == '\0') /* the last argument's terminator */
		argv.len--;
	img->argv_stored = 1;
	/* an image that exec'd keeps what it opened for writing: the image it becomes writes
	 * through the same descriptors (`cmd > out`), and its exit hashes them (take_writes).
	 * preload: all of it, and the interposer tells the new image (AB_ENV_SYNC) to wait at
	 * its exit until they are hashed; ebpf: what the exec left open (nothing can wait
	 * there, but hashing at the exec would take the file before cmd wrote it) */
	if (strcmp(how, "exec") == 0 && strcmp(c->source, "ebpf") == 0)
		vers_flush_writes_at_exec(c, img);
	else if (!(img->exec_pending && strcmp(how, "exec") == 0 &&
		   strcmp(c->source, "preload") == 0))
		vers_flush_writes(c, img);
	if (img->exit_set) {
		status = img->exit_status;
		how = img->exit_how;
	}
	if (store_process_end(c->st, img->id, now_ns(), status, how, argv, img->env_json))
		c->db_failed = 1;
	free(img->argv);
	img->argv = NULL;
	free(img->env_json);
	img->env_json = NULL;
}

/* Hands the writes from, an image that exec'd, still holds to to, the image it became. */
static void take_writes(struct collector *c, struct image *from, struct image *to)
{
	struct pending_write **tail = &to->writes;

	while (*tail)
		tail = &(*tail)->next;
	*tail = from->writes;
	from->writes = NULL;
	for (struct pending_write *w = *tail; w; w = w->next)
		if (strmap_get(&c->writers, w->path) == from)
			strmap_put(&c->writers, w->path, to);
}

/* Creates a process row for pid.  prev: the image of the same pid that exec'd (or NULL). */
static struct image *image_new(struct collector *c, const struct decoded *d, int pid, int ppid,
			       struct image *prev, uint64_t conn)
{
	struct image *img = calloc(1, sizeof(*img)), *parent;
	struct store_process p = {
		.build_id = c->build_id,
		.pid = pid,
		.ppid = ppid,
		.start_ns = (int64_t)d->hdr.ts_ns + c->wall_off,
		.source = c->source,
	};

	if (!img)
		return NULL;
	if (prev) {
		p.prev_id = prev->id;
		p.parent_id = prev->parent_id;
	} else if ((parent = u64map_get(&c->by_pid, (uint64_t)ppid))) {
		p.parent_id = parent->id;
	}
	if (d->hdr.type == AB_EV_PROC) {
		p.exe = decode_str(d, 0);
		p.cwd = decode_str(d, 1);
		p.exec_path = d->nstr > 2 && *d->str[2] ? d->str[2] : NULL;
		p.interp = d->nstr > 3 && *d->str[3] ? d->str[3] : NULL;
		p.uid = (int)d->u.proc.uid;
		p.gid = (int)d->u.proc.gid;
		p.is_static = !!(d->u.proc.flags & AB_PROC_STATIC);
		img->argv_want = d->u.proc.argv_len;
	}
	img->id = store_process_new(c->st, &p);
	if (img->id < 0) {
		c->db_failed = 1;
		free(img);
		return NULL;
	}
	img->pid = pid;
	img->ppid = ppid;
	img->parent_id = p.parent_id;
	img->conn = conn;
	img->next_all = c->all;
	c->all = img;
	u64map_put(&c->by_pid, (uint64_t)pid, img);
	if (conn) {
		img->next_conn = u64map_get(&c->by_conn, conn);
		u64map_put(&c->by_conn, conn, img);
	}
	c->stats.processes++;
	return img;
}

/* The image a record of pid belongs to.  A pid never announced (a vfork child writing on
 * its parent's connection, a process forked before tracing) gets an implied image whose
 * parent is the process the record's tid names (preload: a vfork child sends the pid whose
 * memory it shares), or else the last image that said hello on the connection. */
static struct image *image_for(struct collector *c, const struct decoded *d, uint64_t conn)
{
	struct image *img = u64map_get(&c->by_pid, d->hdr.pid), *owner = NULL;

	if (img && !img->ended)
		return img;
	if (conn && d->hdr.tid != d->hdr.pid)
		owner = u64map_get(&c->by_pid, d->hdr.tid);
	if (!owner && conn)
		owner = u64map_get(&c->by_conn, conn);
	return image_new(c, d, (int)d->hdr.pid, owner ? owner->pid : 0, NULL, 0);
}

/* The kernel tracer sends no exec record (the interposer sends one from the exec call):
 * the executable a new image runs becomes an exec event of the image that exec'd it (or
 * of the new image when none is known), as under the interposer, so that it is one of
 * its step's tools (the compiler, the linker: BUILD_TOOL_OF) under both backends. */
static void exec_event_from_proc(struct collector *c, struct image *img, const struct decoded *d)
{
	struct decoded x = { .hdr = d->hdr, .nstr = 2 };
	const char *exe = decode_str(d, 0);

	if (!*exe || strcmp(c->source, "ebpf") != 0)
		return;
	x.str[0] = x.str[1] = exe;
	x.len[0] = x.len[1] = (uint32_t)strlen(exe);
	collector_file_event(c, img, &x, "exec");
}

/* preload: this image comes from the exec of a fork child that never connected, so never
 * sent its PROC or the AB_EV_EXEC (AB_PROC_FORK_EXEC): its row and exec event are made
 * here, as a fork child's are under ebpf (an AB_EV_FORK row, the exec event on it). */
static void fork_exec_implied(struct collector *c, const struct decoded *d)
{
	struct image *cur = u64map_get(&c->by_pid, d->hdr.pid), *fk;
	struct decoded fd = *d, x = { .hdr = d->hdr, .nstr = 2 };

	if (cur && !cur->ended)
		return; /* the fork child did announce itself after all */
	fd.hdr.type = AB_EV_FORK;
	fk = image_new(c, &fd, (int)d->hdr.pid, (int)d->u.proc.ppid, NULL, 0);
	if (!fk || d->nstr < 5 || !*decode_str(d, 2))
		return;
	x.str[0] = d->str[2];
	x.len[0] = d->len[2];
	x.str[1] = d->str[4];
	x.len[1] = d->len[4];
	collector_file_event(c, fk, &x, "exec");
	fk->exec_pending = 1;
}

static void on_proc(struct collector *c, const struct decoded *d0, uint64_t conn)
{
	struct image *prev, *img;
	struct decoded raw;
	const struct decoded *d = d0;

	/* the interposer sent the exec filename made absolute: resolve it here, through the
	 * cache of resolved directories, as the kernel did */
	if ((d0->u.proc.flags & AB_PROC_EXE_RAW) && d0->nstr > 0 && d0->str[0][0] == '/') {
		raw = *d0;
		raw.str[0] = vers_canon(c, d0->str[0]);
		raw.len[0] = (uint32_t)strlen(raw.str[0]);
		d = &raw;
	}

	if (d->u.proc.flags & AB_PROC_FORK_EXEC)
		fork_exec_implied(c, d);
	prev = u64map_get(&c->by_pid, d->hdr.pid);

	/* the image that exec'd sent everything it did (its opens, the exec) before this
	 * record existed, on its own connection: take that in first (preload) */
	if (prev && !prev->ended && prev->conn && prev->conn != conn && c->drain)
		c->drain(c->drain_ctx, prev->conn);
	prev = u64map_get(&c->by_pid, d->hdr.pid);
	/* the process of that pid said it exited (its parent has not reported it yet, or was
	 * not traced): this is another process with its pid, not an exec */
	if (prev && !prev->ended && prev->exit_set && !prev->exec_pending) {
		image_end(c, prev, prev->exit_how, prev->exit_status);
		prev = NULL;
	}
	/* the same pid as a live image, or one that exec'd: a new image of that process */
	if (prev && (!prev->ended || prev->exec_pending))
		image_end(c, prev, "exec", -10000);
	else
		prev = NULL;
	img = image_new(c, d, (int)d->hdr.pid, (int)d->u.proc.ppid, prev, conn);
	if (img) {
		collector_defer_exe(c, img->id, decode_str(d, 0));
		exec_event_from_proc(c, prev ? prev : img, d);
	}
	if (prev && prev->writes) {
		if (img)
			take_writes(c, prev, img);
		else
			vers_flush_writes(c, prev);
	}
}

static void on_argv(struct collector *c, const struct decoded *d, uint64_t conn)
{
	struct image *img = image_for(c, d, conn);
	uint64_t off = d->u.argv.offset, n = d->nstr ? d->len[0] : 0;
	char *p;

	if (!img || img->argv_stored || off != img->argv_len)
		return; /* out of order: counted as truncated at the end */
	p = realloc(img->argv, img->argv_len + n + 1);
	if (!p)
		return;
	memcpy(p + img->argv_len, d->str[0], n);
	img->argv = p;
	img->argv_len += n;
}

/* JSON string escaping for env values (bytes >= 0x80 pass through). */
static size_t json_escape(char *out, const char *s, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 8 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = '\0';
	return n;
}

static void on_env(struct collector *c, const struct decoded *d, uint64_t conn)
{
	struct image *img = image_for(c, d, conn);
	size_t cap = 3, n = 0; /* "{", "}" and the NUL of an empty environment */
	char *json, *eq;

	if (!img)
		return;
	for (unsigned i = 0; i < d->nstr; i++)
		cap += 2 * d->len[i] * 3 + 16;
	json = malloc(cap);
	if (!json)
		return;
	json[n++] = '{';
	for (unsigned i = 0; i < d->nstr; i++) {
		char *kv = (char *)d->str[i];
		if (!(eq = strchr(kv, '=')))
			continue;
		*eq = '\0';
		n += (size_t)snprintf(json + n, cap - n, "%s\"", n > 1 ? "," : "");
		n += json_escape(json + n, kv, cap - n);
		n += (size_t)snprintf(json + n, cap - n, "\":\"");
		n += json_escape(json + n, eq + 1, cap - n);
		json[n++] = '"';
		*eq = '=';
	}
	json[n++] = '}';
	json[n] = '\0';
	if (img->ended) {
		if (store_process_set_env(c->st, img->id, json))
			c->db_failed = 1;
		free(json);
		return;
	}
	free(img->env_json);
	img->env_json = json; /* written when the image ends */
}

static void on_exec(struct collector *c, const struct decoded *d, uint64_t conn)
{
	struct image *img = image_for(c, d, conn);
	const char *abspath = decode_str(d, 1);

	if (!img)
		return;
	if (d->u.exec.flags & AB_EXEC_FAILED) {
		img->exec_pending = 0;
		return;
	}
	/* a shell trying each PATH entry sends one record per attempt: only files that
	 * exist are worth an event (the failure record follows for the others) */
	if (access(abspath, F_OK) == 0)
		collector_file_event(c, img, d, "exec");
	if (d->u.exec.flags & AB_EXEC_SPAWN)
		return;
	img->exec_pending = 1;
	if (d->u.exec.flags & (AB_EXEC_STATIC | AB_EXEC_SETID | AB_EXEC_FOREIGN)) {
		/* no image will announce itself: make its row here (marked static if it is) */
		struct decoded sd = *d;
		struct image *simg;

		sd.hdr.type = AB_EV_EXEC;
		image_end(c, img, "exec", -10000);
		simg = image_new(c, &sd, img->pid, img->ppid, img, 0);
		if (simg) {
			if (d->u.exec.flags & AB_EXEC_STATIC)
				store_process_set_static(c->st, simg->id);
			store_process_set_exe(c->st, simg->id, abspath);
		}
	}
}

static void on_exit_rec(struct collector *c, const struct decoded *d, uint64_t conn)
{
	const struct ab_exit *e = &d->u.exit;
	int pid = e->reaped_pid ? (int)e->reaped_pid : (int)d->hdr.pid;
	struct image *img = u64map_get(&c->by_pid, (uint64_t)pid);
	int status = e->status;
	const char *how = "exit";
	/* it waits for one byte back, not for the watermark past this record */
	int ack = (e->flags & (AB_EXIT_SYNC | AB_EXIT_WM)) == AB_EXIT_SYNC;

	/* preload: an exit that waits for an ack (the watermark could not be mapped) comes on
	 * a connection of its own, after everything the process sent on the connection it
	 * shares with others: take that in first (all of them when its hello is not read
	 * yet).  One that waits on the watermark comes on the shared one, in order. */
	if (ack && c->drain && (!img || img->ended || img->conn != conn)) {
		c->drain(c->drain_ctx, img && !img->ended && img->conn ? img->conn : 0);
		img = u64map_get(&c->by_pid, (uint64_t)pid);
	}
	if (!img) {
		if (ack && c->ack)
			c->ack(c->drain_ctx, conn);
		return;
	}
	if (e->flags & AB_EXIT_WAITSTATUS) {
		if (WIFSIGNALED(status)) {
			status = 128 + WTERMSIG(status);
			how = "signal";
		} else {
			status = WEXITSTATUS(status);
		}
	}
	if (img->ended) {
		if (store_process_set_exit(c->st, img->id, status, how))
			c->db_failed = 1;
	} else if (!img->exit_set) { /* written when the image ends; the first report counts */
		img->exit_set = 1;
		img->exit_status = status;
		img->exit_how = how;
	}
	if (e->reaped_pid) {
		/* the child is gone: take in what its connection still holds, then end it */
		if (c->drain && img->conn)
			c->drain(c->drain_ctx, img->conn);
		image_end(c, img, how, status);
	} else if (strcmp(c->source, "ebpf") == 0) {
		image_end(c, img, how, status);
	} else if (e->flags & AB_EXIT_SYNC) {
		/* it waits: hash what it wrote before the build can touch it again (then the
		 * ack, or the watermark past this record, lets it go) */
		vers_flush_writes(c, img);
		if (ack && c->ack)
			c->ack(c->drain_ctx, conn);
	}
}

static const char *warn_reason(unsigned r)
{
	switch (r) {
	case AB_WARN_STATIC_EXEC:
		return "static-binary";
	case AB_WARN_TRUNC_PATH:
		return "path-truncated";
	case AB_WARN_IO_URING:
		return "io-uring";
	case AB_WARN_NO_COLLECTOR:
		return "collector-unreachable";
	case AB_WARN_ARGV_TRUNC:
		return "argv-truncated";
	case AB_WARN_RAW_SYSCALLS:
		return "raw-syscalls";
	case AB_WARN_SETID_EXEC:
		return "setid-binary";
	case AB_WARN_CHROOT:
		return "chroot";
	case AB_WARN_FOREIGN_EXEC:
		return "foreign-binary";
	case AB_WARN_MOUNT_NS:
		return "mount-namespace";
	default:
		return "other";
	}
}

static void on_warn(struct collector *c, const struct decoded *d, uint64_t conn)
{
	struct image *img = image_for(c, d, conn);

	c->stats.warnings++;
	if (store_incomplete_add(c->st, c->build_id, img ? img->id : 0,
				 warn_reason(d->u.warn.reason), decode_str(d, 0)))
		c->db_failed = 1;
}

static void on_fork(struct collector *c, const struct decoded *d)
{
	struct decoded cd = *d;

	cd.hdr.type = AB_EV_FORK;
	image_new(c, &cd, (int)d->u.fork.child_pid, (int)d->hdr.pid, NULL, 0);
}

void collector_lost(struct collector *c, uint64_t n, const char *why)
{
	if (!n)
		return;
	c->stats.lost += n;
	store_incomplete_add(c->st, c->build_id, 0, "events-lost", why);
}

int collector_feed(struct collector *c, const void *rec, size_t len, uint64_t conn)
{
	struct decoded d;

	if (decode_record(rec, len, &d, c->scratch)) {
		c->stats.bad_records++;
		return -EBADMSG;
	}
	c->stats.records++;
	switch (d.hdr.type) {
	case AB_EV_PROC:
		on_proc(c, &d, conn);
		break;
	case AB_EV_ARGV:
		on_argv(c, &d, conn);
		break;
	case AB_EV_ENV:
		on_env(c, &d, conn);
		break;
	case AB_EV_FILE: {
		struct image *img = image_for(c, &d, conn);
		if (img)
			collector_file_event(c, img, &d, NULL);
		break;
	}
	case AB_EV_EXEC:
		on_exec(c, &d, conn);
		break;
	case AB_EV_EXIT:
		on_exit_rec(c, &d, conn);
		break;
	case AB_EV_FORK:
		on_fork(c, &d);
		break;
	case AB_EV_WARN:
		on_warn(c, &d, conn);
		break;
	case AB_EV_LOST:
		collector_lost(c, d.u.lost.count, "reported by the backend");
		break;
	}
	return c->db_failed ? -EIO : 0;
}

int collector_feed_packet(struct collector *c, const void *pkt, size_t len, uint64_t conn)
{
	const char *p = pkt;
	int rc = 0, r;

	while (len) {
		struct ab_hdr h;
		size_t n = len;

		if (len >= sizeof(h)) {
			memcpy(&h, p, sizeof(h));
			if (h.size >= sizeof(h) && h.size <= len)
				n = h.size;
		}
		r = collector_feed(c, p, n, conn);
		if (r && !rc)
			rc = r;
		p += n;
		len -= n;
	}
	return rc;
}

/* Every process that used conn is gone (preload: a connection is shared by a tree of
 * processes; each closes it at its end). */
void collector_conn_closed(struct collector *c, uint64_t conn)
{
	for (struct image *img = u64map_del(&c->by_conn, conn); img; img = img->next_conn)
		if (!img->ended)
			image_end(c, img, img->exec_pending ? "exec" : "unknown", -10000);
}

int collector_tick(struct collector *c)
{
	if (store_commit(c->st) || store_begin(c->st))
		c->db_failed = 1;
	return c->db_failed ? -EIO : 0;
}

int collector_finish(struct collector *c)
{
	while (collector_idle(c, 1000))
		;
	for (struct image *img = c->all; img; img = img->next_all)
		if (!img->ended)
			image_end(c, img, img->exec_pending ? "exec" : "unknown", -10000);
	for (struct image *img = c->all; img; img = img->next_all)
		vers_flush_writes(c, img); /* exec'd into what the interposer could not see */
	vers_judge_vanished(c);
	if (store_commit(c->st))
		c->db_failed = 1;
	/* the hash cache is written by collector_free, after the record is safe: the supervisor
	 * can finalise the build meanwhile */
	return c->db_failed ? -EIO : 0;
}

int collector_use_hashstore(struct collector *c, const char *path)
{
	struct hashstore *hs;
	int rc = hashstore_open(path, &hs);

	if (rc)
		return rc;
	hashstore_close(c->hc.persist);
	c->hc.persist = hs;
	return 0;
}

void collector_get_stats(const struct collector *c, struct collector_stats *out)
{
	*out = c->stats;
	out->bytes_hashed = c->hc.bytes_hashed;
	out->cached = c->hc.persist_hits;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	for (struct image *img = c->all, *n; img; img = n) {
		n = img->next_all;
		for (struct pending_write *w = img->writes, *wn; w; w = wn) {
			wn = w->next;
			free(w->path);
			free(w);
		}
		free(img->argv);
		free(img->env_json);
		free(img);
	}
	collector_deferred_discard(c);
	u64map_release(&c->by_pid);
	u64map_release(&c->by_conn);
	vers_release(c);
	free(c);
}
