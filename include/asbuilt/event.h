/*
 * event.h - the one wire format of asbuilt.
 *
 * Every backend (the LD_PRELOAD interposer in wrappers/, the eBPF tracer in bpf/) produces
 * records in this format and the collector (src/collector/) decodes them with one decoder
 * (decode.c).  The header is included from BPF C, from the interposer and from the collector,
 * so it uses fixed-size fields only: no pointers, no libc types, no enums in structs.
 *
 * A record is:
 *
 *   struct ab_hdr            common header; hdr.size is the size of the whole record
 *   <body>                   fixed-size body chosen by hdr.type (struct ab_proc, ab_file, ...)
 *   string[hdr.nstr]         each string is a __u32 byte count followed by that many bytes,
 *                            no terminating NUL, no padding; bytes are arbitrary (non-UTF-8 ok)
 *
 * Records are at most AB_REC_MAX bytes.  Longer data (a 1 MB argv) is split over several
 * AB_EV_ARGV records that carry the byte offset of their chunk.
 *
 * Transport: preload - AF_UNIX SOCK_SEQPACKET connections, one shared by a tree of processes
 * (inherited across fork and exec: AB_ENV_CONN), and one of its own for an exit that waits
 * for an acknowledgement when the watermark cannot be mapped (record boundaries kept, no loss, packets of several processes
 * never interleaved; records tell processes apart by hdr.pid; EOF tells every image that
 * used the connection is gone; a packet is one record or, at most AB_REC_MAX bytes in all,
 * several whole records back to back: an image's AB_EV_PROC, AB_EV_ARGV and AB_EV_ENV go
 * in one);
 * ebpf - a BPF ring buffer.  Timestamps are CLOCK_MONOTONIC nanoseconds on both
 * (bpf_ktime_get_ns()), so records of both sources order on one clock.
 */
#ifndef ASBUILT_EVENT_H
#define ASBUILT_EVENT_H

#ifdef __BPF__
/* vmlinux.h provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

#define AB_WIRE_VERSION 1
#define AB_REC_MAX 65536 /* largest record, header included */
#define AB_PATH_MAX 4096 /* longest path a backend sends; longer is truncated + flagged */
#define AB_ARGV_CHUNK 32768 /* bytes of raw argv per AB_EV_ARGV record */

/* Environment variable names, shared by record, the interposer and tests. */
#define AB_ENV_SOCK "ASBUILT_SOCK" /* path of the collector's socket */
#define AB_ENV_LIB "ASBUILT_LIB" /* absolute path of the interposer library */
#define AB_ENV_DIR "ASBUILT_DIR" /* private run directory (markers in its m/) */
/* "$ASBUILT_DIR/" AB_WATERMARK_NAME (preload): 8 bytes, a CLOCK_MONOTONIC time in ns; the
 * collector has read and processed every record whose send was complete by then.  A process
 * that only read files of the build needs no exit acknowledgement once its last read is
 * older; one that must wait sends its exit record (AB_EXIT_SYNC | AB_EXIT_WM) and waits
 * until the watermark passes the moment that send was complete, sleeping on a futex on
 * the 32-bit word at index AB_WATERMARK_FUTEX_WORD of the mapped file (its low half),
 * which the collector wakes whenever it moves the watermark (wrappers/conn.c,
 * src/collector/server.c). */
#define AB_WATERMARK_NAME "w"
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define AB_WATERMARK_FUTEX_WORD 0
#else
#define AB_WATERMARK_FUTEX_WORD 1
#endif
/* set by the interposer on an exec when the exec'ing image opened files for writing: the
 * image it becomes writes through those descriptors (`cmd > out`), so it waits at exit
 * until they are hashed (AB_EXIT_SYNC); removed from the environment by the constructor */
#define AB_ENV_SYNC "ASBUILT_SYNC"
/* set by the interposer on the exec of a fork child that had sent nothing (it connects
 * lazily): the image it becomes announces that fork child too (AB_PROC_FORK_EXEC);
 * removed from the environment by the constructor */
#define AB_ENV_FORKED "ASBUILT_FORKED"
/* set by the interposer on a posix_spawn whose file actions open files: the descriptors
 * ("3,1,0") the new image finds open without having opened them, which it reports as its
 * own opens (written files are then hashed at its exit); removed by the constructor */
#define AB_ENV_INHERIT "ASBUILT_INHERIT"
/* "<fd>:<inode>": the connection to the collector that the exec'ing process holds, open
 * across the exec; the new image sends on it when that descriptor is still that socket
 * (wrappers/conn.c).  Put into every exec'd environment by the interposer. */
#define AB_ENV_CONN "ASBUILT_CONN"

