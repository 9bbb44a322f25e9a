/* server.c - the collector's epoll loop over interposer connections and the ring buffer. */
#include "asbuilt/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "asbuilt/ebpf.h"
#include "asbuilt/event.h"
#include "asbuilt/map.h"

#define TAG_LISTEN 1ULL
#define TAG_CTL 2ULL
#define TAG_EBPF 3ULL
#define TAG_WAKE 4ULL
#define TAG_CONN_BASE 16ULL /* connection ids start here */
#define TICK_MS 100
/* committing every 100 ms wrote the pages a build touches again and again: on cjson twice
 * the page writes, and twice the checkpoints SQLite then makes in this loop (two fsyncs
 * each: 0.3-120 ms seen) */
#define COMMIT_MS 1000
#define EBPF_POLL_MS 20
#define IDLE_DONE_MS 30 /* after DONE: finish when nothing arrived for this long */
/* preload: after a round that read records, let more arrive for this long before reading
 * again, unless woken (server.h); $ASBUILT_BATCH_US overrides, 0 turns batching off */
#define BATCH_US 2000
#define DRAIN_DEPTH_MAX 4 /* connections read inside one another (see struct server) */
#define RECV_BUF (AB_REC_MAX + 1)

struct conn {
	int fd;
	int reading; /* conn_read is reading it, further out: a drain leaves it alone */
	uint64_t id;
};

struct server {
	struct collector *c;
	const struct server_opts *o;
	int ep;
	int wake_ep, sigfd; /* batching: what ends a batch early (SIGUSR1, control pipe) */
	long batch_us;
	int woken; /* a process waits for its exit ack: read without batching until idle */
	struct u64map conns; /* id -> struct conn */
	uint64_t next_id;
	int nconns; /* open connections */
	int done;
	/* receive buffers by nesting depth: feeding a record can drain another connection
	 * (collector_set_io) while the record being fed still points into its buffer */
	char *bufs[DRAIN_DEPTH_MAX];
	int depth;
	int64_t last_status_ms;
	/* the watermark (AB_WATERMARK_NAME): where it is published, and what the pass being
	 * made knows (step) */
	uint64_t *wm;
	uint64_t prev_t0; /* the last pass's start, when that pass was whole */
	int accepted, short_read;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int64_t now_ms(void)
{
	return (int64_t)(now_ns() / 1000000);
}

/* Every record whose send was complete by t has been processed: say so to the processes
 * that would otherwise wait at their exit for it (wrappers/conn.c). */
static void watermark(struct server *s, uint64_t t)
{
	if (s->wm && t > __atomic_load_n(s->wm, __ATOMIC_RELAXED)) {
		__atomic_store_n(s->wm, t, __ATOMIC_RELEASE);
		/* those that wait for it sleep on its low half (event.h) */
		syscall(SYS_futex, (uint32_t *)s->wm + AB_WATERMARK_FUTEX_WORD, FUTEX_WAKE,
			INT_MAX, NULL, NULL, 0);
	}
}

static void conn_close(struct server *s, struct conn *cn)
{
	u64map_del(&s->conns, cn->id);
	s->nconns--;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, cn->fd, NULL);
	close(cn->fd);
	collector_conn_closed(s->c, cn->id);
	free(cn);
}

/* Reads every record waiting on cn; closes it at EOF.  Returns the records read.  Nested
 * calls (from collector_feed, through drain_conn) each use a buffer of their own; past
 * DRAIN_DEPTH_MAX the connection is left for the loop to read later. */
static int conn_read(struct server *s, struct conn *cn)
{
	int n = 0;
	char *buf;

	if (cn->reading)
		return 0; /* a record of its own asks for it: what follows comes after anyway */
	if (s->depth >= DRAIN_DEPTH_MAX ||
	    (!s->bufs[s->depth] && !(s->bufs[s->depth] = malloc(RECV_BUF)))) {
		s->short_read = 1; /* left unread: the pass is not whole */
		return 0;
	}
	buf = s->bufs[s->depth++];
	cn->reading = 1;
	for (;;) {
		ssize_t r = recv(cn->fd, buf, RECV_BUF, MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) { /* EOF, or a reset peer */
			conn_close(s, cn);
			cn = NULL;
			break;
		}
		n++;
		if ((size_t)r > RECV_BUF - 1)
			collector_lost(s->c, 1, "packet larger than the wire format allows");
		else
			collector_feed_packet(s->c, buf, (size_t)r, cn->id);
	}
	if (cn)
		cn->reading = 0;
	s->depth--;
	return n;
}

static void drain_conn(void *ctx, uint64_t id)
{
	struct server *s = ctx;
	struct conn *cn;

	if (!id) { /* every connection (ids are handed out in order; reading may close some) */
		for (uint64_t k = TAG_CONN_BASE; k < s->next_id; k++)
			if ((cn = u64map_get(&s->conns, k)))
				conn_read(s, cn);
		return;
	}
	if ((cn = u64map_get(&s->conns, id)))
		conn_read(s, cn);
}

