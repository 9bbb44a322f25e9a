/* spdxlic.h - distribution license fields as SPDX license expressions. */
#ifndef ASBUILT_SPDXLIC_H
#define ASBUILT_SPDXLIC_H

/*
 * A distribution's free-text license field (apk L:, rpm License:) as an SPDX expression,
 * shared with the rpm resolver (apk.c needs only libc, so the dependency runs this way).
 * Operators and/or/with become AND/OR/WITH and parentheses are kept.  Each license that is
 * already an SPDX id is kept in its canonical case; GNU licenses in any common spelling
 * become the -only/-or-later ids (GPL-2.0+, GPL-2+, GPLv2+ -> GPL-2.0-or-later; GPL-2.0,
 * LGPLv2.1 -> ...-only); a few unambiguous Fedora legacy names are mapped ("ASL 2.0" ->
 * Apache-2.0); anything else becomes LicenseRef-<name> with characters other than
 * A-Z a-z 0-9 . - replaced by '-'.  "X with Y" keeps WITH only when Y is an SPDX exception
 * and X an SPDX license, else is one LicenseRef-X-with-Y.  A field that is not an
 * expression (unbalanced parentheses, a dangling operator) becomes one LicenseRef- of the
 * whole text.  Returns a new string the caller frees, or NULL (errno EINVAL for a NULL or
 * blank field, ENOMEM).
 */
char *spdxlic_normalize(const char *tag);

#endif
