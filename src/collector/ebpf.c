/*
 * ebpf.c - loader and consumer of the eBPF backend (kernel side: bpf/asbuilt.bpf.c).
 *
 * Loads the skeleton, attaches its raw_tp programs (scheduler and raw_syscalls tracepoints;
 * no tracefs needed), and hands each ring-buffer record to the sink after checking its size.
 * AB_EV_FILE records get their strings [1] and [3] folded lexically ("." and ".." removed),
 * because the kernel side only joins directory + path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asbuilt/ebpf.h"
#include "asbuilt/event.h"

#ifdef ASBUILT_HAVE_EBPF

#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "asbuilt.skel.h"
#include "asbuilt.minbtf.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct ebpf_tracer {
	struct asbuilt_bpf *skel;
	struct ring_buffer *rb;
	uint64_t lost_seen; /* lost_records already reported as AB_EV_LOST */
	/* state of the running ebpf_tracer_poll() */
	ebpf_sink_fn sink;
	void *sink_ctx;
	int count;
	unsigned char buf[AB_REC_MAX]; /* a record being folded */
};

int ebpf_built(void)
{
	return 1;
}

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int ebpf_check_privilege(char *why, size_t whylen)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int bpf, perfmon;

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0) {
		int e = errno;

		snprintf(why, whylen, "cannot read the capabilities of this process: %s",
			 strerror(e));
		return -e;
	}
	bpf = has_cap(d, CAP_BPF) || has_cap(d, CAP_SYS_ADMIN);
	perfmon = has_cap(d, CAP_PERFMON) || has_cap(d, CAP_SYS_ADMIN);
	if (bpf && perfmon)
		return 0;
	snprintf(why, whylen, "%s%s%s %s missing (%s)", bpf ? "" : "CAP_BPF",
		 !bpf && !perfmon ? " and " : "", perfmon ? "" : "CAP_PERFMON",
		 !bpf && !perfmon ? "are" : "is", geteuid() ? "not root" : "root without them");
	return -EPERM;
}

/* Copies this architecture's syscall numbers into the BPF rodata (-1: no such call). */
static void set_syscall_numbers(struct asbuilt_bpf *sk)
{
#define NR(name) sk->rodata->nr_##name = SYS_##name;
	NR(openat) NR(rename) NR(renameat) NR(link) NR(linkat) NR(symlink) NR(symlinkat)
	NR(unlink) NR(unlinkat) NR(truncate) NR(chdir) NR(fchdir)
#ifdef SYS_openat2
	NR(openat2)
#endif
#ifdef SYS_open
	NR(open)
#endif
#ifdef SYS_creat
	NR(creat)
#endif
#ifdef SYS_renameat2
	NR(renameat2)
#endif
#ifdef SYS_io_uring_setup
	NR(io_uring_setup)
#endif
#undef NR
}

static int handle_record(void *ctx, void *data, size_t len);

/* A memfd holding the minimal BTF made at build time (scripts/gen-minbtf.sh) when this is
 * the kernel it was cut from (the same /sys/kernel/notes: its build ID), else -1: libbpf
 * then relocates against the kernel's own BTF. */
static int min_btf_fd(void)
{
#ifdef AB_MIN_BTF_NONE
	return -1;
#else
	unsigned char notes[sizeof(ab_min_btf_notes) + 1];
	ssize_t n = -1;
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, notes, sizeof(notes));
		close(fd);
	}
	if (n != (ssize_t)sizeof(ab_min_btf_notes) || memcmp(notes, ab_min_btf_notes, (size_t)n))
		return -1;
	fd = memfd_create("asbuilt-min-btf", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, ab_min_btf, sizeof(ab_min_btf)) != (ssize_t)sizeof(ab_min_btf)) {
		close(fd);
		return -1;
	}
	return fd;
#endif
}

/* With ASBUILT_BPF_DEBUG: the instructions the verifier went through for each program, a
 * figure that does not move with the machine's load (bench/bpfcost.sh prints it; the
 * verifier's time follows it, docs/performance.md item 30). */
