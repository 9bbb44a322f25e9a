/*
 * ebpf.h - the eBPF tracing backend (loader side of bpf/asbuilt.bpf.c).
 *
 * The tracer follows one process tree: the root pid given to ebpf_tracer_track() and every
 * process it forks.  Kernel records arrive in the wire format of event.h through a ring
 * buffer; ebpf_tracer_poll() hands each one to a sink callback, the same decoder path the
 * preload backend uses.
 */
#ifndef ASBUILT_EBPF_H
#define ASBUILT_EBPF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ebpf_tracer;

/* Called once per ring-buffer record; rec is valid only during the call. */
typedef void (*ebpf_sink_fn)(void *ctx, const void *rec, size_t len);

/* Whether the eBPF backend was compiled in (1) or not (0). */
int ebpf_built(void);

/* Checks that this process may load BPF programs.  Returns 0 if so; otherwise a negative
 * errno and a sentence in why (e.g. "CAP_BPF and CAP_PERFMON are missing (not root)"). */
int ebpf_check_privilege(char *why, size_t whylen);

/* Loads and attaches the programs (mounting tracefs when missing).  Returns 0 and sets *out
 * (caller owns; free with ebpf_tracer_free), or a negative errno with a sentence in err. */
int ebpf_tracer_new(struct ebpf_tracer **out, char *err, size_t errlen);

/* Starts following pid (normally a child stopped before its exec) and its descendants. */
int ebpf_tracer_track(struct ebpf_tracer *t, pid_t pid);

/* An fd that becomes readable when records are waiting (for poll/epoll). */
int ebpf_tracer_fd(const struct ebpf_tracer *t);

/* Consumes waiting records, waiting up to timeout_ms (0: do not wait).  Returns the number
 * of records handed to sink, or a negative errno. */
int ebpf_tracer_poll(struct ebpf_tracer *t, int timeout_ms, ebpf_sink_fn sink, void *ctx);

/* Whether some process of the traced tree is still alive (in the kernel's tracked map).
 * When none is, every record of the tree has been written to the ring buffer, except
 * for an exit record the kernel may be writing in the microseconds after it untracked
 * the last process: drain, wait a millisecond, drain again.  Returns 1 or 0 (also when
 * the map cannot be read). */
int ebpf_tracer_live(const struct ebpf_tracer *t);

/* Records the kernel side dropped (ring buffer full), summed over CPUs. */
uint64_t ebpf_tracer_lost(const struct ebpf_tracer *t);

/* Detaches and frees; accepts NULL.  Call after draining with ebpf_tracer_poll(). */
void ebpf_tracer_free(struct ebpf_tracer *t);

#endif /* ASBUILT_EBPF_H */
