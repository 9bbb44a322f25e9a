/*
 * internal.h - shared declarations of the LD_PRELOAD interposer (libasbuilt-preload.so).
 *
 * Modules: conn.c (state, the connection the build's processes share, record sending,
 * the exit's wait, constructor, fork handling), hello.c (what an image says about itself
 * when it starts: executable, argv, environment), path.c (pure lexical path resolution), env.c (environment doctoring for exec),
 * elfcheck.c (static-binary detection), hooks_exec.c / hooks_spawn.c (exec family),
 * hooks_file.c (open family and other file operations), hooks_proc.c (exit, wait, chdir,
 * dlopen, __libc_start_main), hooks_fd.c (close and dup2 family: the connection stays),
 * hooks_syscall.c (syscall(): file calls made by number go to the hooks above), image.c
 * (facts about the running image: Go, inherited descriptors, who may load the library).
 *
 * Rules for everything here: no malloc in anything reachable from a vfork child, errno
 * preserved by every hook, never exit or abort inside a hooked call, own I/O through wsys()
 * (libc's syscall() past its hook), wfd_close_real() or functions we do not hook, nothing
 * beyond libc and libdl.
 */
#ifndef ASBUILT_WRAPPERS_INTERNAL_H
#define ASBUILT_WRAPPERS_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "asbuilt/event.h"

/* Marks an exported hook; everything else stays hidden (-fvisibility=hidden). */
#define WHOOK __attribute__((visibility("default")))

/* A large buffer that most processes touch at most the start of: kept out of .bss, so that
 * the library's small variables share one page with its initialised data, and started on a
 * page boundary.  A traced process then faults in three pages of the library's own memory
 * (a fresh page costs 1.5-2.5 us here) where variables scattered between the buffers took
 * eight or nine.  .lbss is x86-64's large-data bss, which the linker places after .bss. */
#if defined(__x86_64__)
#define WBIG __attribute__((section(".lbss.wbig"), aligned(4096)))
#else
#define WBIG __attribute__((aligned(4096)))
#endif

/* Size of a path buffer: AB_PATH_MAX bytes plus the NUL. */
#define WPATH_BUF (AB_PATH_MAX + 1)

/* AB_EV_PROC flag: this image is a fork child of ppid (same image, no exec happened).
 * Proposed for event.h; defined here until the lead adds it there. */
#ifndef AB_PROC_FORKED
#define AB_PROC_FORKED 0x8
#endif

/* One string of a record: bytes and length (no NUL needed). */
struct wstr {
	const char *p;
	size_t len;
};

/* Most strings one record may carry. */
#define WCONN_MAXSTR 32

/* ---- conn.c -------------------------------------------------------------------------- */

/* "ASBUILT_SOCK=<path>" etc., captured by the constructor; empty when unset. */
extern char *wconn_env_sock;
extern char *wconn_env_lib;
extern char *wconn_env_dir;
/* The constructor's string arena: room for cap bytes at its end (NULL when there is not),
 * then wconn_arena_keep(the bytes used) keeps them. */
char *wconn_arena_get(size_t cap);
void wconn_arena_keep(size_t len);
/* "ASBUILT_CONN=<fd>:<inode>": the connection this process's children may use, or "" */
extern char wconn_env_conn[];

/* Absolute path of this library (points into wconn_env_lib). */
extern const char *wconn_lib;

/* The connection's descriptor while connected, else -1 (hooks_fd.c keeps it open). */
int wconn_fd(void);

/* Moves the connection to another descriptor number (the program dup2s onto its own);
 * goes inert, leaving its marker, when it cannot.  Only in the process that owns it. */
void wconn_move_fd(void);

/* Sends an AB_EV_WARN with reason (AB_WARN_*) and the text what (len bytes). */
void wconn_warn(unsigned reason, const char *what, size_t len);

/* Nonzero when ASBUILT_SOCK was set at start: exec'd children must be doctored. */
int wconn_enabled(void);

/* Nonzero when records can be sent (connected, or a fork child that connects when it
 * first sends; not inert).  Cheap: one load. */
int wconn_on(void);

/* Nonzero in a fork child that has not connected yet: it has sent nothing.  Its exec of a
 * dynamic target need not connect (AB_ENV_FORKED); anything else it sends connects first. */
int wconn_lazy(void);

/* Connects now if this process is a lazy fork child (before it makes children that would
 * name it as their parent: fork, vfork, posix_spawn, system, popen). */
void wconn_ensure(void);

/* Fork children connect lazily only where vfork is hooked (hooks_spawn.c: an assembly stub
 * per architecture): a vfork child of a fork child that has not connected could not send
 * its records, since it shares its parent's memory but not its descriptors.  Elsewhere
 * they connect at once. */
#if defined(__x86_64__)
#define WCONN_LAZY_FORK 1
#else
#define WCONN_LAZY_FORK 0
#endif

/* Send one record: header (filled here) + body + strings as iovecs, one sendmsg.
 * Strings longer than the record allows are cut.  Safe from threads, vfork children and
 * signal handlers; never blocks unless the collector applies back-pressure.
 * Returns 0 or -errno.  On EPIPE/ECONNRESET the process goes inert (marker file). */
