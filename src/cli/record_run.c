/* record_run.c - the collector process, the build process and the finalisation of a
 * recorded build (see cmd_record.c for the overview). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/collector.h"
#include "asbuilt/ebpf.h"
#include "asbuilt/event.h"
#include "asbuilt/hashstore.h"
#include "asbuilt/store.h"
#include "cli.h"
#include "priv.h"
#include "record.h"

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int record_find_lib(char *out, size_t len)
{
	const char *e = getenv(AB_ENV_LIB);
	char exe[PATH_MAX];
	ssize_t n;

	if (e && *e) {
		snprintf(out, len, "%s", e);
		return access(out, R_OK) ? -ENOENT : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(out, len, "%s/../lib/asbuilt/libasbuilt-preload.so", exe);
	if (access(out, R_OK))
		return -ENOENT;
	char *real = realpath(out, NULL);
	if (real) {
		snprintf(out, len, "%s", real);
		free(real);
	}
	return 0;
}

static int new_build_row(const struct record_opts *o, struct record_run *r)
{
	struct store *st = NULL;
	char err[512], cwd[PATH_MAX], host[256] = "";
	const char *sudo_user = getuid() == 0 ? getenv("SUDO_USER") : NULL;
	struct passwd *pw = getpwuid(getuid());
	size_t alen = 0;
	char *args;
	int rc;

	for (char **a = o->cmd; *a; a++)
		alen += strlen(*a) + 1;
	args = malloc(alen ? alen : 1);
	if (!args)
		return EXIT_USAGE;
	alen = 0;
	for (char **a = o->cmd; *a; a++) {
		strcpy(args + alen, *a);
		alen += strlen(*a) + 1;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	gethostname(host, sizeof(host) - 1);
	rc = store_open(o->db, 1, &st, err, sizeof(err));
	if (rc) {
		cli_err("%s", err);
		free(args);
		return EXIT_USAGE;
	}
	r->started_ns = now_ns();
	struct store_build b = {
		.started_ns = r->started_ns,
		.argv = { args, alen ? alen - 1 : 0 },
		.cwd = cwd,
		.backend = o->backend,
		.hostname = host,
		.user = sudo_user && *sudo_user ? sudo_user : pw ? pw->pw_name : NULL,
	};
	r->build_id = store_build_new(st, &b);
	free(args);
	if (r->build_id < 0) {
		cli_err("cannot write to database '%s': %s", o->db, store_errmsg(st));
		store_close(st);
		return EXIT_USAGE;
	}
	/* kept open to the end: the collector's connection is then never the last one, and
	 * closing it costs no checkpoint on the way to the build's result */
	r->st = st;
	return 0;
}

static int make_socket(struct record_run *r)
{
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mask;
	int rc;

	if (!tmp || !*tmp || strlen(tmp) > 60)
		tmp = "/tmp";
	snprintf(r->dir, sizeof(r->dir), "%s/asbuilt.XXXXXX", tmp);
	if (!mkdtemp(r->dir))
		return -errno;
	/* the socket is the owner's alone (0600); any user may pass through the directory
	 * (0711, not list it) to leave a marker in m (1733: write, not list, sticky): a process
	 * of the build that runs as another user cannot connect, and says so there */
	snprintf(r->sock, sizeof(r->sock), "%s/m", r->dir);
	if (mkdir(r->sock, 0700) || chmod(r->sock, 01733) || chmod(r->dir, 0711))
		return -errno;
	/* the collector's watermark, which processes that only read files of the build check
	 * at their exit (AB_WATERMARK_NAME); made before any process of the build can look */
	snprintf(r->sock, sizeof(r->sock), "%s/" AB_WATERMARK_NAME, r->dir);
	r->wm_fd = open(r->sock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->wm_fd < 0 || ftruncate(r->wm_fd, sizeof(uint64_t)))
		return -errno;
	snprintf(r->sock, sizeof(r->sock), "%s/sock", r->dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->sock);
	r->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->listen_fd < 0)
		return -errno;
	mask = umask(0077);
	rc = bind(r->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(mask);
	return rc; /* the collector listens: SO_PEERCRED then names it (server.h) */
}

static int read_msg(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -EPIPE;
}

