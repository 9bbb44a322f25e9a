/*
 * asbuilt.bpf.c - kernel side of the eBPF backend (loader: src/collector/ebpf.c).
 *
 * Follows one process tree: tgids in the `tracked` map (the root is inserted by the loader,
 * children at sched_process_fork).  For each traced process it sends, in the wire format of
 * include/asbuilt/event.h, through the `events` ring buffer:
 *
 *   sched_process_fork   AB_EV_FORK (hdr.pid = parent), the child is tracked
 *   sched_process_exec   AB_EV_PROC, then AB_EV_ARGV chunks in offset order, then an
 *                        AB_EV_FILE AB_OP_EXEC_INTERP for the ELF interpreter (if any)
 *   sched_process_exit   AB_EV_EXIT when the whole thread group is gone, then untracked
 *   raw_syscalls         AB_EV_FILE for open/creat/openat/openat2, rename*, link*,
 *                        symlink*, unlink*, truncate, chdir, fchdir (args kept in
 *                        task storage from sys_enter to sys_exit);
 *                        AB_EV_WARN AB_WARN_IO_URING for io_uring_setup
 *
 * The syscalls are hooked through the generic raw_syscalls tracepoints (tp_btf), not the
 * per-syscall syscalls:sys_enter_* ones: detaching 33 perf-event tracepoints costs one RCU
 * grace period each (1.2-1.4 s at exit, measured), a tp_btf link detaches at once, and no
 * tracefs is needed.
 *
 * Untraced processes cost one hash lookup per hooked event.  Records are built in a per-CPU
 * scratch buffer and copied out with bpf_ringbuf_output() at their exact size; when that
 * fails, lost_records is bumped (the loader reports it as AB_EV_LOST).  The consumer is
 * woken only when a traced process exits or AB_BPF_WAKEUP_BYTES are waiting (a wakeup per
 * record costs more than the record), so it must poll with a timeout.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "asbuilt/event.h"
#include "asbuilt_bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings, set by the loader through skel->rodata before load. */
const volatile __u32 argv_max_chunks = AB_BPF_ARGV_CHUNKS;
const volatile bool send_enoent = false; /* also send failed calls with ENOENT/ENOTDIR */

/* Syscall numbers of this architecture (the loader copies them from <sys/syscall.h>;
 * -1: the architecture lacks the call). */
const volatile __s32 nr_openat = -1, nr_openat2 = -1, nr_open = -1, nr_creat = -1;
const volatile __s32 nr_rename = -1, nr_renameat = -1, nr_renameat2 = -1;
const volatile __s32 nr_link = -1, nr_linkat = -1, nr_symlink = -1, nr_symlinkat = -1;
const volatile __s32 nr_unlink = -1, nr_unlinkat = -1, nr_truncate = -1;
const volatile __s32 nr_chdir = -1, nr_fchdir = -1, nr_io_uring_setup = -1;

/* Records that did not fit in the ring buffer (read by the loader through skel->bss). */
__u64 lost_records = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AB_BPF_TRACKED_MAX);
	__type(key, __u32); /* tgid */
	__type(value, __u32);
} tracked SEC(".maps");

/* The file syscall a traced thread is inside (task-local: untraced threads have none). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ab_sc_args);
} inflight SEC(".maps");

/* One slot per possible CPU; the loader sets max_entries. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ab_scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} seqs SEC(".maps");

#define REC_MASK (AB_REC_MAX - 1)
#define PATH_MASK (AB_PATH_MAX - 1)
#define HDR_SZ ((__u32)sizeof(struct ab_hdr))

/* ---- records ------------------------------------------------------------------------ */

static __always_inline struct ab_scratch *scratch_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch, &cpu);
}