int wconn_send(unsigned type, const void *body, size_t blen, const struct wstr *s, unsigned n);

/* Records sent between these two go out as one packet (the hello's, hello.c); end sends
 * it.  Only from the thread saying hello, never nested. */
void wconn_batch_begin(void);
int wconn_batch_end(void);

/* Send AB_EV_EXIT.  reaped: 0 for the process itself, else the reaped child.  When the
 * process itself exits after writing files, it waits (bounded) for the collector's ack
 * that they are hashed (AB_EXIT_SYNC). */
void wconn_send_exit(int status, unsigned flags, pid_t reaped);

/* Whether this image wrote files that the image it execs into may go on writing (its own
 * process, not a vfork child borrowing its connection). */
int wconn_exec_sync(void);

/* What a use of a file obliges the process's exit to (wfile_report). */
#define WCONN_USE_NONE 0
#define WCONN_USE_READ 1 /* a read: no wait once the collector's watermark is past it */
#define WCONN_USE_WRITE 2 /* an open for writing: hashed at exit, which waits */
#define WCONN_USE_CHANGE 3 /* any other change (rename, link, truncate, ...): waits */

/* Notes that this process read or wrote a file: its exit waits until the collector has
 * hashed what it read and wrote, so the next step of the build cannot change those files
 * first (strip rewriting a binary that `file` or `cmp` just read, say).  use: WCONN_USE_*
 * (WRITE: see wconn_exec_sync).  Reads of system files (wpath_system) are not noted:
 * nothing in a build changes them, most are known to the collector's hash cache by the
 * identity sent with the record, and the collector re-checks any it hashes, so an exit
 * after such reads only costs a round trip (wfile_report). */
void wconn_note_use(int use);

/* After the record of a noted read went out: its time, for the watermark test at exit
 * (a process that only read files of the build, long enough ago that the collector has
 * processed them, exits without waiting: make and cmake, mostly). */
void wconn_note_sent(void);

/* Resolve the real (next) definition of name, caching it in *slot.  NULL if absent. */
void *wreal_sym(void **slot, const char *name);

/* Declares the cache slot of the real function fn (one per file that calls WREAL(fn)). */
#define WREAL_DECL(fn) static void *wreal_##fn
/* The real fn, typed like the libc declaration of fn. */
#define WREAL(fn) ((__typeof__(&fn))wreal_sym(&wreal_##fn, #fn))

/* ---- hello.c ------------------------------------------------------------------------- */

/* Captures what the hello needs of this image: its raw argv (if one contiguous block) and
 * its executable's name, from argv and execfn (AT_EXECFN).  Constructor only. */
void whello_capture(int argc, char **argv, const char *execfn);

/* Sends AB_EV_PROC (flags: AB_PROC_*), the AB_EV_ARGV chunks and AB_EV_ENV of this image,
 * in one packet.  execfn: the name it was exec'd by ("" for a fork child). */
void whello_send(unsigned flags, const char *execfn);

/* ---- path.c (pure) ------------------------------------------------------------------- */

/* Lexically join base (absolute directory) and path into out (cap bytes, NUL included):
 * "." and empty components dropped, ".." folded (never above "/"), symlinks untouched.
 * An absolute path ignores base; a relative path with base NULL or "" gives "".
 * base may be out itself (the join is done in place).
 * Returns the length of out; sets *trunc to 1 when the result did not fit (out then holds
 * a cut prefix), else leaves it. */
size_t wpath_join(char *out, size_t cap, const char *base, const char *path, int *trunc);

/* Whether abs (the absolute form of the path given) names a file of the system that a
 * build reads but does not make: under /usr (not /usr/local), /lib*, /etc, /bin, /sbin,
 * or the kernel's /proc, /sys, /dev.  A given path with ".." is never one: folding it
 * lexically may have crossed a symlink. */
int wpath_system(const char *given, const char *abs);

/* Write the decimal digits of v to buf (at least 21 bytes), NUL-terminated; returns length. */
size_t wpath_utoa(char *buf, unsigned long v);

/* Directory of an *at() call: getcwd for AT_FDCWD, else readlink /proc/self/fd/N.
 * Fills buf (cap bytes) and returns 0, or -errno (buf then ""). */
int wpath_dirfd(int dirfd, char *buf, size_t cap);

/* readlink("/proc/self/fd/N") into buf (cap bytes, NUL-terminated); returns length or -errno */
int wpath_fdlink(int fd, char *buf, size_t cap);

/* Absolute lexical form of path relative to dirfd into out (WPATH_BUF bytes).
 * Returns length (0 when unknown); sets *trunc when cut. */
size_t wpath_abs_at(int dirfd, const char *path, char *out, int *trunc);

/* ---- env.c --------------------------------------------------------------------------- */

/* Pointer slots the doctored copy of envp needs (NULL terminator included). */
size_t wenv_slots(char *const envp[]);

/* Bytes of the "LD_PRELOAD=..." string for envp (NUL included). */
size_t wenv_preload_size(char *const envp[]);