static void ack_conn(void *ctx, uint64_t id)
{
	struct server *s = ctx;
	struct conn *cn = u64map_get(&s->conns, id);

	if (cn && send(cn->fd, "k", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the process is gone already: nothing waits */
	}
}

static int accept_all(struct server *s)
{
	int n = 0;

	for (;;) {
		int fd = accept4(s->o->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *cn;

		if (fd < 0)
			return n;
		cn = malloc(sizeof(*cn));
		if (!cn) {
			close(fd);
			continue;
		}
		cn->fd = fd;
		cn->reading = 0;
		cn->id = s->next_id++;
		u64map_put(&s->conns, cn->id, cn);
		s->nconns++;
		s->accepted = 1;
		epoll_ctl(s->ep, EPOLL_CTL_ADD, fd,
			  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = cn->id });
		n++;
	}
}

static void ebpf_sink(void *ctx, const void *rec, size_t len)
{
	collector_feed(ctx, rec, len, 0);
}

static int ebpf_drain(struct server *s)
{
	if (!s->o->ebpf)
		return 0;
	int n = ebpf_tracer_poll(s->o->ebpf, 0, ebpf_sink, s->c);
	return n > 0 ? n : 0;
}

static void reply(struct server *s, int type, int value)
{
	struct server_msg m = { .type = type, .value = value };

	if (write(s->o->status_fd, &m, sizeof(m)) < 0) {
		/* the supervisor is gone; nothing to tell */
	}
}

static void on_ctl(struct server *s)
{
	struct server_msg m;
	ssize_t r = read(s->o->ctl_fd, &m, sizeof(m));

	if (r != sizeof(m)) { /* supervisor gone: finish what we have */
		s->done = 1;
		epoll_ctl(s->ep, EPOLL_CTL_DEL, s->o->ctl_fd, NULL);
		return;
	}
	if (m.type == SERVER_DONE) {
		s->done = 1;
	} else if (m.type == SERVER_TRACK) {
		int ok = s->o->ebpf && ebpf_tracer_track(s->o->ebpf, (pid_t)m.value) == 0;

		reply(s, ok ? SERVER_OK : SERVER_ERR, 0);
	}
}

static void live_status(struct server *s, int final)
{
	struct collector_stats st;
	int64_t t = now_ms();

	if (!s->o->live_status || (!final && t - s->last_status_ms < 250))
		return;
	s->last_status_ms = t;
	collector_get_stats(s->c, &st);
	if (final)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\r\033[Kasbuilt: %llu processes, %llu file events, %.1f MB hashed",
			(unsigned long long)st.processes, (unsigned long long)st.file_events,
			st.bytes_hashed / 1e6);
}

/* One pass of the loop; returns the number of records and connections handled. */
/* Consumes the pending wake-up signals. */
static void drain_wake(struct server *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		s->woken = 1;
}

/* Sets up batching: a signalfd for SIGUSR1 (which the caller blocked) and the small epoll
 * set that ends a batch early.  Leaves batching off when it cannot. */
static void batch_init(struct server *s)
{
	const char *e = getenv("ASBUILT_BATCH_US");
	sigset_t set;

	s->wake_ep = s->sigfd = -1;
	s->batch_us = e && *e ? strtol(e, NULL, 10) : BATCH_US;
	if (s->o->listen_fd < 0 || s->batch_us <= 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->wake_ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->sigfd < 0 || s->wake_ep < 0) {
		s->batch_us = 0;
		return;
	}
	epoll_ctl(s->wake_ep, EPOLL_CTL_ADD, s->sigfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_WAKE });
	epoll_ctl(s->wake_ep, EPOLL_CTL_ADD, s->o->ctl_fd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_CTL });
	epoll_ctl(s->ep, EPOLL_CTL_ADD, s->sigfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_WAKE });
}

/* Lets records accumulate for batch_us, so that a build sending a record per open wakes
 * the collector once per batch rather than once per record.  A process waiting for its
 * exit ack ends the wait early with SIGUSR1 (wrappers/conn.c). */
static void batch_wait(struct server *s)
{
	struct timespec ts = { 0, s->batch_us * 1000 };
	struct epoll_event ev[2];

	if (epoll_pwait2(s->wake_ep, ev, 2, &ts, NULL) > 0)
		drain_wake(s);
}

/* One pass of the loop: reads what epoll reports ready.  A pass that started at t0 and
 * read every ready connection to its end has processed every record sent before t0 on a
 * connection accepted before the pass; one accepted during the pass is read in the next,
 * so then it is the previous pass's start that the watermark may take. */
