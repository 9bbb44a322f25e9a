/*
 * conn.c - state, collector connection and record sending of the interposer.
 *
 * One AF_UNIX SOCK_SEQPACKET connection for a whole tree of processes: the first image that
 * finds none connects, keeps the socket open across fork and exec (not close-on-exec, above
 * WCONN_FD_MIN) and names it to its children ("ASBUILT_CONN=<fd>:<inode>", put into every
 * exec'd environment by env.c).  An image whose constructor finds that descriptor still
 * open on the same socket sends on it: no socket, no connection, no accept per process
 * (about 60 us of CPU each).  Every record carries its pid, the collector tells processes
 * apart by it, and one socket keeps the records of the whole tree in the order they were
 * sent.  Anything else (the variable missing, the descriptor closed or reused by a program
 * behind the hooks) makes the image connect on its own, as the root does.  What a shared
 * socket cannot carry is an acknowledgement meant for one process: an exit that must wait
 * for its files to be hashed (AB_EXIT_SYNC) waits instead until the collector's watermark
 * passes its record (AB_EXIT_WM, a futex in the mapped watermark); only when that cannot be
 * mapped does it make a connection of its own for the record and a one-byte ack, which the
 * collector answers after reading the shared socket up to it.
 *
 * A fork child is lazy: it announces itself (AB_PROC_FORKED) only when it first has
 * something to send, or before it makes children of its own.  Most fork children only exec:
 * when the target loads the interposer, the exec goes unannounced and the new image tells
 * the collector about the fork child instead (AB_ENV_FORKED, AB_PROC_FORK_EXEC), which
 * saves four records per command a shell or make runs.
 *
 * Every record is one sendmsg whose iovecs point at the caller's bytes: nothing is copied,
 * nothing is allocated, no lock is taken, so sending is safe from threads, signal handlers
 * and vfork children.
 *
 * A vfork (or raw clone) child sees getpid() != g_pid: it sends on the inherited
 * connection with its own pid, the pid of the process whose memory it shares as the
 * record's tid, and changes no global state; the collector takes an unknown pid for a
 * child of the process its tid names.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define WCONN_OFF 0 /* not started (ASBUILT_SOCK unset or constructor not run yet) */
#define WCONN_ON 1
#define WCONN_INERT 2 /* collector unreachable or gone: do nothing more */
#define WCONN_LAZY 3 /* fork child that has not connected yet (it has sent nothing) */
#define WCONN_CONNECTING 4 /* a lazy fork child connecting (one thread does it) */
#define WCONN_FD_MIN 1000 /* move our socket above the fds programs and shells juggle */

#define WSOCK_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* The strings the constructor keeps (the ASBUILT_* variables its children are given, and
 * this image's executable for the hello), one after the other in a page-aligned block, and
 * right after them the hello's batch (below): a process touches the one page they fill,
 * not a page per buffer (a fresh page costs a fault, 1.5-2.5 us here, in every traced
 * process).  Sized for the longest of each string, then a whole batch. */
#define WCONN_ARENA_MAX                                                           \
	(sizeof AB_ENV_SOCK "=" + WSOCK_MAX + sizeof AB_ENV_LIB "=" + WPATH_BUF + \
	 sizeof AB_ENV_DIR "=" + WPATH_BUF + WPATH_BUF)
static char wconn_arena[WCONN_ARENA_MAX + AB_REC_MAX] WBIG;
static size_t wconn_arena_used; /* set by the constructor only, before any batch */
static char wconn_none[1];
char *wconn_env_sock = wconn_none;
char *wconn_env_lib = wconn_none;
char *wconn_env_dir = wconn_none;
/* "ASBUILT_CONN=<fd>:<inode>" while this process holds a connection its children can use,
 * else "" (the exec hooks put it into the new image's environment) */
char wconn_env_conn[sizeof AB_ENV_CONN "=" + 48];
const char *wconn_lib = "";

static int g_enabled;
static int g_state = WCONN_OFF;
static int g_fd = -1;
static pid_t g_pid;
static unsigned g_seq;
static int g_marked;
static int g_wrote; /* this process used a file since its last synced exit record */
static int g_wopen; /* this image opened a file for writing (its exec hands the wait on) */
static int g_mustwait; /* g_wrote by more than reads: the watermark does not end the wait */
static __u64 g_read_sent; /* CLOCK_MONOTONIC ns after the last noted read went out */
/* set by a vfork child of a lazy process, whose records had no connection to go to (the
 * memory is its parent's): the parent connects and says so as soon as it runs again */