/* hdr.type */
#define AB_EV_PROC 1 /* a process image starts (preload: constructor; ebpf: exec) */
#define AB_EV_ARGV 2 /* a chunk of the raw NUL-separated argv of the current image */
#define AB_EV_ENV 3 /* selected environment entries "NAME=value", one string each */
#define AB_EV_FILE 4 /* a file operation (struct ab_file) */
#define AB_EV_EXEC 5 /* the process is about to exec / has exec'd (struct ab_exec) */
#define AB_EV_EXIT 6 /* the process exits (struct ab_exit) */
#define AB_EV_FORK 7 /* a traced process forked (struct ab_fork); ebpf only */
#define AB_EV_WARN 8 /* the backend could not see something (struct ab_warn) */
#define AB_EV_LOST 9 /* records were lost (struct ab_lost) */
#define AB_EV_MAX 10

/* hdr.src */
#define AB_SRC_PRELOAD 1
#define AB_SRC_EBPF 2

struct ab_hdr {
	__u16 type; /* AB_EV_* */
	__u16 nstr; /* number of strings after the body */
	__u32 size; /* bytes of the whole record, this header included */
	__u32 pid; /* thread group id (getpid()) */
	__u32 tid; /* thread id; preload, from a vfork child: the pid whose memory it shares */
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u32 seq; /* per-source sequence: per process (preload) or per CPU (ebpf) */
	__u16 src; /* AB_SRC_* */
	__u16 cpu; /* ebpf: the CPU that produced the record; preload: 0 */
};

/* AB_EV_PROC: strings: [0] executable (absolute; resolved, but with AB_PROC_EXE_RAW),
 * [1] cwd, [2] exec filename as given to execve (may be relative; ebpf: bprm->filename),
 * [3] script interpreter or "", and with AB_PROC_FORK_EXEC [4] the exec filename made
 * absolute as AB_EV_EXEC's [1] */
struct ab_proc {
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 flags; /* AB_PROC_* */
	__u64 exe_dev; /* ebpf; 0 from the interposer */
	__u64 exe_ino;
	__u64 argv_len; /* total bytes of raw argv that AB_EV_ARGV records will carry */
};
#define AB_PROC_STATIC 0x1 /* image has no PT_INTERP (seen by ebpf) */
#define AB_PROC_ARGV_TRUNC 0x2 /* argv could not be sent whole */
#define AB_PROC_SETUID 0x4 /* AT_SECURE: ld.so ignores LD_PRELOAD there */
#define AB_PROC_FORKED 0x8 /* a fork child without exec (same image as its parent) */
/* preload: the image comes from the exec of a fork child that sent nothing (no connection,
 * no AB_EV_EXEC): the collector makes that fork child's row and its exec event, from this
 * record's exe and exec path, as if they had been sent */
#define AB_PROC_FORK_EXEC 0x10
/* preload: [0] is the exec filename made absolute, not resolved (the collector resolves it):
 * the interposer reads /proc/self/exe (15 us in a new process) only when the image may
 * not be the file that was exec'd (a script's interpreter) */
#define AB_PROC_EXE_RAW 0x20

/* AB_EV_ARGV: strings: [0] bytes [offset, offset+len) of the raw argv */
struct ab_argv {
	__u64 offset;
};

/* AB_EV_ENV: no body fields beyond count; strings: "NAME=value" each */
struct ab_env {
	__u32 count;
	__u32 pad;
};

/* Operations of AB_EV_FILE (ab_file.op) */
#define AB_OP_OPEN 1 /* open/openat/creat/fopen...; read or write is in flags */
#define AB_OP_RENAME 2 /* path -> path2 */
#define AB_OP_LINK 3 /* hard link: path (existing) -> path2 (new) */
#define AB_OP_SYMLINK 4 /* path2 (new link) points to path (target text, unresolved) */
#define AB_OP_UNLINK 5
#define AB_OP_TRUNCATE 6
#define AB_OP_CHDIR 7
#define AB_OP_DLOPEN 8
#define AB_OP_EXEC_INTERP 9 /* the ELF interpreter (or script interpreter) the kernel opened */
#define AB_OP_MAX 10

/* AB_EV_FILE: strings: [0] path as given, [1] absolute path resolved at call time,
 * [2] second path as given (rename/link/symlink), [3] second absolute path.  Unused
 * strings are sent empty.  Paths are lexically absolute: ".." and "." folded, symlinks
 * NOT resolved (the collector resolves them with realpath for the target). */
