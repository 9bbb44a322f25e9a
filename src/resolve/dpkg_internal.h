/* dpkg_internal.h - shared by dpkg.c (the database) and dpkgtext.c (its strings). */
#ifndef ASBUILT_DPKG_INTERNAL_H
#define ASBUILT_DPKG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/resolve_dpkg.h"

/* The path index table (dpkghash.c). */
struct hent {
	const char *k;
	uint32_t len, hash, val;
	uint32_t next, last; /* index + 1 of the next / (in the first) last entry of this key */
};

struct hslot {
	uint32_t hash, idx; /* idx: index + 1 of the first entry of a key; 0: empty */
};

struct htab {
	struct hent *e;
	uint32_t n, ecap, heads, mask;
	struct hslot *slot;
};

/* Hash of the bytes s[0..n). */
uint32_t dpkg_hash_bytes(const char *s, size_t n);
/* Index of the first entry with key k[0..len), or -1. */
long dpkg_ht_find(const struct htab *t, const char *k, size_t len);
/* Makes room for keys more keys.  Returns 0 or -ENOMEM. */
int dpkg_ht_reserve(struct htab *t, uint32_t keys);
/* Adds (k, val) with precomputed hash h; keys are borrowed, not copied.  0 or -ENOMEM. */
int dpkg_ht_add_h(struct htab *t, const char *k, size_t len, uint32_t h, uint32_t val);
/* Adds (k, val).  Returns 0 or -ENOMEM. */
int dpkg_ht_add(struct htab *t, const char *k, size_t len, uint32_t val);
/* Frees the table (not the keys). */
void dpkg_ht_release(struct htab *t);

/* purl of p: pkg:<osid>/<osid>/NAME@VERSION?arch=ARCH&distro=DISTRO.  Caller frees. */
char *dpkg_text_purl(const struct dpkg_pkg *p, const char *osid, const char *distro);

/* CPE 2.3 formatted string of p (vendor = product = source package).  Caller frees. */
char *dpkg_text_cpe(const struct dpkg_pkg *p);

/* SPDX expression of a DEP-5 copyright file's text (modified in place), or NULL when the
 * text is not DEP-5.  Caller frees. */
char *dpkg_text_dep5_license(char *text);

/* Cuts the next line off *cur (in place) and returns it, or NULL at the end. */
char *dpkg_next_line(char **cur);

/* The value of "Name: value" when line is that field (case-insensitive), else NULL. */
char *dpkg_field_value(char *line, const char *name);

#endif
