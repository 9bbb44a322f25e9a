/* records.bpf.h - building wire records (event.h) in the per-CPU scratch buffer and
 * sending them; included once, by asbuilt.bpf.c, after its maps and settings. */
#ifndef ASBUILT_RECORDS_BPF_H
#define ASBUILT_RECORDS_BPF_H

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

/* The largest record body: rec_start zeroes this much whatever the type. */
union ab_body {
	struct ab_proc proc;
	struct ab_argv argv;
	struct ab_file file;
	struct ab_exit exit;
	struct ab_fork fork;
	struct ab_warn warn;
};

/* Starts a record in this CPU's scratch buffer with a zeroed body.  Global, like
 * ab_rec_send. */
__noinline int ab_rec_start(__u16 type, __u64 id)
{
	struct ab_scratch *s = scratch_get();
	struct ab_hdr *h;

	if (!s)
		return 0;
	h = (void *)s->rec;
	__builtin_memset(s->rec, 0, HDR_SZ + sizeof(union ab_body));
	h->type = type;
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->src = AB_SRC_EBPF;
	return 0;
}

/* Starts a record with a body of blen bytes; the offset of its first string, a constant
 * the verifier can follow. */
#define rec_start(s, type, blen, id) (ab_rec_start(type, id), (__u32)(HDR_SZ + (blen)))

/* Completes the header of the record in this CPU's scratch buffer and copies the record
 * [0, size) to the ring buffer.  Global: the verifier checks it once, not at every call
 * site (inlined, it tripled the states of ab_exec). */
__noinline int ab_rec_send(__u32 size, __u16 nstr)
{
	struct ab_scratch *s = scratch_get();
	struct ab_hdr *h;
	__u32 zero = 0, *seq = bpf_map_lookup_elem(&seqs, &zero);
	__u64 wake = BPF_RB_NO_WAKEUP;

	if (!s)
		return 0;
	h = (void *)s->rec;
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
	return 0;
}

#define rec_send(s, size, nstr) ab_rec_send(size, nstr)

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
/* The path is one of the process's own mount namespace that no host path was found for
 * (paths.bpf.h, ab_walk). */
#define NS_BIT (1ull << 33)

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

#endif /* ASBUILT_RECORDS_BPF_H */
