/*
 * report_esc.h - making recorded strings (paths, command lines, package names) safe for the
 * graph reports (report.h): display text, Graphviz quoted strings, HTML text and JSON
 * embedded in a <script> element.
 *
 * Recorded paths are bytes, not text: report_esc_text() turns them into valid UTF-8 that
 * still shows every byte.  The other functions expect such text.
 */
#ifndef ASBUILT_REPORT_ESC_H
#define ASBUILT_REPORT_ESC_H

#include <stddef.h>

struct sb;

/*
 * s as display text: valid UTF-8 is kept; every byte that is not part of a valid UTF-8
 * sequence (overlong forms, surrogates and code points above U+10FFFF included), every
 * byte of a control character (U+0000-U+001F, U+007F-U+009F) and every backslash is written
 * as a backslash escape, so that the text names exactly one byte string: "\xNN" (two lowercase hex
 * digits) for such a byte and "\\" for a backslash.  NULL gives NULL.  Returns a new string
 * you own (free it), or NULL with errno ENOMEM.
 */
char *report_esc_text(const char *s);

/* Appends s (display text) to b as the inside of a Graphviz double-quoted string: '"' and
 * '\' are escaped with a backslash; nothing else is special in UTF-8 text. */
void report_esc_dot(struct sb *b, const char *s);

/* Appends s to b as HTML text or attribute value: & < > " ' become entities. */
void report_esc_html(struct sb *b, const char *s);

/*
 * Appends the JSON text json to b so that it can sit inside <script type="application/json">:
 * every '<' becomes \u003c (it only occurs inside JSON strings, where that is the same
 * character), so neither "</script>" nor "<!--" can end or change the element.
 */
void report_esc_script(struct sb *b, const char *json);

#endif /* ASBUILT_REPORT_ESC_H */