static void print_verified(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0)
			fprintf(stderr, "asbuilt: ebpf: %s: %u instructions verified\n",
				bpf_program__name(p), info.verified_insns);
	}
}

int ebpf_tracer_new(struct ebpf_tracer **out, char *err, size_t errlen)
{
	struct ebpf_tracer *t;
	int rc, ncpu, bfd;

	*out = NULL;
	if ((rc = ebpf_check_privilege(err, errlen)) < 0)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!getenv("ASBUILT_BPF_DEBUG")) /* set: libbpf prints its log (verifier) */
		libbpf_set_print(NULL);
	bfd = min_btf_fd();
	if (bfd >= 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", bfd);
		LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = path);
		t->skel = asbuilt_bpf__open_opts(&oo);
	} else {
		t->skel = asbuilt_bpf__open();
	}
	if (!t->skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		if (bfd >= 0)
			close(bfd);
		goto fail;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0)
		bpf_map__set_max_entries(t->skel->maps.scratch, ncpu);
	set_syscall_numbers(t->skel);
	rc = asbuilt_bpf__load(t->skel); /* reads the custom BTF path */
	if (bfd >= 0)
		close(bfd);
	if (rc < 0) {
		snprintf(err, errlen, "cannot load the BPF programs (verifier or kernel support): %s",
			 strerror(-rc));
		goto fail;
	}
	if (getenv("ASBUILT_BPF_DEBUG"))
		print_verified(t->skel->obj);
	rc = asbuilt_bpf__attach(t->skel);
	if (rc < 0) {
		snprintf(err, errlen, "cannot attach the BPF programs: %s", strerror(-rc));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_record, t, NULL);
	if (!t->rb) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	ebpf_tracer_free(t);
	return rc;
}

int ebpf_tracer_track(struct ebpf_tracer *t, pid_t pid)
{
	__u32 key = pid, one = 1;

	if (bpf_map__update_elem(t->skel->maps.tracked, &key, sizeof(key), &one, sizeof(one),
				 BPF_ANY) < 0)
		return -errno;
	return 0;
}

int ebpf_tracer_fd(const struct ebpf_tracer *t)
{
	return ring_buffer__epoll_fd(t->rb);
}

/* Folds an absolute path lexically ("//", "/./", "/x/.." removed) in place; returns its new
 * length.  Relative paths are left alone. */
static uint32_t fold_path(char *p, uint32_t len)
{
	uint32_t r = 0, w = 0, n;

	if (len == 0 || p[0] != '/')
		return len;
	while (r < len) {
		while (r < len && p[r] == '/')
			r++;
		for (n = 0; r + n < len && p[r + n] != '/'; n++)
			;
		if (n == 0 || (n == 1 && p[r] == '.')) {
			/* empty or "." */
		} else if (n == 2 && p[r] == '.' && p[r + 1] == '.') {
			while (w > 0 && p[w - 1] != '/')
				w--;
			if (w > 0)
				w--; /* drop the '/' before the removed component */
		} else {
			p[w++] = '/';
			memmove(p + w, p + r, n);
			w += n;
		}
		r += n;
	}
	if (w == 0)
		p[w++] = '/';
	return w;
}

/* Copies an AB_EV_FILE record to t->buf with strings [1] and [3] folded; returns the new
 * size, or 0 when the strings overrun the record. */
static size_t fold_file_record(struct ebpf_tracer *t, const void *data, size_t len)
{
	const struct ab_hdr *h = data;
	size_t in = sizeof(*h) + sizeof(struct ab_file), out = in;
	uint32_t slen;

	memcpy(t->buf, data, in);
	for (unsigned i = 0; i < h->nstr; i++) {
		if (in + 4 > len)
			return 0;
		memcpy(&slen, (const char *)data + in, 4);
		if (slen > len - in - 4)
			return 0;
		memcpy(t->buf + out + 4, (const char *)data + in + 4, slen);
		in += 4 + slen;
		if (i == 1 || i == 3)
			slen = fold_path((char *)t->buf + out + 4, slen);
		memcpy(t->buf + out, &slen, 4);
		out += 4 + slen;
	}
	((struct ab_hdr *)t->buf)->size = out;
	return out;
}

