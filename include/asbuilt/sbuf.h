/* sbuf.h - a growing string for building identifiers and expressions.  Zero-initialise;
 * after an allocation failure further appends are ignored and sbuf_done reports it. */
#ifndef ASBUILT_SBUF_H
#define ASBUILT_SBUF_H

#include <stddef.h>

struct sb {
	char *p;
	size_t len, cap;
	int oom;
};

/* Appends s[0..n). */
void sb_putn(struct sb *b, const char *s, size_t n);

/* Appends the NUL-terminated s. */
void sb_puts(struct sb *b, const char *s);

/* The string built (the caller now owns it and frees it), or NULL with errno ENOMEM. */
char *sb_done(struct sb *b);

#endif