static __always_inline bool is_tracked(__u32 tgid)
{
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

/* Starts a record with a zeroed body of blen bytes; returns the offset of its first string. */
static __always_inline __u32 rec_start(struct ab_scratch *s, __u16 type, __u32 blen, __u64 id)
{
	struct ab_hdr *h = (void *)s->rec;

	__builtin_memset(s->rec, 0, HDR_SZ + blen);
	h->type = type;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->src = AB_SRC_EBPF;
	return HDR_SZ + blen;
}

/* Completes the header and copies the record [0, size) to the ring buffer. */
static __always_inline void rec_send(struct ab_scratch *s, __u32 size, __u16 nstr)
{
	struct ab_hdr *h = (void *)s->rec;
	__u32 zero = 0, *seq = bpf_map_lookup_elem(&seqs, &zero);
	__u64 wake = BPF_RB_NO_WAKEUP;

	h->nstr = nstr;
	h->size = size;
	h->cpu = bpf_get_smp_processor_id();
	h->ts_ns = bpf_ktime_get_ns();
	if (seq) {
		h->seq = *seq;
		*seq += 1;
	}
	/* Batch: wake the consumer only for a process exit or once enough is waiting. */
	if (h->type == AB_EV_EXIT ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= AB_BPF_WAKEUP_BYTES)
		wake = BPF_RB_FORCE_WAKEUP;
	if (size > AB_REC_MAX || bpf_ringbuf_output(&events, s->rec, size, wake))
		__sync_fetch_and_add(&lost_records, 1);
}

static __always_inline void put_len(struct ab_scratch *s, __u32 off, __u32 len)
{
	__builtin_memcpy(&s->rec[off & REC_MASK], &len, sizeof(len));
}

static __always_inline __u32 put_empty(struct ab_scratch *s, __u32 off)
{
	put_len(s, off, 0);
	return off + 4;
}

/*
 * The appenders below are global (non-static) functions: the verifier checks each once,
 * with unknown scalar arguments, instead of once per call site and state.  They find the
 * scratch buffer themselves and return the new offset, with TRUNC_BIT set when a path was
 * cut (too long or too deep).
 */
#define TRUNC_BIT (1ull << 32)

/* Appends the user string at uptr (at most AB_PATH_MAX - 1 bytes; none: empty). */
__noinline long ab_put_ustr(__u32 off, __u64 uptr)
{
	struct ab_scratch *s = scratch_get();
	long n = 0;

	if (!s)
		return off;
	if (uptr)
		n = bpf_probe_read_user_str(&s->rec[(off + 4) & REC_MASK], AB_PATH_MAX,
					    (void *)uptr);
	n = n > 0 ? n - 1 : 0;
	put_len(s, off, n);
	return off + 4 + n;
}

/* Appends the kernel string at kptr (none: empty). */
__noinline long ab_put_kstr(__u32 off, __u64 kptr)
{
	struct ab_scratch *s = scratch_get();
	long n = 0;

	if (!s)
		return off;
	if (kptr)
		n = bpf_probe_read_kernel_str(&s->rec[(off + 4) & REC_MASK], AB_PATH_MAX,
					      (void *)kptr);
	n = n > 0 ? n - 1 : 0;
	put_len(s, off, n);
	return off + 4 + n;
}

/* Appends a short literal (used for warnings). */
#define put_lit(s, off, lit)                                                                \
	({                                                                                  \
		__builtin_memcpy(&(s)->rec[((off) + 4) & REC_MASK], lit, sizeof(lit) - 1);  \
		put_len(s, off, sizeof(lit) - 1);                                           \
		(off) + 4 + (__u32)(sizeof(lit) - 1);                                       \
	})

static __always_inline void send_warn(struct ab_scratch *s, __u64 id, __u32 reason, __u64 uptr)
{
	__u32 off = rec_start(s, AB_EV_WARN, sizeof(struct ab_warn), id);

	((struct ab_warn *)(s->rec + HDR_SZ))->reason = reason;
	off = ab_put_ustr(off, uptr);
	rec_send(s, off, 1);
}

/* ---- paths -------------------------------------------------------------------------- */

struct walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 pos; /* the path is s->path[pos, AB_PATH_MAX) */
	__u32 trunc;
	__u32 done;
};

