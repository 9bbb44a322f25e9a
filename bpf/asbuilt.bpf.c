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
 *   raw_syscalls:sys_exit  AB_EV_FILE for open/creat/openat/openat2, rename*, link*,
 *                        symlink*, unlink*, truncate, chdir, fchdir (the number and the
 *                        arguments read back from the saved user registers, which the
 *                        kernel leaves as they were at entry);
 *                        AB_EV_WARN AB_WARN_IO_URING for io_uring_setup
 *
 * All programs are raw tracepoints (raw_tp).  The syscalls are hooked through the generic
 * raw_syscalls tracepoints, not the per-syscall syscalls:sys_enter_* ones: detaching 33
 * perf-event tracepoints costs one RCU grace period each (1.2-1.4 s at exit, measured), a
 * raw tracepoint link detaches at once, and no tracefs is needed.  Not tp_btf: every
 * pointer is read with BPF_CORE_READ anyway, and a tp_btf program makes libbpf parse the
 * kernel's 5.5 MB BTF at every start to find its attach point (the CO-RE relocations use
 * the minimal BTF embedded by the loader).  Record building and sending are global
 * functions, checked once by the verifier: inlined at every call site they made loading
 * ab_exec alone take 10 ms.
 *
 * Untraced processes cost one hash lookup per hooked event.  Records are built in a per-CPU
 * scratch buffer and copied out with bpf_ringbuf_output() at their exact size; when that
 * fails, lost_records is bumped (the loader reports it as AB_EV_LOST).  The consumer is
 * woken only when a traced process exits or AB_BPF_WAKEUP_BYTES are waiting (a wakeup per
 * record costs more than the record), so it must poll with a timeout.  (Waking only for
 * exits of processes that changed files saves a self-IPI, ~14 us, per exit, but then the
 * reads of a process are hashed up to a poll later: configure rewrote conftest.c first and
 * the record went incomplete.  The exit wake stays.)
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

/* The root directory of the build's first process (record's own), taken at its exec:
 * paths are walked up to it, not to each process's root, so the files of a process that
 * chroots below it (pbuilder, sbuild, a build's own chroot step) get the names the
 * collector can open. */
__u64 build_root_dentry = 0, build_root_mnt = 0;
/* ... and its mount namespace: a process in another names files by that one's paths. */
__u64 build_mnt_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* 64 MB took 12 ms to create; a build's whole record is a few MB */
} events SEC(".maps");

/* Not preallocated: 65,536 elements took 1.5 ms to create at every start; a build adds one
 * per fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, AB_BPF_TRACKED_MAX);
	__type(key, __u32); /* tgid */
	__type(value, __u32);
} tracked SEC(".maps");

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

#include "records.bpf.h"
#include "paths.bpf.h"

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

#define ARG(i) arg[(i) - 1]
#define CWD AB_AT_FDCWD

/* The first five arguments of the call (the most a file call has) from the saved user
 * registers: on x86-64 with one read of them all (paths.bpf.h, "fields read together"). */
