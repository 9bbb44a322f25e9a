/* recbuild.h - builds wire-format records in tests (the backends build them their own way). */
#ifndef TESTS_RECBUILD_H
#define TESTS_RECBUILD_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "asbuilt/event.h"

struct recbuf {
	char b[AB_REC_MAX];
	size_t len;
};

/* Starts a record of type with body; strings follow with rec_str. */
static inline void rec_begin(struct recbuf *r, unsigned type, unsigned pid, const void *body,
			     size_t blen)
{
	struct ab_hdr h = { .type = (uint16_t)type, .pid = pid, .tid = pid, .src = AB_SRC_PRELOAD };
	memcpy(r->b, &h, sizeof(h));
	memcpy(r->b + sizeof(h), body, blen);
	r->len = sizeof(h) + blen;
}

static inline void rec_strn(struct recbuf *r, const char *s, uint32_t n)
{
	struct ab_hdr *h = (struct ab_hdr *)r->b;
	memcpy(r->b + r->len, &n, sizeof(n));
	memcpy(r->b + r->len + sizeof(n), s, n);
	r->len += sizeof(n) + n;
	h->nstr++;
}

static inline void rec_str(struct recbuf *r, const char *s)
{
	rec_strn(r, s, (uint32_t)strlen(s));
}

/* Finishes: sets hdr.size.  Returns the length. */
static inline size_t rec_end(struct recbuf *r)
{
	((struct ab_hdr *)r->b)->size = (uint32_t)r->len;
	return r->len;
}

#endif