/* One step of the walk from a dentry up to the task's root, crossing mounts (d_path). */
static long walk_step(__u32 i, struct walk *w)
{
	struct dentry *d = w->dentry, *parent;
	struct vfsmount *vm = w->vfsmnt;
	struct ab_scratch *s;
	struct qstr q;
	__u32 len, p;

	if (!d || (d == w->root_dentry && vm == w->root_mnt))
		goto done;
	parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(vm, mnt_root) || d == parent) {
		struct mount *m = container_of(vm, struct mount, mnt);
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (!mp || mp == m)
			goto done; /* the global root, or a detached mount */
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->vfsmnt = &mp->mnt;
		return 0;
	}
	if (bpf_core_read(&q, sizeof(q), &d->d_name))
		goto done;
	len = q.len;
	if (len > AB_BPF_NAME_MAX) {
		len = AB_BPF_NAME_MAX;
		w->trunc = 1;
	}
	if (w->pos < len + 1) {
		w->trunc = 1;
		goto done;
	}
	s = scratch_get();
	if (!s)
		goto done;
	w->pos -= len + 1;
	p = w->pos & PATH_MASK;
	s->path[p] = '/';
	bpf_probe_read_kernel(&s->path[p + 1], len, q.name);
	w->dentry = parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

/* Builds the absolute path of (mnt, dentry) as seen from task's root in s->path; returns
 * its start offset in s->path (| TRUNC_BIT). */
__noinline long ab_walk(__u64 task, __u64 mnt, __u64 dentry)
{
	struct task_struct *t = (void *)task;
	struct ab_scratch *s = scratch_get();
	struct walk w = {
		.dentry = (void *)dentry,
		.vfsmnt = (void *)mnt,
		.root_dentry = BPF_CORE_READ(t, fs, root.dentry),
		.root_mnt = BPF_CORE_READ(t, fs, root.mnt),
		.pos = AB_PATH_MAX,
	};

	if (!s)
		return 0;
	bpf_loop(AB_BPF_WALK_MAX, walk_step, &w, 0);
	if (w.pos >= AB_PATH_MAX) {
		s->path[AB_PATH_MAX - 1] = '/';
		w.pos = AB_PATH_MAX - 1;
	}
	return (w.pos & PATH_MASK) | (!w.done || w.trunc ? TRUNC_BIT : 0);
}

/* Appends s->path[pos, AB_PATH_MAX) as a string. */
__noinline long ab_put_walked(__u32 off, __u32 pos)
{
	struct ab_scratch *s = scratch_get();
	__u32 len;

	if (!s)
		return off;
	pos &= PATH_MASK;
	len = AB_PATH_MAX - pos;
	bpf_probe_read_kernel(&s->rec[(off + 4) & REC_MASK], len, &s->path[pos]);
	put_len(s, off, len);
	return off + 4 + len;
}

