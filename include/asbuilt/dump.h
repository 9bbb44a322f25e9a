/* dump.h - prints the raw record of a database (asbuilt show). */
#ifndef ASBUILT_DUMP_H
#define ASBUILT_DUMP_H

#include <stdio.h>

struct store;

/* Writes every build with its incomplete reasons, processes and file events to out, as
 * text (json == 0) or as JSON lines, one object per row with a "type" member ("build",
 * "incomplete", "process", "file").  Strings that are not valid UTF-8 get U+FFFD in place
 * of bad bytes and a sibling "<name>_hex" with the exact bytes.  Returns 0 or -EIO. */
int store_dump(struct store *st, int json, FILE *out);

#endif
