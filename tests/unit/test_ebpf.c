/*
 * test_ebpf.c - the eBPF backend end to end: load, follow a process tree, decode records.
 *
 * Needs root (or CAP_BPF + CAP_PERFMON).  Without it the tests are skipped, except under
 * CI=true, where a skipped eBPF test is a failure.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/ebpf.h"
#include "asbuilt/event.h"

#define NARGS 40
#define ARGLEN 30000 /* 40 x 30000 bytes: a 1.2 MB argv, 37 AB_EV_ARGV chunks */

struct rec {
	unsigned char *p;
	size_t len;
};

struct recs {
	struct rec *v;
	size_t n, cap;
	pid_t root; /* stop when its AB_EV_EXIT arrives */
	int root_exited;
};

static void collect(void *ctx, const void *data, size_t len)
{
	struct recs *rs = ctx;
	const struct ab_hdr *h = data;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 256;
		rs->v = realloc(rs->v, rs->cap * sizeof(*rs->v));
		cr_assert_not_null(rs->v);
	}
	rs->v[rs->n].p = malloc(len);
	memcpy(rs->v[rs->n].p, data, len);
	rs->v[rs->n].len = len;
	rs->n++;
	if (h->type == AB_EV_EXIT && h->pid == (uint32_t)rs->root)
		rs->root_exited = 1;
}

static const struct ab_hdr *hdr(const struct rec *r)
{
	return (const struct ab_hdr *)r->p;
}

static const void *body(const struct rec *r)
{
	return r->p + sizeof(struct ab_hdr);
}

static size_t body_size(uint16_t type)
{
	switch (type) {
	case AB_EV_PROC: return sizeof(struct ab_proc);
	case AB_EV_ARGV: return sizeof(struct ab_argv);
	case AB_EV_FILE: return sizeof(struct ab_file);
	case AB_EV_EXIT: return sizeof(struct ab_exit);
	case AB_EV_FORK: return sizeof(struct ab_fork);
	case AB_EV_WARN: return sizeof(struct ab_warn);
	case AB_EV_LOST: return sizeof(struct ab_lost);
	}
	return 0;
}

/* String i of a record (not NUL-terminated); asserts the layout on the way. */
static const char *str(const struct rec *r, unsigned i, uint32_t *len)
{
	size_t off = sizeof(struct ab_hdr) + body_size(hdr(r)->type);
	uint32_t l;

	cr_assert_lt(i, hdr(r)->nstr);
	for (unsigned k = 0;; k++) {
		cr_assert_leq(off + 4, r->len);
		memcpy(&l, r->p + off, 4);
		cr_assert_leq(off + 4 + l, r->len);
		if (k == i) {
			*len = l;
			return (const char *)r->p + off + 4;
		}
		off += 4 + l;
	}
}

static int str_eq(const struct rec *r, unsigned i, const char *s)
{
	uint32_t l;
	const char *p = str(r, i, &l);

	return l == strlen(s) && memcmp(p, s, l) == 0;
}

static int str_has(const struct rec *r, unsigned i, const char *needle)
{
	uint32_t l;
	const char *p = str(r, i, &l);

	return memmem(p, l, needle, strlen(needle)) != NULL;
}