/* Appends the absolute path of (mnt, dentry). */
__noinline long ab_put_path(__u32 off, __u64 task, __u64 mnt, __u64 dentry)
{
	long w = ab_walk(task, mnt, dentry);

	return ab_put_walked(off, (__u32)w) | (w & TRUNC_BIT);
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Appends the absolute form of the user path uptr: as is when absolute, else the directory
 * dfd (or the cwd) + "/" + path.  Not folded: the loader folds "." and "..". */
__noinline long ab_put_joined(__u32 off, __u64 task, __s32 dfd, __u64 uptr)
{
	struct task_struct *t = (void *)task;
	struct ab_scratch *s = scratch_get();
	struct vfsmount *mnt;
	struct dentry *dentry;
	__u32 len, at;
	char first = 0;
	long n, w;

	if (!s)
		return off;
	if (uptr)
		bpf_probe_read_user(&first, 1, (void *)uptr);
	if (first == '/' || dfd == AB_NO_DIRFD)
		return ab_put_ustr(off, uptr);
	if (dfd == AB_AT_FDCWD) {
		mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		dentry = BPF_CORE_READ(t, fs, pwd.dentry);
	} else {
		struct file *f = fd_file(t, dfd);

		if (!f)
			return ab_put_ustr(off, uptr);
		mnt = BPF_CORE_READ(f, f_path.mnt);
		dentry = BPF_CORE_READ(f, f_path.dentry);
	}
	w = ab_walk(task, (__u64)mnt, (__u64)dentry);
	len = (__u32)ab_put_walked(off, (__u32)w) - off - 4;
	w &= TRUNC_BIT;
	if (!first) /* empty path (AT_EMPTY_PATH): the directory itself */
		return (off + 4 + len) | w;
	len &= AB_PATH_MAX * 2 - 1;
	at = (off + 4 + len) & REC_MASK;
	s->rec[at] = '/';
	n = bpf_probe_read_user_str(&s->rec[(at + 1) & REC_MASK], AB_PATH_MAX, (void *)uptr);
	n = n > 0 ? n - 1 : 0;
	len += 1 + n;
	if (len > AB_PATH_MAX) {
		len = AB_PATH_MAX;
		w = TRUNC_BIT;
	}
	put_len(s, off, len);
	return (off + 4 + len) | w;
}

/* ---- stat --------------------------------------------------------------------------- */

struct inode___pre611 {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___pre66 {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline __u64 user_dev(__u32 kdev)
{
	__u64 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffull) << 12);
}

/* Fills dev..ctime_ns and mode of the AB_EV_FILE record in scratch from inode; returns
 * AB_F_STAT (| AB_F_DIR). */
__noinline long ab_fill_stat(__u64 inode)
{
	struct ab_scratch *s = scratch_get();
	struct inode *ino = (void *)inode;
	struct ab_file *f;
	__s64 msec, csec;
	__u32 mns, cns;

	if (!ino || !s)
		return 0;
	f = (void *)(s->rec + HDR_SZ);
	f->dev = user_dev(BPF_CORE_READ(ino, i_sb, s_dev));
	f->ino = BPF_CORE_READ(ino, i_ino);
	f->size = BPF_CORE_READ(ino, i_size);
	f->mode = BPF_CORE_READ(ino, i_mode);
	if (bpf_core_field_exists(ino->i_mtime_sec)) {
		msec = BPF_CORE_READ(ino, i_mtime_sec);
		mns = BPF_CORE_READ(ino, i_mtime_nsec);
		csec = BPF_CORE_READ(ino, i_ctime_sec);
		cns = BPF_CORE_READ(ino, i_ctime_nsec) & ~AB_I_CTIME_QUERIED;
	} else if (bpf_core_field_exists(((struct inode___pre611 *)ino)->__i_mtime)) {
		struct inode___pre611 *o = (void *)ino;

		msec = BPF_CORE_READ(o, __i_mtime.tv_sec);
		mns = BPF_CORE_READ(o, __i_mtime.tv_nsec);
		csec = BPF_CORE_READ(o, __i_ctime.tv_sec);
		cns = BPF_CORE_READ(o, __i_ctime.tv_nsec);
	} else {
		struct inode___pre66 *o = (void *)ino;

		msec = BPF_CORE_READ(o, i_mtime.tv_sec);
		mns = BPF_CORE_READ(o, i_mtime.tv_nsec);
		csec = BPF_CORE_READ(o, i_ctime.tv_sec);
		cns = BPF_CORE_READ(o, i_ctime.tv_nsec);
	}
	f->mtime_ns = msec * 1000000000LL + mns;
	f->ctime_ns = csec * 1000000000LL + cns;
	return AB_F_STAT | ((f->mode & AB_S_IFMT) == AB_S_IFDIR ? AB_F_DIR : 0);
}

/* ---- file syscalls ------------------------------------------------------------------ */

static __always_inline void send_io_uring_warn(__u64 id)
{
	struct ab_scratch *s = scratch_get();
	__u32 off;

	if (!s)
		return;
	off = rec_start(s, AB_EV_WARN, sizeof(struct ab_warn), id);
	((struct ab_warn *)(s->rec + HDR_SZ))->reason = AB_WARN_IO_URING;
	off = put_lit(s, off, "io_uring_setup");
	rec_send(s, off, 1);
}

#define ARG(i) PT_REGS_PARM##i##_CORE_SYSCALL(regs)
#define CWD AB_AT_FDCWD

/* Decodes the arguments of a file syscall into a; returns 0 for other syscalls. */
static __always_inline int decode_args(struct pt_regs *regs, long id, struct ab_sc_args *a)
{
	a->dfd1 = a->dfd2 = CWD;
	if (id == nr_openat || id == nr_openat2) {
		a->op = AB_OP_OPEN;
		a->dfd1 = ARG(1);
		a->p1 = ARG(2);
		if (id == nr_openat)
			a->oflags = ARG(3);
		else
			a->how = ARG(3);
	} else if (id == nr_open || id == nr_creat) {
		a->op = AB_OP_OPEN;
		a->p1 = ARG(1);
		a->oflags = id == nr_open ? ARG(2) : AB_O_CREAT | AB_O_WRONLY | AB_O_TRUNC;
	} else if (id == nr_rename || id == nr_link || id == nr_symlink) {
		a->op = id == nr_rename ? AB_OP_RENAME : id == nr_link ? AB_OP_LINK : AB_OP_SYMLINK;
		a->p1 = ARG(1);
		a->p2 = ARG(2);
		if (id == nr_symlink)
			a->dfd1 = AB_NO_DIRFD;
	} else if (id == nr_renameat || id == nr_renameat2 || id == nr_linkat) {
		a->op = id == nr_linkat ? AB_OP_LINK : AB_OP_RENAME;
		a->dfd1 = ARG(1);
		a->p1 = ARG(2);
		a->dfd2 = ARG(3);
		a->p2 = ARG(4);
		if (id != nr_renameat)
			a->oflags = ARG(5);
	} else if (id == nr_symlinkat) {
		a->op = AB_OP_SYMLINK;
		a->dfd1 = AB_NO_DIRFD;
		a->p1 = ARG(1);
		a->dfd2 = ARG(2);
		a->p2 = ARG(3);
	} else if (id == nr_unlink || id == nr_truncate || id == nr_chdir) {
		a->op = id == nr_unlink ? AB_OP_UNLINK : id == nr_truncate ? AB_OP_TRUNCATE
									   : AB_OP_CHDIR;
		a->p1 = ARG(1);
	} else if (id == nr_unlinkat) {
		a->op = AB_OP_UNLINK;
		a->dfd1 = ARG(1);
		a->p1 = ARG(2);
		a->oflags = ARG(3);
	} else if (id == nr_fchdir) {
		a->op = AB_OP_CHDIR;
		a->dfd1 = ARG(1);
	} else {
		return 0;
	}
	a->nr = id;
	return 1;
}

/* raw_syscalls:sys_enter for every syscall of every process: the number is compared with
 * constants first (the rodata is folded by the verifier), the map is only asked for file
 * syscalls. */
SEC("tp_btf/sys_enter")
int BPF_PROG(ab_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ab_sc_args a = {}, *slot;

	if (id == nr_io_uring_setup) {
		if (is_tracked(pid_tgid >> 32))
			send_io_uring_warn(pid_tgid);
		return 0;
	}
	if (!decode_args(regs, id, &a) || !is_tracked(pid_tgid >> 32))
		return 0;
	slot = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (slot)
		*slot = a;
	return 0;
}

/* [1] of a file record: the object itself when the kernel gives it to us (the opened file,
 * the new cwd), else the path as given joined to its directory. */
static __always_inline long put_object(__u32 off, struct task_struct *task, struct ab_sc_args *a,
				       long ret, __u16 *fflags)
{
	struct vfsmount *mnt;
	struct dentry *dentry;

	if (a->op == AB_OP_OPEN && ret >= 0) {
		struct file *file = fd_file(task, ret);

		if (file) {
			mnt = BPF_CORE_READ(file, f_path.mnt);
			dentry = BPF_CORE_READ(file, f_path.dentry);
			*fflags |= ab_fill_stat((__u64)BPF_CORE_READ(file, f_inode));
			return ab_put_path(off, (__u64)task, (__u64)mnt, (__u64)dentry);
		}
	}
	if (a->op == AB_OP_CHDIR && ret == 0) {
		mnt = BPF_CORE_READ(task, fs, pwd.mnt);
		dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		*fflags |= ab_fill_stat((__u64)BPF_CORE_READ(dentry, d_inode));
		return ab_put_path(off, (__u64)task, (__u64)mnt, (__u64)dentry);
	}
	if (a->op == AB_OP_SYMLINK)
		return ab_put_ustr(off, 0); /* the target text is not resolved */
	return ab_put_joined(off, (__u64)task, a->dfd1, a->p1);
}

static __always_inline void send_file(struct ab_sc_args *a, long ret, __u64 id)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct ab_scratch *s = scratch_get();
	struct ab_file *f;
	__u16 fflags = 0;
	__u64 trunc = 0;
	__u32 off;
	long r;

	if (!s)
		return;
	off = rec_start(s, AB_EV_FILE, sizeof(struct ab_file), id);
	f = (void *)(s->rec + HDR_SZ);
	f->op = a->op;
	f->ret = ret;
	f->dirfd = a->dfd1 == AB_NO_DIRFD ? AB_AT_FDCWD : a->dfd1;
	f->oflags = a->oflags;
	if (a->how) {
		__u64 how_flags = 0;

		bpf_probe_read_user(&how_flags, sizeof(how_flags), (void *)a->how);
		f->oflags = how_flags;
	}
	if (a->op == AB_OP_OPEN &&
	    (f->oflags & (AB_O_WRONLY | AB_O_RDWR | AB_O_CREAT | AB_O_TRUNC)))
		fflags |= AB_F_WRITE;
	if (a->op == AB_OP_UNLINK && (f->oflags & AB_AT_REMOVEDIR))
		fflags |= AB_F_DIR;

	off = ab_put_ustr(off, a->p1);
	r = put_object(off, task, a, ret, &fflags);
	trunc |= r;
	off = ab_put_ustr((__u32)r, a->p2);
	r = a->p2 ? ab_put_joined(off, (__u64)task, a->dfd2, a->p2) : ab_put_ustr(off, 0);
	trunc |= r;
	off = (__u32)r;
	if (trunc & TRUNC_BIT)
		fflags |= AB_F_TRUNC_PATH;
	((struct ab_file *)(s->rec + HDR_SZ))->fflags = fflags;
	rec_send(s, off, 4);
	if (trunc & TRUNC_BIT)
		send_warn(s, id, AB_WARN_TRUNC_PATH, a->p1);
}

