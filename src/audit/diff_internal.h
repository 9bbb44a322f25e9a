/* diff_internal.h - one side of a comparison (diff.c builds it, diff_compare.c reads it). */
#ifndef ASBUILT_DIFF_INTERNAL_H
#define ASBUILT_DIFF_INTERNAL_H

#include <stddef.h>

#include "asbuilt/diff.h"
#include "asbuilt/map.h"

/* One keyed thing of a section; see struct diff_entry for what value and more hold. */
struct ditem {
	char *key, *value, *more;
	char *name;  /* tools: basename without version suffix, for pairing */
	char **argv; /* steps: the words of the command (relative), argc of them */
	size_t argc;
};

struct dsec {
	struct ditem *v;
	size_t n, cap;
	struct strmap idx; /* key -> index + 1 */
};

struct diff_side {
	char *root;
	struct dsec sec[DIFF_NSECTIONS];
};

/* The item of sec with key, or NULL. */
const struct ditem *diff_find(const struct dsec *sec, const char *key);

#endif