static void need_privilege(void)
{
	char why[256];
	const char *ci = getenv("CI");

	if (!ebpf_built()) {
		if (ci && strcmp(ci, "true") == 0)
			cr_assert_fail("the eBPF backend was not built (CI=true)");
		cr_skip_test("the eBPF backend was not built");
	}
	if (ebpf_check_privilege(why, sizeof(why)) == 0)
		return;
	if (ci && strcmp(ci, "true") == 0)
		cr_assert_fail("eBPF test cannot run under CI=true: %s", why);
	cr_skip_test("eBPF tests need root: %s", why);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(ebpf, built_matches_configuration)
{
#ifdef ASBUILT_HAVE_EBPF
	cr_assert_eq(ebpf_built(), 1);
#else
	struct ebpf_tracer *t;
	char err[256];

	cr_assert_eq(ebpf_built(), 0);
	cr_assert_eq(ebpf_tracer_new(&t, err, sizeof(err)), -ENOSYS);
	cr_assert_neq(err[0], '\0');
#endif
}

Test(ebpf, loads_and_attaches_quickly)
{
	struct ebpf_tracer *t = NULL;
	char err[256] = "";
	double t0, dt;

	need_privilege();
	t0 = now_s();
	cr_assert_eq(ebpf_tracer_new(&t, err, sizeof(err)), 0, "%s", err);
	dt = now_s() - t0;
	cr_log_info("ebpf load+attach: %.1f ms", dt * 1e3);
	cr_assert_geq(ebpf_tracer_fd(t), 0);
	cr_assert_eq(ebpf_tracer_lost(t), 0);
	cr_expect_lt(dt, 1.0, "load took %.3f s", dt);
	ebpf_tracer_free(t);
}

/* 0 when ebpf_check_privilege refuses with a sentence naming both capabilities. */
static int refused_with_reason(void)
{
	char why[256] = "";

	if (ebpf_check_privilege(why, sizeof(why)) != -EPERM)
		return 3;
	if (!strstr(why, "CAP_BPF") || !strstr(why, "CAP_PERFMON") || !strstr(why, "not root"))
		return 4;
	return 0;
}

Test(ebpf, unprivileged_user_is_refused_with_a_reason)
{
	pid_t pid;
	int st;

	if (!ebpf_built())
		cr_skip_test("the eBPF backend was not built");
	if (geteuid() != 0) { /* already unprivileged: check this process */
		cr_assert_eq(refused_with_reason(), 0);
		return;
	}
	pid = fork(); /* root: drop to nobody first, as setpriv --reuid=65534 would */
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		_exit(refused_with_reason());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

/* The traced child: waits for the go, then does file work and execs /bin/false. */
static void traced_child(int go, const char *dir)
{
	static char args[NARGS][ARGLEN + 1];
	char *argv[NARGS + 2];
	char c;
	int fd;
	pid_t g;

	if (read(go, &c, 1) != 1 || chdir(dir) < 0)
		_exit(90);
	fd = syscall(SYS_openat, AT_FDCWD, "in.txt", O_RDONLY);
	if (fd < 0)
		_exit(91);
	close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, "out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "out\n", 4) != 4)
		_exit(92);
	close(fd);
	if (syscall(SYS_renameat, AT_FDCWD, "out.txt", AT_FDCWD, "sub/../out2.txt") < 0)
		_exit(93);
	g = fork();
	if (g == 0) { /* a static binary: ldconfig -p reads /etc/ld.so.cache */
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl("/sbin/ldconfig", "ldconfig", "-p", (char *)NULL);
		_exit(94);
	}
	if (g < 0 || waitpid(g, NULL, 0) != g)
		_exit(95);
	argv[0] = "/bin/false";
	for (int i = 0; i < NARGS; i++) {
		memset(args[i], 'a' + i % 26, ARGLEN);
		argv[i + 1] = args[i];
	}
	argv[NARGS + 1] = NULL;
	execv("/bin/false", argv);
	_exit(96);
}

/* An untraced process opening a marker file over and over. */
static pid_t start_untracked(const char *marker)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		for (;;) {
			int fd = syscall(SYS_openat, AT_FDCWD, marker, O_RDONLY);

			if (fd >= 0)
				close(fd);
			usleep(1000);
		}
	}
	return pid;
}

static const struct rec *find_file(const struct recs *rs, pid_t pid, uint16_t op,
				   const char *given)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->v[i];
		const struct ab_file *f = body(r);

		if (hdr(r)->type == AB_EV_FILE && hdr(r)->pid == (uint32_t)pid && f->op == op &&
		    (!given || str_eq(r, 0, given)))
			return r;
	}
	return NULL;
}

static const struct rec *find_proc(const struct recs *rs, pid_t pid)
{
	for (size_t i = 0; i < rs->n; i++)
		if (hdr(&rs->v[i])->type == AB_EV_PROC && hdr(&rs->v[i])->pid == (uint32_t)pid)
			return &rs->v[i];
	return NULL;
}