static int handle_record(void *ctx, void *data, size_t len)
{
	struct ebpf_tracer *t = ctx;
	const struct ab_hdr *h = data;
	size_t n;

	if (len < sizeof(*h) || h->size != len || len > AB_REC_MAX || h->type >= AB_EV_MAX)
		return 0; /* malformed: dropped */
	if (h->type == AB_EV_FILE && len >= sizeof(*h) + sizeof(struct ab_file)) {
		n = fold_file_record(t, data, len);
		if (!n)
			return 0;
		t->sink(t->sink_ctx, t->buf, n);
	} else {
		t->sink(t->sink_ctx, data, len);
	}
	t->count++;
	return 0;
}

/* Hands an AB_EV_LOST record to the sink when the kernel side dropped records. */
static void report_lost(struct ebpf_tracer *t)
{
	struct {
		struct ab_hdr h;
		struct ab_lost l;
	} rec;
	uint64_t lost = ebpf_tracer_lost(t);
	struct timespec ts;

	if (lost <= t->lost_seen)
		return;
	memset(&rec, 0, sizeof(rec));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	rec.h.type = AB_EV_LOST;
	rec.h.size = sizeof(rec);
	rec.h.src = AB_SRC_EBPF;
	rec.h.ts_ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	rec.l.count = lost - t->lost_seen;
	t->lost_seen = lost;
	t->sink(t->sink_ctx, &rec, sizeof(rec));
	t->count++;
}

int ebpf_tracer_poll(struct ebpf_tracer *t, int timeout_ms, ebpf_sink_fn sink, void *ctx)
{
	int rc = 0;

	t->sink = sink;
	t->sink_ctx = ctx;
	t->count = 0;
	if (timeout_ms != 0)
		rc = ring_buffer__poll(t->rb, timeout_ms);
	if (rc >= 0 || rc == -EINTR)
		rc = ring_buffer__consume(t->rb);
	report_lost(t);
	if (rc < 0 && rc != -EINTR)
		return rc;
	return t->count;
}

int ebpf_tracer_live(const struct ebpf_tracer *t)
{
	__u32 key;

	return bpf_map__get_next_key(t->skel->maps.tracked, NULL, &key, sizeof(key)) == 0;
}

uint64_t ebpf_tracer_lost(const struct ebpf_tracer *t)
{
	return __atomic_load_n(&t->skel->bss->lost_records, __ATOMIC_RELAXED);
}

void ebpf_tracer_free(struct ebpf_tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	asbuilt_bpf__destroy(t->skel);
	free(t);
}

#else /* !ASBUILT_HAVE_EBPF */

#define NOT_BUILT "asbuilt was built without the eBPF backend (clang, bpftool or libbpf missing)"

int ebpf_built(void)
{
	return 0;
}

int ebpf_check_privilege(char *why, size_t whylen)
{
	snprintf(why, whylen, NOT_BUILT);
	return -ENOSYS;
}

int ebpf_tracer_new(struct ebpf_tracer **out, char *err, size_t errlen)
{
	*out = NULL;
	snprintf(err, errlen, NOT_BUILT);
	return -ENOSYS;
}

int ebpf_tracer_track(struct ebpf_tracer *t, pid_t pid)
{
	return -ENOSYS;
}

int ebpf_tracer_fd(const struct ebpf_tracer *t)
{
	return -ENOSYS;
}

int ebpf_tracer_poll(struct ebpf_tracer *t, int timeout_ms, ebpf_sink_fn sink, void *ctx)
{
	return -ENOSYS;
}

int ebpf_tracer_live(const struct ebpf_tracer *t)
{
	return 0;
}

uint64_t ebpf_tracer_lost(const struct ebpf_tracer *t)
{
	return 0;
}

void ebpf_tracer_free(struct ebpf_tracer *t)
{
}

#endif /* ASBUILT_HAVE_EBPF */
