/*
 * server.h - the collector process's event loop: accepts the interposer's connections
 * (one SOCK_SEQPACKET connection per process image) and/or consumes the eBPF ring buffer,
 * feeding every record to the collector, until the supervisor says the build is over.
 *
 * Control pipe protocol (struct server_msg, supervisor -> collector):
 *   SERVER_BUILD id   the build row to record into: the first message, sent once the
 *                     supervisor made it (the collector loads the eBPF programs meanwhile)
 *   SERVER_TRACK pid  start following pid with the eBPF tracer (answered SERVER_OK/ERR)
 *   SERVER_DONE       the build's root process has exited: drain and finish
 * The collector answers on its status pipe with struct server_msg too, and after
 * SERVER_DONE sends one struct server_result.
 */
#ifndef ASBUILT_SERVER_H
#define ASBUILT_SERVER_H

#include <stdint.h>

#include "asbuilt/collector.h"

struct ebpf_tracer;

enum server_msg_type {
	SERVER_TRACK = 1,
	SERVER_DONE = 2,
	SERVER_OK = 3,
	SERVER_ERR = 4,
	SERVER_BUILD = 5,
};

struct server_msg {
	int32_t type;
	int32_t pad;
	int64_t value;
};

struct server_result {
	struct collector_stats stats;
	int32_t ok; /* 1: everything was written and committed */
	int32_t pad;
};

struct server_opts {
	int listen_fd; /* preload: listening SOCK_SEQPACKET socket, or -1 */
	int ctl_fd; /* reads struct server_msg */
	int status_fd; /* writes answers and the final struct server_result */
	struct ebpf_tracer *ebpf; /* or NULL */
	int live_status; /* print a one-line status on stderr */
	int wm_fd; /* preload: the watermark file (AB_WATERMARK_NAME, 8 bytes), or -1 */
};

/* Runs the loop until SERVER_DONE (or the control pipe closes) and everything is drained,
 * then finishes the collector (everything committed) and fills *res, which the caller
 * sends on the status pipe.  Returns 0 or a negative errno. */
int server_run(struct collector *c, const struct server_opts *o, struct server_result *res);

#endif /* ASBUILT_SERVER_H */