static void check_argv(const struct recs *rs, pid_t pid, const struct ab_proc *p)
{
	size_t total = 1 + strlen("/bin/false") + NARGS * (ARGLEN + 1);
	unsigned char *got = calloc(1, total), *want = malloc(total), *w = want;
	size_t covered = 0;

	memcpy(w, "/bin/false", 11);
	w += 11;
	for (int i = 0; i < NARGS; i++, w += ARGLEN + 1) {
		memset(w, 'a' + i % 26, ARGLEN);
		w[ARGLEN] = '\0';
	}
	cr_assert_eq(p->argv_len, total);
	cr_assert_eq(p->flags & AB_PROC_ARGV_TRUNC, 0);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->v[i];
		const struct ab_argv *a = body(r);
		uint32_t l;
		const char *s;

		if (hdr(r)->type != AB_EV_ARGV || hdr(r)->pid != (uint32_t)pid)
			continue;
		s = str(r, 0, &l);
		cr_assert_leq(a->offset + l, total);
		cr_assert_eq(a->offset, covered, "chunks arrive in order");
		memcpy(got + a->offset, s, l);
		covered += l;
	}
	cr_assert_eq(covered, total);
	cr_assert_eq(memcmp(got, want, total), 0, "argv bytes differ");
	free(got);
	free(want);
}

