/* symbols_internal.h - what symbols.c and symbols_link.c share while making a report. */
#ifndef ASBUILT_SYMBOLS_INTERNAL_H
#define ASBUILT_SYMBOLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/map.h"

struct store;
struct graph;
struct component;
struct component_set;
struct symbols_report;

struct symbols_ctx {
	struct store *st;
	struct graph *g;
	struct symbols_report *r;  /* the report being made */
	struct component_set *set; /* the components of the binary */
	struct strmap comp_of;	   /* file path -> const struct component * of set */
	struct u64map comp_idx;	   /* component pointer -> its index + 1 in r->comps */
	struct component *project; /* stand-in project component when set has none */
};

/* Makes room for element n of the array *arr (grown to powers of two).  0 or -ENOMEM. */
int symbols_grow(void *arr, size_t n, size_t size);

/* A copy of s (NULL for NULL); on failure sets *rc to -ENOMEM. */
char *symbols_dup(const char *s, int *rc);

/* Adds a warning sentence to the report.  0 or -ENOMEM. */
int symbols_warn(struct symbols_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The index in g->v of the version whose id is id, or -1. */
int symbols_version_of(const struct graph *g, int64_t id);

/* 1 when the file at path has SHA-256 sha256 (any content when sha256 is NULL), 0 when not
 * or unreadable, -ENOMEM.  *now (when now is not NULL) gets its current SHA-256 (yours to
 * free), or NULL when unreadable. */
int symbols_same_file(const char *path, const char *sha256, char **now);

/* Sets *idx to the index in r->comps of the component of the file at path, or of version
 * built_vi when >= 0 (a file the build made: the component its sources come from), or -1
 * when none.  0 or -ENOMEM. */
int symbols_component_of(struct symbols_ctx *x, const char *path, int built_vi, int *idx);

/* Adds the archives and members the link of version vi pulled in (symbols_link.c). */
int symbols_load_archives(struct symbols_ctx *x, int vi);

#endif