/* raw_syscalls:sys_exit: only threads with an armed inflight slot go further. */
SEC("tp_btf/sys_exit")
int BPF_PROG(ab_sys_exit, struct pt_regs *regs, long ret)
{
	struct ab_sc_args *slot, a;

	slot = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!slot || !slot->op)
		return 0;
	a = *slot;
	slot->op = 0;
	if (ret >= -516 && ret <= -512)
		return 0; /* -ERESTART*: the call is restarted and entered again */
	if (ret < 0 && !send_enoent && (ret == -AB_ENOENT || ret == -AB_ENOTDIR))
		return 0;
	send_file(&a, ret, bpf_get_current_pid_tgid());
	return 0;
}

/* ---- processes ---------------------------------------------------------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ab_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 child_tgid, one = 1;
	struct ab_scratch *s;
	__u32 off;

	if (!is_tracked(id >> 32))
		return 0;
	child_tgid = BPF_CORE_READ(child, tgid);
	if (child_tgid == id >> 32 || !(s = scratch_get()))
		return 0; /* a new thread */
	if (bpf_map_update_elem(&tracked, &child_tgid, &one, BPF_ANY)) {
		off = rec_start(s, AB_EV_WARN, sizeof(struct ab_warn), id);
		((struct ab_warn *)(s->rec + HDR_SZ))->reason = AB_WARN_OTHER;
		off = put_lit(s, off, "tracked-process map full: child not traced");
		rec_send(s, off, 1);
	}
	off = rec_start(s, AB_EV_FORK, sizeof(struct ab_fork), id);
	((struct ab_fork *)(s->rec + HDR_SZ))->child_pid = child_tgid;
	rec_send(s, off, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ab_exit, struct task_struct *p)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct ab_scratch *s;
	struct ab_exit *e;
	__u32 off, flags;

	if (!is_tracked(tgid))
		return 0;
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads remain */
	if (bpf_map_delete_elem(&tracked, &tgid) || !(s = scratch_get()))
		return 0; /* another exiting thread reported it */
	off = rec_start(s, AB_EV_EXIT, sizeof(struct ab_exit), id);
	e = (void *)(s->rec + HDR_SZ);
	flags = BPF_CORE_READ(p, signal, flags);
	if (flags & AB_SIGNAL_GROUP_EXIT)
		e->status = BPF_CORE_READ(p, signal, group_exit_code);
	else
		e->status = BPF_CORE_READ(p, group_leader, exit_code);
	e->flags = AB_EXIT_WAITSTATUS;
	rec_send(s, off, 0);
	return 0;
}

