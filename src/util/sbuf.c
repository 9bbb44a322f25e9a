/* sbuf.c - a growing string. */
#include "asbuilt/sbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

char *sb_done(struct sb *b)
{
	sb_putn(b, "", 0);
	if (!b->oom)
		return b->p;
	free(b->p);
	b->p = NULL;
	errno = ENOMEM;
	return NULL;
}