static int g_lazy_lost;
#define WCONN_ACK_TIMEOUT_MS 120000
static __thread pid_t t_tid __attribute__((tls_model("initial-exec")));

static const char *g_sock = "";
static const char *g_dir = "";
static const char *g_execfn = "";
/* An image's hello (AB_EV_PROC, the AB_EV_ARGV chunks, AB_EV_ENV) goes out as one packet of
 * records back to back (event.h), one send instead of three sendmsg.  Filled only by the
 * thread saying hello (t_batch 1); while it appends (2), a signal handler's record is sent
 * on its own.  It lies in the arena after the strings kept there. */
#define g_batch (wconn_arena + wconn_arena_used)
#define WCONN_BATCH_CAP AB_REC_MAX /* the packet the collector reads at most */
static size_t g_batch_len;
static __thread int t_batch __attribute__((tls_model("initial-exec")));

extern char **environ;

void *wreal_sym(void **slot, const char *name)
{
	void *p = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!p) {
		p = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	}
	return p;
}

static void wconn_go_inert(int mark);
static void wconn_publish(int fd, unsigned long long ino);

int wconn_fd(void)
{
	int st = __atomic_load_n(&g_state, __ATOMIC_RELAXED);

	return st == WCONN_ON || st == WCONN_LAZY || st == WCONN_CONNECTING
		       ? __atomic_load_n(&g_fd, __ATOMIC_RELAXED)
		       : -1;
}

void wconn_move_fd(void)
{
	int old = g_fd, fd;

	if (getpid() != g_pid)
		return; /* a vfork child: the number is the parent's too */
	fd = fcntl(old, F_DUPFD, WCONN_FD_MIN);
	if (fd < 0) {
		wconn_go_inert(1); /* cannot keep the connection: say so */
		return;
	}
	__atomic_store_n(&g_fd, fd, __ATOMIC_RELAXED);
	if (wconn_env_conn[0])
		wconn_publish(fd, 0);
	wfd_close_real(old);
}

int wconn_enabled(void)
{
	return g_enabled;
}

int wconn_on(void)
{
	int st = __atomic_load_n(&g_state, __ATOMIC_RELAXED);

	return st == WCONN_ON || st == WCONN_LAZY || st == WCONN_CONNECTING;
}

int wconn_lazy(void)
{
	return __atomic_load_n(&g_state, __ATOMIC_RELAXED) == WCONN_LAZY && getpid() == g_pid;
}

/* Create "$ASBUILT_DIR/m/unreachable.<pid>" once (m: writable by every user, as a process
 * of the build may run as another, who cannot reach the socket); raw syscalls only. */
static void wconn_mark_unreachable(void)
{
	char path[WPATH_BUF + 40];
	size_t n = strlen(g_dir);
	long fd;

	if (!n || g_marked || n + 40 > sizeof path)
		return;
	g_marked = 1;
	memcpy(path, g_dir, n);
	memcpy(path + n, "/m/unreachable.", 15);
	wpath_utoa(path + n + 15, (unsigned long)getpid());
	fd = wsys(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		wsys(SYS_close, fd);
}

/* Stop sending for this process (never from a vfork child). */
static void wconn_go_inert(int mark)
{
	__atomic_store_n(&g_state, WCONN_INERT, __ATOMIC_RELAXED);
	wconn_env_conn[0] = '\0'; /* children connect on their own */
	if (mark)
		wconn_mark_unreachable();
}

/* Names fd, the connection this process holds, to the images its children exec
 * (AB_ENV_CONN); ino 0: asks the kernel.  Without a valid descriptor, names none. */
static void wconn_publish(int fd, unsigned long long ino)
{
	char *o = wconn_env_conn + sizeof AB_ENV_CONN;
	struct stat sb;

	if (fd >= 0 && !ino && fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode))
		ino = (unsigned long long)sb.st_ino;
	if (fd < 0 || !ino) {
		wconn_env_conn[0] = '\0';
		return;
	}
	memcpy(wconn_env_conn, AB_ENV_CONN "=", sizeof AB_ENV_CONN);
	o += wpath_utoa(o, (unsigned long)fd);
	*o++ = ':';
	o += wpath_utoa(o, (unsigned long)ino);
	*o = '\0';
}

