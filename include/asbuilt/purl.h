/* purl.h - the escaping rules of package identifiers, in one place for every resolver:
 * purl percent-encoding and CPE 2.3 formatted-string quoting. */
#ifndef ASBUILT_PURL_H
#define ASBUILT_PURL_H

#include <stddef.h>

#include "asbuilt/sbuf.h"

/* Appends s[0..n) percent-encoded for a purl component: A-Z a-z 0-9 . - _ ~ and ':' stay
 * (the purl spec lets ':' stand unencoded), every other byte becomes %XX; lower != 0 also
 * lowercases A-Z (types whose names are case-insensitive: apk, github). */
void purl_enc(struct sb *b, const char *s, size_t n, int lower);

/* Appends s[0..n) as a CPE 2.3 formatted-string value: lowercased; A-Z a-z 0-9 _ - . plain,
 * every other character backslash-quoted. */
void cpe_enc(struct sb *b, const char *s, size_t n);

#endif