/* The collector process: never returns. */
static void collector_main(const struct record_opts *o, struct record_run *r, int ctl,
			   int status)
{
	struct server_opts so = { .listen_fd = r->listen_fd, .ctl_fd = ctl, .status_fd = status,
				  .wm_fd = r->wm_fd };
	struct server_result res;
	struct server_msg m;
	sigset_t wake;
	struct ebpf_tracer *t = NULL;
	struct collector *c = NULL;
	struct store *st = NULL;
	char err[512], hc_buf[4096];
	const char *hc_path;
	int rc = 1;

	prctl(PR_SET_NAME, "asbuilt-collect");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGINT, SIG_IGN); /* Ctrl-C is for the build; we finalise */
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* the interposer's wake-up call (server.h); blocked before anyone can connect */
	sigemptyset(&wake);
	sigaddset(&wake, SIGUSR1);
	sigprocmask(SIG_BLOCK, &wake, NULL);
	if (listen(r->listen_fd, 4096)) {
		cli_err("cannot listen on the collector socket '%s': %s", r->sock, strerror(errno));
		goto out;
	}
	/* run ahead of the build when allowed (root): records are hashed sooner after the
	 * event, so short-lived temporaries are still there (ebpf cannot make them wait) */
	if (setpriority(PRIO_PROCESS, 0, -10) != 0) {
		/* not privileged: the preload backend's exit ack covers the same need */
	}
	/* the programs load while the supervisor creates the build row */
	if (!strcmp(o->backend, "ebpf") && ebpf_tracer_new(&t, err, sizeof(err))) {
		cli_err("cannot start the ebpf backend: %s", err);
		goto out;
	}
	if (priv_drop()) {
		cli_err("cannot drop privileges to the sudo user: %s", strerror(errno));
		goto out;
	}
	if (read_msg(ctl, &m, sizeof(m)) || m.type != SERVER_BUILD)
		goto out; /* the supervisor could not make the build row: it said why */
	r->build_id = m.value;
	if (store_open(o->db, 0, &st, err, sizeof(err))) {
		cli_err("%s", err);
		goto out;
	}
	if (collector_new(st, r->build_id, o->backend, &c))
		goto out;
	if (!o->no_hash_cache && (hc_path = hashstore_default_path(hc_buf, sizeof(hc_buf))) &&
	    collector_use_hashstore(c, hc_path) && !o->quiet)
		cli_err("warning: cannot use the hash cache '%s'; hashing every file", hc_path);
	so.ebpf = t;
	so.live_status = !o->quiet && isatty(2);
	struct server_msg ready = { .type = SERVER_OK };
	if (write(status, &ready, sizeof(ready)) != sizeof(ready))
		goto out;
	rc = server_run(c, &so, &res) ? 1 : 0;
	/* everything is committed: the supervisor finalises the build while this process
	 * copies the WAL into the database (a passive checkpoint, which the supervisor's reads
	 * do not wait for) and closes it, says so by closing its end of the status pipe (the
	 * supervisor's connection is then the last, and may close), then writes the hash
	 * cache and detaches the eBPF programs while the supervisor closes */
	if (write(status, &res, sizeof(res)) != sizeof(res))
		rc = 1;
	sqlite3_wal_checkpoint_v2(store_db(st), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	store_close(st);
	st = NULL;
	close(status);
	collector_free(c);
	c = NULL;
	ebpf_tracer_free(t);
	_exit(rc);
out:
	m = (struct server_msg){ .type = SERVER_ERR };
	if (write(status, &m, sizeof(m)) < 0) {
		/* the supervisor sees EOF instead */
	}
	collector_free(c);
	store_close(st);
	ebpf_tracer_free(t);
	_exit(rc);
}

/* Undoes record_setup after the collector was started (a collector still waiting for
 * SERVER_BUILD stops at EOF on its control pipe, before it opens the database). */
static int setup_failed(struct record_run *r)
{
	close(r->ctl_fd);
	close(r->status_fd);
	waitpid(r->collector_pid, NULL, 0);
	r->collector_pid = 0;
	store_close(r->st);
	r->st = NULL;
	record_remove_dir(r);
	return EXIT_USAGE;
}

int record_setup(const struct record_opts *o, struct record_run *r)
{
	int ctl[2], status[2], rc;
	struct server_msg m;

	signal(SIGPIPE, SIG_IGN); /* a dead collector shows in waitpid, not as our death */
	if (make_socket(r)) {
		cli_err("cannot create the collector socket in '%s': %s", r->dir, strerror(errno));
		return EXIT_USAGE;
	}
	if (pipe2(ctl, O_CLOEXEC) || pipe2(status, O_CLOEXEC))
		return EXIT_USAGE;
	/* the collector first, so that loading the eBPF programs overlaps with making the
	 * build row, and so that it inherits no SQLite connection */
	r->collector_pid = fork();
	if (r->collector_pid < 0) {
		cli_err("cannot fork the collector: %s", strerror(errno));
		return EXIT_USAGE;
	}
	if (r->collector_pid == 0) {
		close(ctl[1]);
		close(status[0]);
		collector_main(o, r, ctl[0], status[1]);
	}
	close(ctl[0]);
	close(status[1]);
	close(r->listen_fd); /* only the collector may hold it: a dead one refuses connects */
	r->listen_fd = -1;
	close(r->wm_fd);
	r->wm_fd = -1;
	r->ctl_fd = ctl[1];
	r->status_fd = status[0];
	priv_become_user();
	rc = new_build_row(o, r);
	priv_restore();
	if (rc)
		return setup_failed(r);
	m = (struct server_msg){ .type = SERVER_BUILD, .value = r->build_id };
	if (write(r->ctl_fd, &m, sizeof(m)) != sizeof(m) || read_msg(r->status_fd, &m, sizeof(m)) ||
	    m.type != SERVER_OK) {
		setup_failed(r);
		return 1;
	}
	return 0;
}