Test(ebpf, follows_the_tree_and_only_the_tree, .timeout = 60)
{
	struct ebpf_tracer *t = NULL;
	struct recs rs = {0};
	char err[256], tmpl[] = "/tmp/asbuilt-ebpf-XXXXXX", dir[PATH_MAX], path[PATH_MAX + 32];
	char marker[PATH_MAX + 32];
	const struct rec *r;
	struct stat in_st;
	int go[2], st, fd;
	pid_t child, untracked, grandchild = 0;
	double deadline;

	need_privilege();
	cr_assert_not_null(mkdtemp(tmpl));
	cr_assert_not_null(realpath(tmpl, dir));
	snprintf(path, sizeof(path), "%s/in.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_eq(write(fd, "input\n", 6), 6);
	close(fd);
	cr_assert_eq(stat(path, &in_st), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(marker, sizeof(marker), "%s/untracked-marker", dir);
	close(open(marker, O_WRONLY | O_CREAT, 0644));

	cr_assert_eq(ebpf_tracer_new(&t, err, sizeof(err)), 0, "%s", err);
	untracked = start_untracked(marker);
	cr_assert_eq(pipe(go), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(go[1]);
		traced_child(go[0], dir);
	}
	close(go[0]);
	rs.root = child;
	cr_assert_eq(ebpf_tracer_track(t, child), 0);
	cr_assert_eq(write(go[1], "x", 1), 1);
	close(go[1]);
	deadline = now_s() + 30;
	while (!rs.root_exited && now_s() < deadline)
		cr_assert_geq(ebpf_tracer_poll(t, 100, collect, &rs), 0);
	cr_assert_eq(waitpid(child, &st, 0), child);
	ebpf_tracer_poll(t, 0, collect, &rs);
	kill(untracked, SIGKILL);
	waitpid(untracked, NULL, 0);
	cr_assert(rs.root_exited, "no AB_EV_EXIT for the traced child");
	cr_assert_eq(ebpf_tracer_lost(t), 0);
	cr_log_info("ebpf: %zu records", rs.n);

	/* every record: well-formed header, only our tree, never the untracked marker */
	for (size_t i = 0; i < rs.n; i++) {
		r = &rs.v[i];
		cr_assert_eq(hdr(r)->size, r->len);
		cr_assert_eq(hdr(r)->src, AB_SRC_EBPF);
		cr_assert_neq(hdr(r)->pid, (uint32_t)untracked, "untracked process traced");
		for (unsigned k = 0; k < hdr(r)->nstr; k++)
			cr_assert(!str_has(r, k, "untracked-marker"), "untracked open leaked");
		if (hdr(r)->type == AB_EV_FORK && hdr(r)->pid == (uint32_t)child)
			grandchild = ((const struct ab_fork *)body(r))->child_pid;
	}
	cr_assert_neq(grandchild, 0, "no AB_EV_FORK for the grandchild");

	/* open of a relative name: the path as given and the absolute one, with stat */
	r = find_file(&rs, child, AB_OP_OPEN, "in.txt");
	cr_assert_not_null(r, "no record for openat(in.txt)");
	snprintf(path, sizeof(path), "%s/in.txt", dir);
	cr_assert(str_eq(r, 1, path), "resolved path of in.txt");
	{
		const struct ab_file *f = body(r);

		cr_assert_geq(f->ret, 0);
		cr_assert(f->fflags & AB_F_STAT);
		cr_assert_eq(f->fflags & (AB_F_WRITE | AB_F_DIR), 0);
		cr_assert_eq(f->ino, in_st.st_ino);
		cr_assert_eq(f->dev, in_st.st_dev);
		cr_assert_eq(f->size, 6);
		cr_assert_eq(f->dirfd, AT_FDCWD);
	}
	r = find_file(&rs, child, AB_OP_OPEN, "out.txt");
	cr_assert_not_null(r, "no record for openat(out.txt)");
	cr_assert(((const struct ab_file *)body(r))->fflags & AB_F_WRITE);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	cr_assert(str_eq(r, 1, path));

	/* rename: both names, the second folded lexically */
	r = find_file(&rs, child, AB_OP_RENAME, "out.txt");
	cr_assert_not_null(r, "no record for renameat");
	cr_assert(str_eq(r, 1, path));
	cr_assert(str_eq(r, 2, "sub/../out2.txt"));
	snprintf(path, sizeof(path), "%s/out2.txt", dir);
	cr_assert(str_eq(r, 3, path), "folded second path");

	/* chdir: the new cwd, a directory */
	r = find_file(&rs, child, AB_OP_CHDIR, NULL);
	cr_assert_not_null(r, "no record for chdir");
	cr_assert(str_eq(r, 1, dir));
	cr_assert(((const struct ab_file *)body(r))->fflags & AB_F_DIR);

	/* the static grandchild is seen from the inside */
	r = find_proc(&rs, grandchild);
	cr_assert_not_null(r, "no AB_EV_PROC for ldconfig");
	cr_assert(((const struct ab_proc *)body(r))->flags & AB_PROC_STATIC);
	cr_assert(str_eq(r, 1, dir), "cwd of ldconfig");
	cr_assert(str_eq(r, 2, "/sbin/ldconfig"));
	cr_assert_not_null(find_file(&rs, grandchild, AB_OP_OPEN, "/etc/ld.so.cache"),
			   "static ldconfig's open of /etc/ld.so.cache");

	/* exec of /bin/false: PROC, argv whole, interpreter, exit status */
	r = find_proc(&rs, child);
	cr_assert_not_null(r, "no AB_EV_PROC for /bin/false");
	cr_assert(str_eq(r, 2, "/bin/false"));
	cr_assert(str_has(r, 0, "/false"));
	cr_assert(str_eq(r, 3, ""));
	cr_assert_eq(((const struct ab_proc *)body(r))->flags & AB_PROC_STATIC, 0);
	check_argv(&rs, child, body(r));
	r = find_file(&rs, child, AB_OP_EXEC_INTERP, NULL);
	cr_assert_not_null(r, "no AB_OP_EXEC_INTERP for /bin/false");
	cr_assert(str_has(r, 1, "/ld-"), "interpreter path");
	cr_assert(((const struct ab_file *)body(r))->fflags & AB_F_STAT);
	for (size_t i = 0; i < rs.n; i++) {
		const struct ab_exit *e = body(&rs.v[i]);

		if (hdr(&rs.v[i])->type != AB_EV_EXIT || hdr(&rs.v[i])->pid != (uint32_t)child)
			continue;
		cr_assert_eq(e->flags & AB_EXIT_WAITSTATUS, AB_EXIT_WAITSTATUS);
		cr_assert_eq(e->status, st, "exit status %#x, wait said %#x", e->status, st);
		cr_assert(WIFEXITED(e->status) && WEXITSTATUS(e->status) == 1);
	}

	for (size_t i = 0; i < rs.n; i++)
		free(rs.v[i].p);
	free(rs.v);
	ebpf_tracer_free(t);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	cr_expect_eq(system(path), 0);
}