struct argv_ctx {
	__u64 id;
	__u64 start;
	__u64 len;
	__u32 failed;
};

static long argv_step(__u32 i, struct argv_ctx *c)
{
	__u64 at = (__u64)i * AB_ARGV_CHUNK;
	struct ab_scratch *s;
	__u32 off, n;

	if (at >= c->len || !(s = scratch_get()))
		return 1;
	n = c->len - at > AB_ARGV_CHUNK ? AB_ARGV_CHUNK : c->len - at;
	off = rec_start(s, AB_EV_ARGV, sizeof(struct ab_argv), c->id);
	((struct ab_argv *)(s->rec + HDR_SZ))->offset = at;
	put_len(s, off, n);
	if (bpf_probe_read_user(&s->rec[off + 4], n, (void *)(c->start + at)))
		c->failed = 1;
	rec_send(s, off + 4 + n, 1);
	return 0;
}

struct vma_ctx {
	struct file *file;
};

static long vma_found(struct task_struct *task, struct vm_area_struct *vma, struct vma_ctx *c)
{
	c->file = BPF_CORE_READ(vma, vm_file);
	return 0;
}

/* The load address of the ELF interpreter (auxv AT_BASE), 0 when the image has none. */
static __always_inline __u64 interp_base(struct ab_scratch *s, struct mm_struct *mm)
{
	if (bpf_probe_read_kernel(s->auxv, sizeof(s->auxv), &mm->saved_auxv))
		return 0;
	for (int i = 0; i < AB_BPF_AUXV_PAIRS; i++) {
		if (s->auxv[2 * i] == 0)
			break;
		if (s->auxv[2 * i] == AB_AT_BASE)
			return s->auxv[2 * i + 1];
	}
	return 0;
}