static int step(struct server *s, int timeout)
{
	struct epoll_event evs[64];
	uint64_t t0 = now_ns();
	int n = epoll_wait(s->ep, evs, 64, 0), work = 0;

	if (n == 0 && timeout) { /* nothing was waiting at t0: before sleeping, say so */
		watermark(s, t0);
		s->prev_t0 = t0;
		t0 = now_ns();
		n = epoll_wait(s->ep, evs, 64, timeout);
	}
	s->accepted = s->short_read = 0;

	for (int i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;
		if (tag == TAG_LISTEN)
			work += accept_all(s);
		else if (tag == TAG_CTL)
			on_ctl(s);
		else if (tag == TAG_EBPF)
			work += ebpf_drain(s);
		else if (tag == TAG_WAKE)
			drain_wake(s);
		else if ((tag = evs[i].data.u64) >= TAG_CONN_BASE) {
			struct conn *cn = u64map_get(&s->conns, tag);
			if (cn)
				work += conn_read(s, cn);
		}
	}
	if (n < 0 || n == 64 || s->short_read) {
		s->prev_t0 = 0;
		return work;
	}
	if (!s->accepted)
		watermark(s, t0);
	else if (s->prev_t0)
		watermark(s, s->prev_t0);
	s->prev_t0 = t0;
	return work;
}

static void free_conn(uint64_t id, void *v, void *ctx)
{
	struct conn *cn = v;

	close(cn->fd);
	free(cn);
}

int server_run(struct collector *c, const struct server_opts *o, struct server_result *res)
{
	struct server s = { .c = c, .o = o, .next_id = TAG_CONN_BASE };
	int64_t last_tick = now_ms(), last_ebpf = 0, idle_since = 0;
	int rc;

	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0)
		return -errno;
	collector_set_io(c, drain_conn, ack_conn, &s);
	batch_init(&s);
	if (o->wm_fd >= 0) {
		void *m = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
			       o->wm_fd, 0);
		if (m != MAP_FAILED)
			s.wm = m; /* else every reader waits for its ack, as before */
	}
	if (o->listen_fd >= 0)
		epoll_ctl(s.ep, EPOLL_CTL_ADD, o->listen_fd,
			  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_LISTEN });
	epoll_ctl(s.ep, EPOLL_CTL_ADD, o->ctl_fd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_CTL });
	if (o->ebpf)
		epoll_ctl(s.ep, EPOLL_CTL_ADD, ebpf_tracer_fd(o->ebpf),
			  &(struct epoll_event){ .events = EPOLLIN, .data.u64 = TAG_EBPF });

	for (;;) {
		int pending = collector_idle(c, 0);
		int work = step(&s, pending || s.woken ? 0 : s.done || o->ebpf ? EBPF_POLL_MS : TICK_MS);
		int64_t t = now_ms();

		if (!work && pending)
			collector_idle(c, 1); /* nothing waiting: one deferred job or slice */
		/* after a wake someone waits for its ack: read what is ready, in the order epoll
		 * reports it (a fork child's connection before its exec'd image's), with no batching
		 * until a pass finds nothing */
		if (!work)
			s.woken = 0;
		else if (!pending && !s.done && s.batch_us > 0 && !s.woken)
			batch_wait(&s);
		if (t - last_tick >= COMMIT_MS) {
			collector_tick(c);
			last_tick = t;
		}
		if (o->ebpf && t - last_ebpf >= EBPF_POLL_MS) {
			/* the kernel side wakes us only on exits or a full batch */
			ebpf_drain(&s);
			last_ebpf = t;
		}
		live_status(&s, 0);
		if (!s.done)
			continue;
		/* after the root exited: pick up late connections and records, then stop */
		if (o->listen_fd >= 0)
			work += accept_all(&s);
		work += ebpf_drain(&s);
		if (work || !idle_since)
			idle_since = t;
		if (s.nconns == 0 && !o->ebpf)
			break; /* every connection is closed and read to its end: nothing can follow */
		if (o->ebpf && s.nconns == 0 && !ebpf_tracer_live(o->ebpf)) {
			/* the whole tree is gone: its records are in the ring buffer, but for the
			 * last exit's, which another CPU may still be writing; the drain after the
			 * loop reads them (waiting for a pass without work cost a 20 ms poll) */
			usleep(1000);
			break;
		}
		if (t - idle_since >= IDLE_DONE_MS)
			break;
	}
	live_status(&s, 1);
	if (o->ebpf) {
		ebpf_drain(&s);
		collector_lost(c, ebpf_tracer_lost(o->ebpf), "ring buffer full");
	}
	rc = collector_finish(c);
	memset(res, 0, sizeof(*res));
	collector_get_stats(c, &res->stats);
	res->ok = rc == 0;
	u64map_each(&s.conns, free_conn, NULL);
	u64map_release(&s.conns);
	for (int i = 0; i < DRAIN_DEPTH_MAX; i++)
		free(s.bufs[i]);
	close(s.ep);
	if (s.wm)
		munmap(s.wm, sizeof(uint64_t));
	if (s.wake_ep >= 0)
		close(s.wake_ep);
	if (s.sigfd >= 0)
		close(s.sigfd);
	return rc;
}
