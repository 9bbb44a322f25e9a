/*
 * decode.h - the one decoder of the wire format (event.h), used for records from both
 * backends.  A decoded record points into a scratch buffer that holds NUL-terminated copies
 * of its strings.
 */
#ifndef ASBUILT_DECODE_H
#define ASBUILT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/event.h"

#define DECODE_MAX_STR 128

struct decoded {
	struct ab_hdr hdr;
	union {
		struct ab_proc proc;
		struct ab_argv argv;
		struct ab_env env;
		struct ab_file file;
		struct ab_exec exec;
		struct ab_exit exit;
		struct ab_fork fork;
		struct ab_warn warn;
		struct ab_lost lost;
	} u;
	unsigned nstr;
	const char *str[DECODE_MAX_STR]; /* NUL-terminated copies (may contain NULs: argv) */
	uint32_t len[DECODE_MAX_STR];
};

/* Size of the fixed body of records of type t, or -1 for an unknown type. */
int decode_body_size(unsigned type);

/* Checks the record rec[0..len) and decodes it into *out, copying strings into scratch,
 * which must hold at least len + DECODE_MAX_STR bytes and outlive *out.  Missing strings
 * (nstr smaller than the type uses) read as "".  Returns 0 or -EBADMSG. */
int decode_record(const void *rec, size_t len, struct decoded *out, char *scratch);

/* String i of d, or "" when the record has fewer strings. */
static inline const char *decode_str(const struct decoded *d, unsigned i)
{
	return i < d->nstr ? d->str[i] : "";
}

#endif /* ASBUILT_DECODE_H */