static void set_preload_env(struct record_run *r)
{
	const char *old = getenv("LD_PRELOAD");
	char *v;

	setenv(AB_ENV_SOCK, r->sock, 1);
	setenv(AB_ENV_LIB, r->lib, 1);
	setenv(AB_ENV_DIR, r->dir, 1);
	if (old && *old && asprintf(&v, "%s:%s", r->lib, old) > 0)
		setenv("LD_PRELOAD", v, 1);
	else
		setenv("LD_PRELOAD", r->lib, 1);
}

int record_start_build(const struct record_opts *o, struct record_run *r)
{
	int go[2];
	char c = 0;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	/* the build's orphans become our children: we see which outlive its root */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	r->build_pid = fork();
	if (r->build_pid < 0) {
		cli_err("cannot fork: %s", strerror(errno));
		return -errno;
	}
	if (r->build_pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1) /* the collector is not following us */
			_exit(127);
		if (!strcmp(o->backend, "preload"))
			set_preload_env(r);
		execvp(o->cmd[0], o->cmd);
		cli_err("cannot run '%s': %s", o->cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(go[0]);
	if (!strcmp(o->backend, "ebpf")) {
		struct server_msg m = { .type = SERVER_TRACK, .value = r->build_pid };
		if (write(r->ctl_fd, &m, sizeof(m)) != sizeof(m) ||
		    read_msg(r->status_fd, &m, sizeof(m)) || m.type != SERVER_OK) {
			cli_err("the ebpf backend could not follow the build");
			close(go[1]);
			return -EIO;
		}
	}
	if (write(go[1], "g", 1) != 1)
		return -EIO;
	close(go[1]);
	return 0;
}

/* Notes a child record reaped: the build's root, the collector, or an orphan of the build
 * (nothing to note). */
static void reaped(struct record_run *r, pid_t pid, int st)
{
	if (pid == r->build_pid) {
		r->build_status = st;
		r->build_reaped = 1;
	} else if (pid == r->collector_pid) {
		r->collector_status = st;
		r->collector_reaped = 1;
	}
}

void record_wait_build(struct record_run *r)
{
	int st;
	pid_t pid;

	while (!r->build_reaped) {
		pid = waitpid(-1, &st, 0);
		if (pid < 0 && errno != EINTR)
			return;
		if (pid > 0)
			reaped(r, pid, st);
	}
}

/* Fills left (up to RECORD_LEFT_MAX) with record's children but the collector; returns how
 * many there are.  Orphans of the build become children of record, its subreaper. */
static int list_children(const struct record_run *r, struct record_left *left)
{
	char path[64], buf[4096];
	int n = 0, fd;
	ssize_t len;
	char *p, *end;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[len > 0 ? len : 0] = '\0';
	for (p = buf;; p = end) {
		long pid = strtol(p, &end, 10);
		FILE *f;

		if (end == p)
			break;
		if (pid <= 0 || pid == r->collector_pid)
			continue;
		if (n < RECORD_LEFT_MAX) {
			left[n].pid = (pid_t)pid;
			left[n].comm[0] = '\0';
			snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
			if ((f = fopen(path, "re"))) {
				if (fgets(left[n].comm, sizeof(left[n].comm), f))
					left[n].comm[strcspn(left[n].comm, "\n")] = '\0';
				fclose(f);
			}
		}
		n++;
	}
	return n;
}

void record_wait_orphans(const struct record_opts *o, struct record_run *r,
			 volatile sig_atomic_t *stop)
{
	int64_t deadline = now_ns() + (int64_t)(o->linger * 1e9);
	int st, n;
	pid_t pid;

	for (;;) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			reaped(r, pid, st);
		n = list_children(r, r->left);
		if (n <= 0)
			break; /* none left (or no /proc to tell: nothing to wait for) */
		if (*stop || now_ns() >= deadline) {
			r->nleft = n;
			break;
		}
		usleep(10000);
	}
}
