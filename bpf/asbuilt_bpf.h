/*
 * asbuilt_bpf.h - BPF-only constants and scratch layout of bpf/asbuilt.bpf.c.
 *
 * The records themselves are the structs of include/asbuilt/event.h; this header only holds
 * what vmlinux.h lacks (uapi #defines) and the sizes of the kernel side's maps and loops.
 */
#ifndef ASBUILT_BPF_H
#define ASBUILT_BPF_H

#define AB_BPF_TRACKED_MAX 65536 /* live traced processes (zombies are removed at exit) */
#define AB_BPF_WALK_MAX 256 /* path components followed by a dentry walk */
#define AB_BPF_NAME_MAX 255 /* longest path component copied */
#define AB_BPF_COPY 128	    /* bytes of a kernel object read at once (paths.bpf.h) */
#define AB_BPF_ARGV_CHUNKS 256 /* default limit of argv chunks: 8 MiB */
#define AB_BPF_AUXV_PAIRS 28 /* auxv entries scanned for AT_BASE */
#define AB_BPF_WAKEUP_BYTES (256 << 10) /* wake the consumer when this much is waiting */

#define AB_NO_DIRFD (-1000) /* sc_args.dfd: the path is not resolved (symlink target) */

/* uapi values that vmlinux.h does not carry */
#define AB_AT_FDCWD (-100)
#define AB_AT_REMOVEDIR 0x200
#define AB_O_WRONLY 01
#define AB_O_RDWR 02
#define AB_O_CREAT 0100
#define AB_O_TRUNC 01000
#define AB_S_IFMT 0170000
#define AB_S_IFDIR 0040000
#define AB_ENOENT 2
#define AB_ENOTDIR 20
#define AB_AT_BASE 7
#define AB_SIGNAL_GROUP_EXIT 0x4
#define AB_I_CTIME_QUERIED (1u << 31)

/* Arguments of a file syscall, decoded at sys_exit. */
struct ab_sc_args {
	__u32 op; /* AB_OP_* */
	__u32 oflags; /* open flags, rename/link/unlinkat flags */
	__s32 dfd1; /* dirfd of p1, AB_AT_FDCWD, or AB_NO_DIRFD */
	__s32 dfd2; /* dirfd of p2 */
	__u64 p1; /* user pointer: first path (0: none) */
	__u64 p2; /* user pointer: second path (0: none) */
	__u64 how; /* openat2: user pointer to struct open_how */
	__s32 nr; /* syscall number */
	__u32 pad;
};

/* The state of a path walk (paths.bpf.h), kept in the per-CPU scratch rather than on the
 * stack of ab_walk: the verifier follows every value a bpf_loop callback leaves on the
 * stack (each flag, each bound of the position) into another pass over the callback,
 * while map memory it takes as any value, so the callback is checked once or twice, not a
 * dozen times (docs/performance.md item 31).  Kernel pointers as numbers. */
struct ab_walk {
	__u64 dentry;
	__u64 vfsmnt;
	__u64 mnt_root; /* vfsmnt's, read once per mount crossed */
	__u64 root_dentry; /* where the walk stops: the build's root */
	__u64 root_mnt;
	__u32 pos; /* the path is path[pos, AB_PATH_MAX) */
	__u32 trunc;
	__u32 done;
	__u32 in_ns; /* the walk ended at the root of the task's own mount namespace */
};

/* The state of the loop that sends an exec's argv in chunks (ab_exec): in the scratch for
 * the reason struct ab_walk is (docs/performance.md item 31). */
struct ab_argv_loop {
	__u64 id;
	__u64 start;
	__u64 len;
	__u64 nchunks; /* chunks to send (at most argv_max_chunks) */
	__u32 failed; /* a chunk could not be read */
	__u32 trunc; /* more chunks than argv_max_chunks */
};

/* Per-CPU scratch: a record is built in rec, a path is built backwards in path.  Both are
 * twice their logical limit so that masked offsets stay provably inside for the verifier. */
struct ab_scratch {
	__u8 rec[2 * AB_REC_MAX];
	__u8 path[2 * AB_PATH_MAX];
	__u64 auxv[2 * AB_BPF_AUXV_PAIRS];
	struct ab_sc_args sc; /* the file call being sent (sys_exit -> ab_send_file) */
	__u64 copy[AB_BPF_COPY / 8]; /* a span of a kernel object read at once (paths.bpf.h) */
	struct ab_walk walk; /* the path walk under way (paths.bpf.h) */
	struct ab_argv_loop argv; /* the argv being sent (ab_exec) */
};

#endif /* ASBUILT_BPF_H */