/* The connection named by "<fd>:<inode>" (AB_ENV_CONN) if that descriptor is open on that
 * socket in this process, else -1. */
static int wconn_adopt(const char *v)
{
	unsigned long long fd = 0, ino = 0;
	struct stat sb;

	if (!v || *v < '0' || *v > '9')
		return -1;
	while (*v >= '0' && *v <= '9' && fd < 1u << 30)
		fd = fd * 10 + (unsigned)(*v++ - '0');
	if (*v++ != ':')
		return -1;
	while (*v >= '0' && *v <= '9' && ino < 1ull << 60)
		ino = ino * 10 + (unsigned)(*v++ - '0');
	if (*v || !ino || fd >= 1u << 30 || fstat((int)fd, &sb) != 0 || !S_ISSOCK(sb.st_mode) ||
	    (unsigned long long)sb.st_ino != ino)
		return -1;
	wconn_publish((int)fd, ino);
	return (int)fd;
}

/* Connect to the collector; returns the fd or -errno.  shared: a connection for this
 * process and its children (moved above WCONN_FD_MIN, left open across exec, named to
 * them); else one for this process alone, close-on-exec. */
static int wconn_connect(int shared)
{
	struct sockaddr_un sa;
	int fd, hi, r;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, g_sock, strlen(g_sock));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	do
		r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		wfd_close_real(fd);
		return r;
	}
	if (!shared)
		return fd;
	/* the whole tree's records in flight share its send buffer: as large as allowed */
	r = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &r, sizeof r);
	hi = fcntl(fd, F_DUPFD, WCONN_FD_MIN);
	if (hi >= 0) {
		wfd_close_real(fd);
		fd = hi;
	} else if (fcntl(fd, F_SETFD, 0) < 0) {
		return fd; /* close-on-exec after all: the children connect on their own */
	}
	wconn_publish(fd, 0);
	return fd;
}

/* After a vfork child of this (then lazy) process could not send: an AB_WARN_OTHER, so
 * that the record says its records are missing. */
static void wconn_report_lost(void)
{
	static const char what[] = "records of a vfork child of an unconnected fork child";

	if (!__atomic_exchange_n(&g_lazy_lost, 0, __ATOMIC_ACQ_REL))
		return;
	wconn_warn(AB_WARN_OTHER, what, sizeof what - 1);
}

void wconn_warn(unsigned reason, const char *what, size_t len)
{
	struct ab_warn w = { .reason = reason };
	struct wstr s = { what, len };

	wconn_send(AB_EV_WARN, &w, sizeof w, &s, 1);
}

/* Announces a lazy fork child, on the connection it inherited or else on a new one; 0
 * when done.  Not from a vfork child of a lazy process: it would announce the vfork
 * child, not its parent. */