/* AB_EV_FILE AB_OP_EXEC_INTERP for the file mapped at the interpreter's base. */
static __always_inline void send_interp(struct task_struct *p, __u64 base, __u64 id)
{
	struct vma_ctx vc = {};
	struct file *file;
	struct ab_scratch *s;
	struct ab_file *f;
	__u32 off;
	__u16 fflags;
	long w;

	if (bpf_find_vma(p, base, vma_found, &vc, 0) || !vc.file || !(s = scratch_get()))
		return;
	file = vc.file;
	off = rec_start(s, AB_EV_FILE, sizeof(struct ab_file), id);
	f = (void *)(s->rec + HDR_SZ);
	f->op = AB_OP_EXEC_INTERP;
	f->dirfd = AB_AT_FDCWD;
	fflags = ab_fill_stat((__u64)BPF_CORE_READ(file, f_inode));
	w = ab_walk(bpf_get_current_task(), (__u64)BPF_CORE_READ(file, f_path.mnt),
		    (__u64)BPF_CORE_READ(file, f_path.dentry));
	off = ab_put_walked(off, (__u32)w); /* [0] and [1]: the same resolved path */
	off = ab_put_walked(off, (__u32)w);
	off = put_empty(s, off);
	off = put_empty(s, off);
	if (w & TRUNC_BIT)
		fflags |= AB_F_TRUNC_PATH;
	((struct ab_file *)(s->rec + HDR_SZ))->fflags = fflags;
	rec_send(s, off, 4);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ab_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct argv_ctx ac = {.id = id};
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct file *file = BPF_CORE_READ(bprm, file);
	const char *filename, *interp;
	struct ab_scratch *s;
	struct ab_proc *pr;
	__u64 base, nchunks, trunc;
	__u32 off, flags = 0;
	long r;

	if (!is_tracked(id >> 32) || !(s = scratch_get()))
		return 0;
	ac.start = BPF_CORE_READ(mm, arg_start);
	ac.len = BPF_CORE_READ(mm, arg_end) - ac.start;
	base = interp_base(s, mm);
	nchunks = (ac.len + AB_ARGV_CHUNK - 1) / AB_ARGV_CHUNK;
	if (nchunks > argv_max_chunks) {
		nchunks = argv_max_chunks;
		flags |= AB_PROC_ARGV_TRUNC;
	}
	if (!base)
		flags |= AB_PROC_STATIC;
	if (BPF_CORE_READ(p, cred, euid.val) != BPF_CORE_READ(p, cred, uid.val) ||
	    BPF_CORE_READ(p, cred, egid.val) != BPF_CORE_READ(p, cred, gid.val))
		flags |= AB_PROC_SETUID;

	off = rec_start(s, AB_EV_PROC, sizeof(struct ab_proc), id);
	pr = (void *)(s->rec + HDR_SZ);
	pr->ppid = BPF_CORE_READ(p, real_parent, tgid);
	pr->uid = BPF_CORE_READ(p, cred, uid.val);
	pr->gid = BPF_CORE_READ(p, cred, gid.val);
	pr->flags = flags;
	pr->exe_dev = user_dev(BPF_CORE_READ(file, f_inode, i_sb, s_dev));
	pr->exe_ino = BPF_CORE_READ(file, f_inode, i_ino);
	pr->argv_len = ac.len;

	r = ab_put_path(off, bpf_get_current_task(), (__u64)BPF_CORE_READ(file, f_path.mnt),
			(__u64)BPF_CORE_READ(file, f_path.dentry));
	trunc = r;
	r = ab_put_path((__u32)r, bpf_get_current_task(), (__u64)BPF_CORE_READ(p, fs, pwd.mnt),
			(__u64)BPF_CORE_READ(p, fs, pwd.dentry));
	trunc |= r;
	filename = BPF_CORE_READ(bprm, filename);
	interp = BPF_CORE_READ(bprm, interp);
	off = ab_put_kstr((__u32)r, (__u64)filename);
	off = ab_put_kstr(off, interp != filename ? (__u64)interp : 0);
	rec_send(s, off, 4);
	if (trunc & TRUNC_BIT)
		send_warn(s, id, AB_WARN_TRUNC_PATH, 0);

	bpf_loop(nchunks, argv_step, &ac, 0);
	if ((flags & AB_PROC_ARGV_TRUNC) || ac.failed) {
		off = rec_start(s, AB_EV_WARN, sizeof(struct ab_warn), id);
		((struct ab_warn *)(s->rec + HDR_SZ))->reason = AB_WARN_ARGV_TRUNC;
		off = put_lit(s, off, "argv");
		rec_send(s, off, 1);
	}
	if (base)
		send_interp(p, base, id);
	return 0;
}
