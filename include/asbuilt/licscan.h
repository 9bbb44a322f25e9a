/*
 * licscan.h - the license a source file declares for itself with an SPDX short-form
 * identifier (https://spdx.dev/learn/handling-license-info/):
 *
 *     // SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note
 *     <!-- SPDX-License-Identifier: (MIT OR Apache-2.0) -->
 *
 * Only the head of the file is read, where such tags live; no license texts are matched.
 */
#ifndef ASBUILT_LICSCAN_H
#define ASBUILT_LICSCAN_H

/* How much of a file licscan_file() reads: the first LICSCAN_MAX_LINES lines, and no
 * more than LICSCAN_MAX_BYTES bytes. */
#define LICSCAN_MAX_LINES 100
#define LICSCAN_MAX_BYTES 16384

/*
 * Scans the head of the file at path for "SPDX-License-Identifier:" tags and stores the
 * license expression they declare in *expr (a malloc'ed string: the caller frees it), or
 * NULL when there is none.  Returns 0, -EINVAL when a tag holds an invalid expression
 * (*expr is then NULL), or another negative errno when the file cannot be read (-EISDIR
 * for a directory).
 *
 * - The tag may follow any comment marker (//, slash-star, #, --, ;, %, <!--, .., REM):
 *   the text after it up to the end of the line, or up to a comment end (star-slash, -->,
 *   "*)", "-}") is the expression.  A tag right after a quote character is a string
 *   literal in code that talks about tags, not a tag, and is skipped.
 * - The expression is checked against the SPDX 2.3 grammar (annex D): license ids and
 *   exception ids made of A-Z a-z 0-9 - . (a license id may end with +),
 *   [DocumentRef-X:]LicenseRef-X, the operators AND, OR, WITH (uppercase, as SPDX says
 *   they are matched case-sensitively; WITH takes one license on its left and one
 *   exception id on its right) and balanced parentheses.  Ids are not checked against the
 *   SPDX license list.
 * - The returned expression is the tag's, with whitespace normalised: one space between
 *   tokens, none inside parentheses ("( MIT  OR 0BSD )" -> "(MIT OR 0BSD)").
 * - Several tags with different expressions all apply (REUSE): they are joined with AND,
 *   an expression holding OR put in parentheses ("MIT AND (GPL-2.0-only OR BSD-2-Clause)");
 *   repeated ones count once.
 * - A file with a NUL byte in the part read is binary: no tags (*expr NULL, return 0).
 *   Lines end at \n; a trailing \r is ignored.
 */
int licscan_file(const char *path, char **expr);

/*
 * Checks and normalises one license expression s (as the tag's text, see above).  Stores
 * the normalised expression in *expr (malloc'ed: the caller frees it) and returns 0, or
 * returns -EINVAL (*expr NULL) when s is not a valid expression, -ENOMEM.
 */
int licscan_parse(const char *s, char **expr);

#endif /* ASBUILT_LICSCAN_H */