static int wconn_activate(void)
{
	int st = WCONN_LAZY, fd, e = errno;

	if (getpid() != g_pid)
		return -1;
	if (!__atomic_compare_exchange_n(&g_state, &st, WCONN_CONNECTING, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* another thread is connecting; bounded, for a signal handler that interrupted
		 * this very thread while it connects (that record is then dropped) */
		for (int i = 0; i < 10000; i++) {
			st = __atomic_load_n(&g_state, __ATOMIC_ACQUIRE);
			if (st != WCONN_CONNECTING)
				break;
			sched_yield();
		}
		return st == WCONN_ON ? 0 : -1;
	}
	/* the parent's connection, inherited, unless the child closed or replaced it */
	fd = g_fd >= 0 && wconn_env_conn[0]
		     ? wconn_adopt(wconn_env_conn + sizeof AB_ENV_CONN)
		     : -1;
	if (fd < 0)
		fd = wconn_connect(1);
	if (fd < 0) {
		wconn_go_inert(1);
		errno = e;
		return -1;
	}
	g_fd = fd;
	__atomic_store_n(&g_state, WCONN_ON, __ATOMIC_RELEASE);
	whello_send(AB_PROC_FORKED, "");
	wconn_report_lost();
	errno = e;
	return 0;
}

void wconn_ensure(void)
{
	if (__atomic_load_n(&g_state, __ATOMIC_RELAXED) == WCONN_LAZY)
		wconn_activate();
}

/* After a failed send from process pid: stops sending when the connection is gone. */
static int wconn_send_failed(int e, pid_t pid)
{
	if (pid == g_pid) {
		if (e == EPIPE || e == ECONNRESET || e == ECONNREFUSED || e == ENOTCONN)
			wconn_go_inert(1);
		else if (e == EBADF || e == ENOTSOCK)
			wconn_go_inert(1); /* the program closed or replaced our fd behind the
					    * hooks (hooks_fd.c): a raw system call */
	}
	return -e;
}

/* Sends the records batched so far in one packet. */
static int wconn_flush(void)
{
	size_t len = g_batch_len;
	ssize_t r;

	g_batch_len = 0;
	if (!len)
		return 0;
	do
		r = send(g_fd, g_batch, len, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? wconn_send_failed(errno, getpid()) : 0;
}

/* Appends the record in iov[0, k), total bytes, to the batch (flushing it first when it
 * is too full).  Returns 0, or -errno of the flush. */
static int wconn_batch(const struct iovec *iov, unsigned k, size_t total)
{
	int rc = 0;

	t_batch = 2;
	if (g_batch_len + total > WCONN_BATCH_CAP)
		rc = wconn_flush();
	if (!rc) {
		for (unsigned i = 0; i < k; i++) {
			memcpy(g_batch + g_batch_len, iov[i].iov_base, iov[i].iov_len);
			g_batch_len += iov[i].iov_len;
		}
	}
	t_batch = 1;
	return rc;
}

void wconn_batch_begin(void)
{
	t_batch = 1;
}

int wconn_batch_end(void)
{
	t_batch = 0;
	return wconn_flush();
}

/* CLOCK_MONOTONIC in ns: the records' time, and the watermark's (AB_WATERMARK_NAME). */
static __u64 wconn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Sends one record on fd (g_fd, or a connection of this process alone: never batched). */
static int wconn_send_on(int fd, unsigned type, const void *body, size_t blen,
			 const struct wstr *s, unsigned n)
{
	struct ab_hdr h;
	__u32 lens[WCONN_MAXSTR];
	struct iovec iov[2 + 2 * WCONN_MAXSTR];
	struct msghdr mh;
	size_t total = sizeof h + blen, room;
	unsigned i, k = 0;
	pid_t pid;
	ssize_t r;

	iov[k++] = (struct iovec){ &h, sizeof h };
	iov[k++] = (struct iovec){ (void *)body, blen };
	for (i = 0; i < n; i++) {
		room = AB_REC_MAX - total - 4;
		lens[i] = (__u32)(s[i].len < room ? s[i].len : room);
		total += 4 + lens[i];
		iov[k++] = (struct iovec){ &lens[i], 4 };
		iov[k++] = (struct iovec){ (void *)s[i].p, lens[i] };
		if (total + 4 > AB_REC_MAX && i + 1 < n)
			n = i + 1; /* no room for more strings */
	}
	pid = getpid();
	memset(&h, 0, sizeof h);
	h.type = (__u16)type;
	h.nstr = (__u16)n;
	h.size = (__u32)total;
	h.pid = (__u32)pid;
	if (pid == g_pid) {
		if (!t_tid)
			t_tid = (pid_t)wsys(SYS_gettid);
		h.tid = (__u32)t_tid;
	} else {
		h.tid = (__u32)g_pid; /* vfork/clone child: the process whose memory it shares */
	}
	h.ts_ns = wconn_now();
	h.seq = __atomic_fetch_add(&g_seq, 1, __ATOMIC_RELAXED);
	h.src = AB_SRC_PRELOAD;
	if (t_batch == 1 && pid == g_pid && fd == g_fd)
		return wconn_batch(iov, k, total);
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = iov;
	mh.msg_iovlen = k;
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r >= 0 ? 0 : fd == g_fd ? wconn_send_failed(errno, pid) : -errno;
}

int wconn_send(unsigned type, const void *body, size_t blen, const struct wstr *s, unsigned n)
{
	if (n > WCONN_MAXSTR)
		return -EINVAL;
	switch (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE)) {
	case WCONN_ON:
		break;
	case WCONN_LAZY:
	case WCONN_CONNECTING:
		if (wconn_activate() == 0)
			break;
		if (getpid() != g_pid) /* a vfork child of a lazy process: nowhere to send */
			__atomic_store_n(&g_lazy_lost, 1, __ATOMIC_RELEASE);
		return -EINVAL;
	default:
		return -EINVAL;
	}
	return wconn_send_on(__atomic_load_n(&g_fd, __ATOMIC_RELAXED), type, body, blen, s, n);
}

int wconn_exec_sync(void)
{
	return g_wopen && getpid() == g_pid;
}

void wconn_note_use(int use)
{
	/* a read in flight is never past the watermark (an exit from a signal handler now) */
	if (use == WCONN_USE_READ && !__atomic_load_n(&g_mustwait, __ATOMIC_RELAXED))
		__atomic_store_n(&g_read_sent, ~(__u64)0, __ATOMIC_RELEASE);
	/* once set, nothing to do: no getpid() on every open of a compiler */
	if (g_wrote && (use == WCONN_USE_READ || g_wopen || (g_mustwait && use != WCONN_USE_WRITE)))
		return;
	if (getpid() != g_pid)
		return; /* a vfork child borrowing the connection */
	g_wrote = 1;
	if (use != WCONN_USE_READ)
		g_mustwait = 1;
	if (use == WCONN_USE_WRITE)
		g_wopen = 1;
}

void wconn_note_sent(void)
{
	if (!__atomic_load_n(&g_mustwait, __ATOMIC_RELAXED))
		__atomic_store_n(&g_read_sent, wconn_now(), __ATOMIC_RELEASE);
}

/* Wakes the collector, which lets records accumulate for a moment before it reads them
 * (src/collector/server.c): SIGUSR1 to the process that listens on the socket, named by
 * SO_PEERCRED (returned).  Without it the watermark moves, or the ack comes, only a
 * little later. */
static pid_t wconn_wake(void)
{
	static pid_t cpid;
	struct ucred uc;
	socklen_t len = sizeof uc;

	if (!cpid && getsockopt(g_fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
		cpid = uc.pid;
	if (cpid > 1)
		kill(cpid, SIGUSR1);
	return cpid;
}

/* The collector's watermark ($ASBUILT_DIR/w), mapped once per image; NULL when it cannot
 * be.  Raw system calls but for mmap. */
static const __u64 *wconn_wm(void)
{
	static const __u64 *wm;
	static const char name[] = "/" AB_WATERMARK_NAME;
	char path[WPATH_BUF + sizeof name];
	size_t n = strlen(g_dir);
	void *m;
	long fd;

	if (wm || !n || n + sizeof name > sizeof path)
		return wm;
	memcpy(path, g_dir, n);
	memcpy(path + n, name, sizeof name);
	fd = wsys(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	m = mmap(NULL, sizeof(__u64), PROT_READ, MAP_SHARED, (int)fd, 0);
	wsys(SYS_close, fd);
	if (m != MAP_FAILED)
		wm = m;
	return wm;
}

/* Whether the collector's watermark says it has processed every record sent by time t
 * (0: unknown, so no). */
static int wconn_read_past(__u64 t)
{
	const __u64 *wm = t ? wconn_wm() : NULL;

	return wm && __atomic_load_n(wm, __ATOMIC_ACQUIRE) >= t;
}

/* Waits (bounded, and not past the collector's end) until the watermark wm is at t: the
 * collector has processed every record sent by then.  Sleeps on a futex the collector
 * wakes when it moves the watermark (event.h). */
static void wconn_wait_wm(const __u64 *wm, __u64 t)
{
	const __u32 *word = (const __u32 *)wm + AB_WATERMARK_FUTEX_WORD;
	__u64 end = t + (__u64)WCONN_ACK_TIMEOUT_MS * 1000000ull, w;
	struct timespec slice = { 0, 50 * 1000000 };
	pid_t cpid = wconn_wake();

	while ((w = __atomic_load_n(wm, __ATOMIC_ACQUIRE)) < t) {
		/* asleep only while the word still holds what was just read */
		long r = wsys(SYS_futex, word, FUTEX_WAIT, (__u32)w, &slice, NULL, 0);
		int err = r < 0 ? errno : 0;

		if (err && err != EAGAIN && err != EINTR && err != ETIMEDOUT)
			return;
		/* the collector is stuck or gone: do not hang the build */
		if (wconn_now() > end ||
		    (err == ETIMEDOUT && cpid > 1 && kill(cpid, 0) < 0 && errno == ESRCH))
			return;
	}
}

/* Waits for the collector's one-byte ack of an AB_EXIT_SYNC record (bounded: a stuck
 * collector must not hang the build). */
static void wconn_wait_ack(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b;
	int r;

	wconn_wake();
	do
		r = poll(&p, 1, WCONN_ACK_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		while (recv(fd, &b, 1, MSG_DONTWAIT) < 0 && errno == EINTR)
			;
}

void wconn_send_exit(int status, unsigned flags, pid_t reaped)
{
	struct ab_exit x = { 0 };
	int e = errno, sync, fd = -1;
	const __u64 *wm = NULL;

	/* a lazy fork child that never sent anything leaves nothing to close, unless a vfork
	 * child of it lost records: then it connects to say so */
	if (__atomic_load_n(&g_state, __ATOMIC_RELAXED) == WCONN_LAZY &&
	    __atomic_load_n(&g_lazy_lost, __ATOMIC_ACQUIRE))
		wconn_ensure();
	if (__atomic_load_n(&g_state, __ATOMIC_RELAXED) != WCONN_ON)
		return;
	/* only the connection's own process, never a vfork child sharing it */
	sync = reaped == 0 && g_wrote && getpid() == g_pid;
	/* only reads since: nothing to wait for if the collector has processed them */
	if (sync && !g_mustwait &&
	    wconn_read_past(__atomic_load_n(&g_read_sent, __ATOMIC_ACQUIRE)))
		sync = 0;
	x.status = status;
	x.flags = flags | (sync ? AB_EXIT_SYNC : 0);
	x.reaped_pid = (__u32)reaped;
	/* it waits until the watermark passes its record: the collector has hashed what it
	 * wrote by then.  Without the watermark, for an ack: that is for this process alone,
	 * so a connection of its own carries the record and the ack (the collector first
	 * reads the shared one up to it). */
	if (sync && (wm = wconn_wm())) {
		x.flags |= AB_EXIT_WM;
		if (wconn_send(AB_EV_EXIT, &x, sizeof x, NULL, 0) == 0) {
			__u64 t = wconn_now();

			g_wrote = 0;
			g_mustwait = 0;
			wconn_wait_wm(wm, t);
		}
	} else if (sync && (fd = wconn_connect(0)) >= 0) {
		if (wconn_send_on(fd, AB_EV_EXIT, &x, sizeof x, NULL, 0) == 0) {
			g_wrote = 0;
			g_mustwait = 0;
			wconn_wait_ack(fd);
		}
		wfd_close_real(fd);
	} else {
		x.flags &= ~(__u32)AB_EXIT_SYNC;
		wconn_send(AB_EV_EXIT, &x, sizeof x, NULL, 0);
	}
	errno = e;
}

/* Before fork: a lazy parent connects first, so that its children's records name a known
 * process. */
static void wconn_atfork_prepare(void)
{
	wconn_ensure();
}

/* Fork child: lazy, holding its parent's connection, announced when it first sends
 * (wconn_activate). */
static void wconn_atfork_child(void)
{
	int e = errno, st;

	g_wrote = 0;
	g_wopen = 0;
	g_mustwait = 0;
	g_read_sent = 0;
	g_lazy_lost = 0;
	if (!g_enabled)
		return;
	t_tid = 0;
	if (g_fd >= 0 && !wconn_env_conn[0]) { /* not one to share (close-on-exec) */
		wfd_close_real(g_fd);
		g_fd = -1;
	}
	g_pid = getpid();
	g_seq = 0;
	g_marked = 0;
	st = g_state;
	g_state = st == WCONN_INERT ? WCONN_INERT : WCONN_LAZY;
	if (!WCONN_LAZY_FORK)
		wconn_ensure();
	errno = e;
}

char *wconn_arena_get(size_t cap)
{
	return wconn_arena_used + cap <= WCONN_ARENA_MAX ? wconn_arena + wconn_arena_used : NULL;
}

void wconn_arena_keep(size_t len)
{
	wconn_arena_used += len;
}

/* "NAME=" + value kept in the arena, at most cap bytes with its NUL; NULL when it does not
 * fit there. */
static char *wconn_capture(size_t cap, const char *name, const char *val)
{
	size_t nl = strlen(name), vl = strlen(val);
	char *dst = wconn_arena_get(cap);

	if (!dst || nl + 1 + vl + 1 > cap)
		return NULL;
	memcpy(dst, name, nl);
	dst[nl] = '=';
	memcpy(dst + nl + 1, val, vl + 1);
	wconn_arena_keep(nl + 1 + vl + 1);
	return dst;
}

/* Dummy whose address names this library for dladdr. */
static void wconn_self(void)
{
}

__attribute__((constructor)) static void wconn_ctor(int argc, char **argv, char **envp)
{
	int e = errno, fd;
	unsigned hello = 0; /* AB_PROC_FORK_EXEC when a lazy fork child exec'd us */
	const char *sock = getenv(AB_ENV_SOCK), *lib = getenv(AB_ENV_LIB);
	const char *dir = getenv(AB_ENV_DIR);
	const char *fn = (const char *)getauxval(AT_EXECFN), *inherit;
	char *kept;
	Dl_info di;

	(void)envp;
	if (!sock || !*sock || strlen(sock) >= WSOCK_MAX)
		goto out;
	if ((!lib || lib[0] != '/') && dladdr((void *)wconn_self, &di) && di.dli_fname)
		lib = di.dli_fname;
	if (!lib || !(kept = wconn_capture(sizeof AB_ENV_LIB "=" + WPATH_BUF, AB_ENV_LIB, lib)))
		goto out;
	wconn_env_lib = kept;
	if (!(kept = wconn_capture(sizeof AB_ENV_SOCK "=" + WSOCK_MAX, AB_ENV_SOCK, sock)))
		goto out;
	wconn_env_sock = kept;
	if (dir && *dir &&
	    (kept = wconn_capture(sizeof AB_ENV_DIR "=" + WPATH_BUF, AB_ENV_DIR, dir))) {
		wconn_env_dir = kept;
		g_dir = wconn_env_dir + sizeof AB_ENV_DIR;
	}
	g_sock = wconn_env_sock + sizeof AB_ENV_SOCK;
	wconn_lib = wconn_env_lib + sizeof AB_ENV_LIB;
	g_execfn = fn ? fn : "";
	whello_capture(argc, argv, g_execfn);
	wexec_init();
	wspawn_init();
	wfile_init();
	wfsops_init();
	wproc_init();
	wfd_init();
	wsyscall_init();
	pthread_atfork(wconn_atfork_prepare, NULL, wconn_atfork_child);
	g_pid = getpid();
	g_enabled = 1;
	if (getenv(AB_ENV_SYNC)) { /* the image we replaced opened files we may write */
		g_wrote = 1;
		g_mustwait = 1;
		unsetenv(AB_ENV_SYNC);
	}
	if (getenv(AB_ENV_FORKED)) { /* the image we replaced was a fork child never heard of */
		hello = AB_PROC_FORK_EXEC;
		unsetenv(AB_ENV_FORKED);
	}
	/* the connection of the process that exec'd us, or else one of our own */
	if ((fd = wconn_adopt(getenv(AB_ENV_CONN))) < 0)
		fd = wconn_connect(1);
	unsetenv(AB_ENV_CONN); /* the exec hooks name ours to our children */
	if (fd < 0) {
		wconn_go_inert(1);
		goto out;
	}
	g_fd = fd;
	g_state = WCONN_ON;
	whello_send(hello, g_execfn);
	if ((inherit = getenv(AB_ENV_INHERIT))) {
		wimage_inherited(inherit);
		unsetenv(AB_ENV_INHERIT);
	}
	if (wimage_is_go()) {
		static const char what[] = "a Go program: its system calls bypass libc";
		wconn_warn(AB_WARN_RAW_SYSCALLS, what, sizeof what - 1);
	}
out:
	errno = e;
}