/* Fill out (wenv_slots(envp) slots) with envp minus LD_PRELOAD and ASBUILT_* plus the
 * ASBUILT_* entries and "LD_PRELOAD=<lib>[:<program's own entries>]" built in pl (plsz
 * bytes, from wenv_preload_size).  out points into envp's strings, pl and static data. */
void wenv_build(char **out, char *pl, size_t plsz, char *const envp[]);

/* Adds entry (static) to an environment made by wenv_build, which has a slot for each of
 * AB_ENV_SYNC=1 (this image opened files for writing and is about to exec:
 * wconn_exec_sync) and AB_ENV_FORKED=1 (the exec of a fork child that has not connected:
 * wconn_lazy). */
void wenv_add(char **env, const char *entry);

/* Doctor the process environment with setenv (system/popen; never in a vfork child). */
void wenv_fix_environ(void);

/* Declares name as the doctored copy of envp, all on the caller's stack. */
#define WENV_DOCTOR(name, envp)                                                            \
	char name##_pl[wenv_preload_size(envp)];                                           \
	char *name[wenv_slots(envp)];                                                      \
	wenv_build(name, name##_pl, sizeof name##_pl, envp)

/* ---- elfcheck.c ---------------------------------------------------------------------- */

/* What the file at dirfd/path (following "#!" lines) is: WELF_* bits, 0 when unknown or
 * unreadable.  atflags: AT_EMPTY_PATH honoured.  Raw syscalls only. */
#define WELF_STATIC 0x1 /* ELF without PT_INTERP */
#define WELF_DYNAMIC 0x2 /* ELF with PT_INTERP: it loads the interposer */
#define WELF_SETID 0x4 /* set-ID changing the identity on the way: ld.so ignores LD_PRELOAD */
#define WELF_FOREIGN 0x8 /* ELF of another class or machine: its loader skips the interposer */
int welf_check_at(int dirfd, const char *path, int atflags);

/* ---- hooks_exec.c -------------------------------------------------------------------- */

/* Send AB_EV_EXEC (and AB_EV_WARN + AB_EXEC_STATIC for a static target) for an exec of
 * given (checked at dirfd with atflags), abs/alen its absolute form.  Returns the flags. */
unsigned wexec_announce(int dirfd, const char *given, const char *abs, size_t alen, int atflags,
			unsigned flags);

/* Send AB_EV_EXEC with AB_EXEC_FAILED | flags and err. */
void wexec_failed(const char *given, const char *abs, size_t alen, unsigned flags, int err);

/* First PATH entry where file is executable, into buf (WPATH_BUF bytes); 0 or -ENOENT. */
int wexec_which(const char *file, char *buf);

/* ---- hooks_file.c -------------------------------------------------------------------- */

/* Report one file operation.  p2 may be NULL.  st: stat of the object or NULL.
 * Builds the absolute forms, truncates, sends AB_EV_FILE.  For AB_OP_DLOPEN, p2 is the
 * name the loader found (l_name): it becomes string [1], and [2]/[3] stay empty. */
void wfile_report(unsigned op, int dirfd, const char *p1, int dirfd2, const char *p2,
		  unsigned oflags, int ret, const struct stat *st, unsigned fflags);

/* ---- image.c ------------------------------------------------------------------------ */

/* The next program header of type (PT_*) of this image's program, from index *from on
 * (updated past it): its mapped contents and, when size is not NULL, their size; NULL
 * when there is none.  Read from memory: no system call. */
const char *wimage_segment(unsigned type, unsigned long *from, size_t *size);

/* Whether this image is a Go program (Go's build ID note): its system calls bypass libc. */
int wimage_is_go(void);

/* Reports, as this image's own opens, the descriptors listed in v ("3,1,0") that a
 * posix_spawn's file actions opened for it (AB_ENV_INHERIT, hooks_spawn.c). */
void wimage_inherited(const char *v);

/* Whether a program exec'd now, with this process's effective identity, can load the
 * interposer (no when a build step dropped to a user who may not read the library). */
int wimage_loadable(void);

/* ---- hooks_syscall.c ----------------------------------------------------------------- */

/* libc's syscall(), past the hook: the interposer's own system calls by number. */
long wsys(long nr, ...);

/* Report an open (of any kind) that returned ret: an fd, or -1 with errno err. */
void wfile_opened(int dirfd, const char *path, int flags, int ret, int err);

/* hooks_proc.c: when a call that worked (ok) had CLONE_NEWNS in flags (unshare, clone, by
 * name or by number), says that the process now names files by a mount namespace of its
 * own, where "what" did it (AB_WARN_MOUNT_NS).  Keeps errno. */
void wproc_newns(int ok, unsigned long long flags, const char *what);

/* ---- init hooks (called from the constructor to resolve real functions eagerly) ------- */
void wexec_init(void);
void wspawn_init(void);
void wfile_init(void);
void wfsops_init(void);
void wproc_init(void);
void wfd_init(void);
void wsyscall_init(void);

/* close() of libc, past the hook that keeps the connection open (hooks_fd.c). */
int wfd_close_real(int fd);

#endif /* ASBUILT_WRAPPERS_INTERNAL_H */