struct ab_file {
	__u16 op; /* AB_OP_* */
	__u16 fflags; /* AB_F_* */
	__s32 ret; /* result: fd or 0 on success, -errno on failure */
	__s32 dirfd; /* dirfd argument (AT_FDCWD = -100) */
	__u32 oflags; /* open(2) flags, rename/link flags */
	__u32 mode; /* st_mode of the opened file when AB_F_STAT */
	__u32 pad;
	__u64 dev; /* when AB_F_STAT: identity of the opened file, taken right after open */
	__u64 ino;
	__u64 size;
	__s64 mtime_ns;
	__s64 ctime_ns;
};
#define AB_F_STAT 0x1 /* dev..ctime_ns are valid */
#define AB_F_TRUNC_PATH 0x2 /* a path was longer than AB_PATH_MAX and was cut */
#define AB_F_WRITE 0x4 /* opened for writing (O_WRONLY/O_RDWR/O_CREAT/O_TRUNC) */
#define AB_F_DIR 0x8 /* the object is a directory */
#define AB_F_NS_PATH 0x10 /* ebpf: a path of the process's own mount namespace, not the host's */

/* AB_EV_EXEC: the image is replaced.  preload: sent before the real exec call, then
 * AB_EV_EXEC with AB_EXEC_FAILED if the call returned.  strings: [0] path as given,
 * [1] resolved absolute path of the file to exec */
struct ab_exec {
	__u32 flags; /* AB_EXEC_* */
	__s32 err; /* errno when AB_EXEC_FAILED */
};
#define AB_EXEC_FAILED 0x1
#define AB_EXEC_STATIC 0x2 /* target has no PT_INTERP: preload cannot see inside it */
#define AB_EXEC_SPAWN 0x4 /* via posix_spawn/system/popen (a new child, not this pid) */
#define AB_EXEC_SETID 0x8 /* the identity the target runs with keeps the interposer out: a
			   * set-ID target (ld.so ignores LD_PRELOAD), or a user who cannot
			   * load it or reach the collector; preload cannot see inside it */
#define AB_EXEC_FOREIGN 0x10 /* target of another ELF class or machine: its loader skips the
			     * interposer, preload cannot see inside it */

/* AB_EV_EXIT: a process ended.  Sent by the exiting process itself (_exit/exit hooks,
 * ebpf sched_process_exit: reaped_pid == 0) or by a parent that reaped a child through
 * wait*() (preload: reaped_pid = the child, status is a wait(2) status). */
struct ab_exit {
	__s32 status; /* exit(3) argument, or wait(2)-style status with AB_EXIT_WAITSTATUS */
	__u32 flags; /* AB_EXIT_* */
	__u32 reaped_pid; /* 0: hdr.pid itself exits; else the child that was reaped */
	__u32 pad;
};
#define AB_EXIT_WAITSTATUS 0x1 /* status is a wait(2) status (WIFEXITED/WIFSIGNALED...) */
#define AB_EXIT_SYNC 0x2 /* preload: the exiting process wrote files and waits for one byte
			  * back on its connection, sent once the collector has hashed them, so
			  * the next step of the build cannot change them before they are hashed */
#define AB_EXIT_WM 0x4 /* with AB_EXIT_SYNC: it waits for the watermark to pass this record
			* instead (AB_WATERMARK_NAME): no byte back (its connection is shared) */

/* AB_EV_FORK (ebpf): hdr.pid is the parent */
struct ab_fork {
	__u32 child_pid;
	__u32 pad;
};

/* AB_EV_WARN: something the backend could not see.  strings: [0] detail (e.g. a path) */
struct ab_warn {
	__u32 reason; /* AB_WARN_* */
	__u32 pad;
};
#define AB_WARN_STATIC_EXEC 1 /* preload: a static binary was exec'd */
#define AB_WARN_TRUNC_PATH 2
#define AB_WARN_IO_URING 3
#define AB_WARN_NO_COLLECTOR 4
#define AB_WARN_ARGV_TRUNC 5
#define AB_WARN_OTHER 6
#define AB_WARN_RAW_SYSCALLS 7 /* preload: a program that makes its system calls itself (Go) */
#define AB_WARN_SETID_EXEC 8 /* preload: a set-ID program was exec'd (AB_EXEC_SETID) */
#define AB_WARN_CHROOT 9 /* preload: a process changed its root directory (string: the new) */
#define AB_WARN_FOREIGN_EXEC 10 /* preload: a program of another ELF class or machine was exec'd */
#define AB_WARN_MOUNT_NS 11 /* a process entered a mount namespace of its own (preload: "unshare" or \
				 "setns"), or its program or working directory is named by it (ebpf) */

/* AB_EV_LOST */
struct ab_lost {
	__u64 count; /* records lost since the previous AB_EV_LOST of this source */
};

#endif /* ASBUILT_EVENT_H */