static __always_inline void read_args(struct ab_scratch *s, struct pt_regs *regs, __u64 *arg)
{
#if defined(__TARGET_ARCH_x86)
	__u32 lo = bpf_core_field_offset(struct pt_regs, r10), hi = FEND(struct pt_regs, di);

	if (SPAN_HAS(lo, hi, struct pt_regs, di, 8) && SPAN_HAS(lo, hi, struct pt_regs, si, 8) &&
	    SPAN_HAS(lo, hi, struct pt_regs, dx, 8) && SPAN_HAS(lo, hi, struct pt_regs, r10, 8) &&
	    SPAN_HAS(lo, hi, struct pt_regs, r8, 8)) {
		if (!span_read(s, regs, lo, hi)) {
			arg[0] = arg[1] = arg[2] = arg[3] = arg[4] = 0;
			return;
		}
		arg[0] = SPAN_GET(s, lo, struct pt_regs, di, __u64);
		arg[1] = SPAN_GET(s, lo, struct pt_regs, si, __u64);
		arg[2] = SPAN_GET(s, lo, struct pt_regs, dx, __u64);
		arg[3] = SPAN_GET(s, lo, struct pt_regs, r10, __u64);
		arg[4] = SPAN_GET(s, lo, struct pt_regs, r8, __u64);
		return;
	}
#endif
	arg[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	arg[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	arg[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	arg[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	arg[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
}

/* Whether id is one of the file syscalls that decode_args knows. */
static __always_inline int is_file_nr(long id)
{
	return id == nr_openat || id == nr_openat2 || id == nr_open || id == nr_creat ||
	       id == nr_rename || id == nr_renameat || id == nr_renameat2 || id == nr_link ||
	       id == nr_linkat || id == nr_symlink || id == nr_symlinkat || id == nr_unlink ||
	       id == nr_unlinkat || id == nr_truncate || id == nr_chdir || id == nr_fchdir;
}

/* Decodes the arguments of a file syscall into a; returns 0 for other syscalls. */
static __always_inline int decode_args(const __u64 *arg, long id, struct ab_sc_args *a)
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
			struct inode *inode;

			file_parts(file, &mnt, &dentry, &inode);
			*fflags |= ab_fill_stat((__u64)inode);
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

/* Sends the AB_EV_FILE record of the call decoded into this CPU's scratch (s->sc).  Global,
 * like ab_rec_send: the verifier checks it once, not once per kind of call. */
__noinline int ab_send_file(long ret, __u64 id)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct ab_scratch *s = scratch_get();
	struct ab_sc_args sc, *a = &sc;
	struct ab_file *f;
	__u16 fflags = 0;
	__u64 trunc = 0;
	__u32 off;
	long r;

	if (!s)
		return 0;
	sc = s->sc;
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
	if (trunc & NS_BIT)
		fflags |= AB_F_NS_PATH;
	((struct ab_file *)(s->rec + HDR_SZ))->fflags = fflags;
	rec_send(s, off, 4);
	if (trunc & TRUNC_BIT)
		send_warn(s, id, AB_WARN_TRUNC_PATH, a->p1);
	return 0;
}

/* The number of the syscall that regs belongs to (what the kernel's syscall_get_nr reads). */
static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
#error "syscall_nr: add this architecture's pt_regs field"
#endif
}

/* The file call id of the current thread has returned ret: unless it failed in a way not
 * worth a record, or the process is not traced, decodes it into this CPU's scratch and
 * sends it.  Global: verified once for all the calls decode_args tells apart (inlined in
 * ab_sys_exit, its 16 kinds made the verifier walk 4,657 instructions instead of 3,247). */
__noinline int ab_file_call(__u64 regs, long id, long ret)
{
	struct ab_scratch *s;
	__u64 pid_tgid, arg[5];

	if (ret >= -516 && ret <= -512)
		return 0; /* -ERESTART*: the call is restarted and entered again */
	if (ret < 0 && !send_enoent && (ret == -AB_ENOENT || ret == -AB_ENOTDIR))
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	if (!is_tracked(pid_tgid >> 32) || !(s = scratch_get()))
		return 0;
	__builtin_memset(&s->sc, 0, sizeof(s->sc));
	read_args(s, (struct pt_regs *)regs, arg);
	if (decode_args(arg, id, &s->sc))
		ab_send_file(ret, pid_tgid);
	return 0;
}

/* raw_syscalls:sys_exit, for every syscall of every process: the one program on the
 * syscall path.  The number is compared with constants first (the rodata is folded by the
 * verifier); the map is only asked for file syscalls and io_uring_setup.  The arguments are
 * read back from the saved user registers, which the kernel does not change during a call
 * (arm64 keeps the first one in orig_x0, which PT_REGS_PARM1_CORE_SYSCALL reads).  No
 * sys_enter program: a second program on every syscall of the machine cost about 60 ns per
 * call (getppid: +190 ns with both, +130 ns with this one). */
SEC("raw_tp/sys_exit")
int BPF_PROG(ab_sys_exit, struct pt_regs *regs, long ret)
{
	long id = syscall_nr(regs);
	__u64 pid_tgid;

	if (id == nr_io_uring_setup) {
		pid_tgid = bpf_get_current_pid_tgid();
		if (ret >= 0 && is_tracked(pid_tgid >> 32))
			send_io_uring_warn(pid_tgid);
		return 0;
	}
	if (is_file_nr(id))
		ab_file_call((__u64)regs, id, ret);
	return 0;
}

/* ---- processes ---------------------------------------------------------------------- */

SEC("raw_tp/sched_process_fork")
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

SEC("raw_tp/sched_process_exit")
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

/* Sends chunk i of the argv described by s->argv (struct ab_argv_loop). */
static long argv_step(__u32 i, void *ctx)
{
	__u64 at = (__u64)i * AB_ARGV_CHUNK;
	struct ab_scratch *s = scratch_get();
	struct ab_argv_loop *c;
	__u32 off, n;

	if (!s)
		return 1;
	c = &s->argv;
	if (at >= c->len)
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
	struct vfsmount *mnt;
	struct dentry *dentry;
	struct inode *inode;
	struct file *file;
	struct ab_scratch *s;
	struct ab_file *f;
	__u32 off;
	__u16 fflags;
	long w;

	/* p as a BTF pointer (a raw_tp argument is a plain number): the current task */
	if (bpf_find_vma(bpf_get_current_task_btf(), base, vma_found, &vc, 0) || !vc.file ||
	    !(s = scratch_get()))
		return;
	file = vc.file;
	off = rec_start(s, AB_EV_FILE, sizeof(struct ab_file), id);
	f = (void *)(s->rec + HDR_SZ);
	f->op = AB_OP_EXEC_INTERP;
	f->dirfd = AB_AT_FDCWD;
	file_parts(file, &mnt, &dentry, &inode);
	fflags = ab_fill_stat((__u64)inode);
	w = ab_walk(bpf_get_current_task(), (__u64)mnt, (__u64)dentry);
	off = ab_put_walked(off, (__u32)w); /* [0] and [1]: the same resolved path */
	off = ab_put_walked(off, (__u32)w);
	off = put_empty(s, off);
	off = put_empty(s, off);
	if (w & TRUNC_BIT)
		fflags |= AB_F_TRUNC_PATH;
	if (w & NS_BIT)
		fflags |= AB_F_NS_PATH;
	((struct ab_file *)(s->rec + HDR_SZ))->fflags = fflags;
	rec_send(s, off, 4);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(ab_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	struct file *file = BPF_CORE_READ(bprm, file);
	const char *filename, *interp;
	struct ab_scratch *s;
	struct ab_proc *pr;
	__u64 base, trunc, start, len;
	__u32 off;
	long r;

	if (!is_tracked(id >> 32) || !(s = scratch_get()))
		return 0;
	if (!build_root_mnt) { /* the first exec of the tree: the root's */
		build_root_dentry = (__u64)BPF_CORE_READ(p, fs, root.dentry);
		build_root_mnt = (__u64)BPF_CORE_READ(p, fs, root.mnt);
		build_mnt_ns = (__u64)BPF_CORE_READ(p, nsproxy, mnt_ns);
	}
	start = BPF_CORE_READ(mm, arg_start);
	len = BPF_CORE_READ(mm, arg_end) - start;
	base = interp_base(s, mm);
	s->argv.id = id;
	s->argv.start = start;
	s->argv.len = len;
	s->argv.failed = 0;

	/* the flags and the chunk count go to map memory as they are decided, not into
	 * variables the rest of the program reads: each combination of them would be
	 * another way through it for the verifier (docs/performance.md item 31) */
	off = rec_start(s, AB_EV_PROC, sizeof(struct ab_proc), id);
	pr = (void *)(s->rec + HDR_SZ);
	pr->flags = 0;
	s->argv.nchunks = (len + AB_ARGV_CHUNK - 1) / AB_ARGV_CHUNK;
	if (s->argv.nchunks > argv_max_chunks) {
		s->argv.nchunks = argv_max_chunks;
		pr->flags |= AB_PROC_ARGV_TRUNC;
	}
	if (!base)
		pr->flags |= AB_PROC_STATIC;
	if (BPF_CORE_READ(p, cred, euid.val) != BPF_CORE_READ(p, cred, uid.val) ||
	    BPF_CORE_READ(p, cred, egid.val) != BPF_CORE_READ(p, cred, gid.val))
		pr->flags |= AB_PROC_SETUID;
	s->argv.trunc = pr->flags & AB_PROC_ARGV_TRUNC;
	pr->ppid = BPF_CORE_READ(p, real_parent, tgid);
	pr->uid = BPF_CORE_READ(p, cred, uid.val);
	pr->gid = BPF_CORE_READ(p, cred, gid.val);
	pr->exe_dev = user_dev(BPF_CORE_READ(file, f_inode, i_sb, s_dev));
	pr->exe_ino = BPF_CORE_READ(file, f_inode, i_ino);
	pr->argv_len = len;

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
	if (trunc & NS_BIT) /* its program or working directory */
		send_warn(s, id, AB_WARN_MOUNT_NS, 0);

	bpf_loop(s->argv.nchunks, argv_step, NULL, 0);
	if (s->argv.trunc || s->argv.failed) {
		off = rec_start(s, AB_EV_WARN, sizeof(struct ab_warn), id);
		((struct ab_warn *)(s->rec + HDR_SZ))->reason = AB_WARN_ARGV_TRUNC;
		off = put_lit(s, off, "argv");
		rec_send(s, off, 1);
	}
	if (base)
		send_interp(p, base, id);
	return 0;
}
