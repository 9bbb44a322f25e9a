/* spdxlic.c - a distribution's license field as an SPDX license expression (shared by the
 * rpm and apk resolvers): SPDX ids kept, GNU spellings normalised, a few legacy names
 * mapped, everything else a LicenseRef-. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asbuilt/sbuf.h"
#include "asbuilt/spdxlic.h"

/* --- SPDX license expressions ---------------------------------------------------------- */
static const char *const spdx_ids[] = {
	"0BSD", "AFL-2.1", "AFL-3.0", "Apache-1.0", "Apache-1.1", "Apache-2.0", "APSL-2.0",
	"Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0", "Beerware", "BlueOak-1.0.0",
	"BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent", "BSD-3-Clause",
	"BSD-3-Clause-Clear", "BSD-4-Clause", "BSD-4-Clause-UC", "BSD-Source-Code", "BSL-1.0",
	"bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0",
	"CDDL-1.0", "CDDL-1.1", "CECILL-2.1", "CPL-1.0", "curl", "EPL-1.0", "EPL-2.0",
	"EUPL-1.1", "EUPL-1.2", "FSFAP", "FSFUL", "FSFULLR", "FTL", "HPND", "ICU", "IJG",
	"ImageMagick", "Info-ZIP", "IPA", "ISC", "JSON", "Libpng",
	"libpng-2.0", "libtiff", "LPL-1.02", "LPPL-1.3c", "MirOS", "MIT", "MIT-0", "MIT-CMU",
	"MPL-1.0", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception", "MS-PL", "MS-RL",
	"NCSA", "Net-SNMP", "NTP", "OFL-1.1", "OLDAP-2.8", "OpenSSL", "PHP-3.0", "PHP-3.01",
	"PostgreSQL", "PSF-2.0", "Python-2.0", "Python-2.0.1", "Qhull", "Ruby", "Sendmail",
	"SGI-B-2.0", "Sleepycat", "SMLNJ", "SSPL-1.0", "TCL", "Unicode-3.0", "Unicode-DFS-2015",
	"Unicode-DFS-2016", "Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11", "XFree86-1.1",
	"Zlib", "zlib-acknowledgement", "ZPL-2.0", "ZPL-2.1",
};

static const char *const spdx_exceptions[] = {
	"389-exception", "Autoconf-exception-2.0", "Autoconf-exception-3.0",
	"Autoconf-exception-generic", "Bison-exception-2.2", "Classpath-exception-2.0",
	"eCos-exception-2.0", "FLTK-exception", "Font-exception-2.0", "freertos-exception-2.0",
	"GCC-exception-2.0", "GCC-exception-3.1", "GPL-CC-1.0", "Libtool-exception",
	"Linux-syscall-note", "LLVM-exception", "OCaml-LGPL-linking-exception",
	"OpenJDK-assembly-exception-1.0", "openvpn-openssl-exception", "Qt-GPL-exception-1.0",
	"Qt-LGPL-exception-1.1", "Swift-exception", "u-boot-exception-2.0",
	"Universal-FOSS-exception-1.0", "WxWindows-exception-3.1",
};

/* Fedora's legacy short names that name exactly one SPDX license. */
static const char *const legacy[][2] = {
	{ "ASL 1.1", "Apache-1.1" }, { "ASL 2.0", "Apache-2.0" },  { "MPLv1.1", "MPL-1.1" },
	{ "MPLv2.0", "MPL-2.0" },    { "Boost", "BSL-1.0" },	   { "Artistic 2.0", "Artistic-2.0" },
	{ "CC0", "CC0-1.0" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The entry of list equal to s[0..n) ignoring case, or NULL. */
static const char *find_ci(const char *const *list, size_t nlist, const char *s, size_t n)
{
	for (size_t i = 0; i < nlist; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
			return list[i];
	return NULL;
}

/* A GNU license in any common spelling (GPL-2.0, GPL-2.0+, GPL-2+, GPLv2+, GPL-2.0-only,
 * LGPLv2.1, GPL+) as its SPDX -only / -or-later id.  Returns 1 when s is one. */
static int put_gnu(struct sb *b, const char *s)
{
	static const char *const fam[][2] = { { "LGPL", "2.0 2.1 3.0" },
					      { "AGPL", "1.0 3.0" },
					      { "GFDL", "1.1 1.2 1.3" },
					      { "GPL", "1.0 2.0 3.0" } };
	for (size_t i = 0; i < NELEM(fam); i++) {
		size_t n = strlen(fam[i][0]), d = 0;
		char ver[16];
		if (strncasecmp(s, fam[i][0], n) != 0)
			continue;
		s += n;
		s += *s == 'v' || *s == 'V' || *s == '-';
		while (d < 4 && (isdigit((unsigned char)s[d]) || (d && s[d] == '.')))
			d++;
		if (d == 0 && strcmp(s, "+") == 0 && i == 3) /* Fedora "GPL+" */
			snprintf(ver, sizeof(ver), "1.0");
		else if (d == 0 || s[d - 1] == '.')
			return 0;
		else
			snprintf(ver, sizeof(ver), "%.*s%s", (int)d, s, memchr(s, '.', d) ? "" : ".0");
		const char *rest = s + d, *suffix = NULL;
		if (!*rest || !strcasecmp(rest, "-only"))
			suffix = "-only";
		else if (!strcmp(rest, "+") || !strcasecmp(rest, "-or-later"))
			suffix = "-or-later";
		if (!suffix || !strstr(fam[i][1], ver))
			return 0;
		sb_puts(b, fam[i][0]);
		sb_puts(b, "-");
		sb_puts(b, ver);
		sb_puts(b, suffix);
		return 1;
	}
	return 0;
}

static int is_idchar(int c)
{
	return isalnum(c) || c == '.' || c == '-';
}

/* An SPDX license id for the license named s (words joined by single spaces), written to
 * b.  Returns 1, or 0 when s is no license SPDX knows (nothing written). */
static int put_license(struct sb *b, const char *s)
{
	size_t n = strlen(s);
	int plus = n > 1 && s[n - 1] == '+';
	const char *id;

	if (!strncasecmp(s, "LicenseRef-", 11) || !strncasecmp(s, "DocumentRef-", 12)) {
		for (const char *c = s; *c; c++)
			if (!is_idchar((unsigned char)*c) && *c != ':')
				return 0;
		sb_puts(b, s);
		return 1;
	}
	if (put_gnu(b, s))
		return 1;
	if ((id = find_ci(spdx_ids, NELEM(spdx_ids), s, n - (size_t)plus))) {
		sb_puts(b, id);
		sb_puts(b, plus ? "+" : "");
		return 1;
	}
	for (size_t i = 0; i < NELEM(legacy); i++)
		if (!strcasecmp(s, legacy[i][0])) {
			sb_puts(b, legacy[i][1]);
			return 1;
		}
	return 0;
}

/* LicenseRef-<s> with every character outside A-Z a-z 0-9 . - made '-'. */
static void put_ref(struct sb *b, const char *s)
{
	sb_puts(b, "LicenseRef-");
	for (; *s; s++)
		sb_putn(b, is_idchar((unsigned char)*s) ? s : "-", 1);
}

enum { T_TERM, T_AND, T_OR, T_WITH, T_OPEN, T_CLOSE };
struct tok {
	int kind;
	const char *s; /* T_TERM: its words, joined by single spaces */
};
#define MAXTOK 256

/* Splits in into tokens; term text goes to out (room for strlen(in) + 1).  Returns the
 * number of tokens, or -1 when there are too many. */
static int tokenize(const char *in, char *out, struct tok *t)
{
	static const char *const ops[] = { "and", "or", "with" };
	int n = 0;

	while (*in) {
		size_t w = strcspn(in, " \t\r\n()");
		const char *op = w ? find_ci(ops, NELEM(ops), in, w) : NULL;
		if (!w && isspace((unsigned char)*in)) {
			in++;
			continue;
		}
		if (n == MAXTOK)
			return -1;
		if (!w) {
			t[n++] = (struct tok){ *in++ == '(' ? T_OPEN : T_CLOSE, NULL };
		} else if (op) {
			t[n++] = (struct tok){ op == ops[0] ? T_AND : op == ops[1] ? T_OR : T_WITH, NULL };
		} else if (n && t[n - 1].kind == T_TERM) { /* another word of the same name */
			out[-1] = ' ';
			memcpy(out, in, w);
			out[w] = 0;
			out += w + 1;
		} else {
			t[n++] = (struct tok){ T_TERM, out };
			memcpy(out, in, w);
			out[w] = 0;
			out += w + 1;
		}
		in += w;
	}
	return n;
}

/* 1 when t[0..n) is an expression: operands (TERM, or TERM WITH TERM) joined by AND/OR,
 * with balanced parentheses. */
static int well_formed(const struct tok *t, int n)
{
	int want_operand = 1, depth = 0;

	for (int i = 0; i < n; i++) {
		switch (t[i].kind) {
		case T_TERM:
			if (!want_operand)
				return 0;
			if (i + 1 < n && t[i + 1].kind == T_WITH) {
				if (i + 2 >= n || t[i + 2].kind != T_TERM)
					return 0;
				i += 2;
			}
			want_operand = 0;
			break;
		case T_OPEN:
			if (!want_operand)
				return 0;
			depth++;
			break;
		case T_CLOSE:
			if (want_operand || --depth < 0)
				return 0;
			break;
		case T_WITH:
			return 0;
		default: /* AND, OR */
			if (want_operand)
				return 0;
			want_operand = 1;
		}
	}
	return n > 0 && !want_operand && depth == 0;
}

/* One operand: lic, or lic WITH exc (exc NULL: none). */
static void put_operand(struct sb *b, const char *lic, const char *exc)
{
	struct sb id = { 0 };
	const char *e = exc ? find_ci(spdx_exceptions, NELEM(spdx_exceptions), exc, strlen(exc))
			    : NULL;

	if (put_license(&id, lic) && (!exc || e)) {
		sb_puts(b, id.p ? id.p : "");
		sb_puts(b, e ? " WITH " : "");
		sb_puts(b, e ? e : "");
	} else if (!exc) {
		put_ref(b, lic);
	} else {
		struct sb both = { 0 };
		sb_puts(&both, lic);
		sb_puts(&both, "-with-");
		sb_puts(&both, exc);
		put_ref(b, both.p ? both.p : "");
		b->oom |= both.oom;
		free(both.p);
	}
	b->oom |= id.oom;
	free(id.p);
}

char *spdxlic_normalize(const char *tag)
{
	struct sb b = { 0 };
	struct tok t[MAXTOK];
	char *terms;
	int n;

	if (!tag || !tag[strspn(tag, " \t\r\n")]) {
		errno = EINVAL;
		return NULL;
	}
	if (!(terms = malloc(strlen(tag) + 1)))
		return NULL;
	n = tokenize(tag, terms, t);
	if (n < 0 || !well_formed(t, n)) {
		n = 0;
		char *whole = strdup(tag + strspn(tag, " \t\r\n")), *end;
		if (whole) {
			for (end = whole + strlen(whole); isspace((unsigned char)end[-1]);)
				*--end = 0;
			put_ref(&b, whole);
		}
		b.oom |= !whole;
		free(whole);
	}
	for (int i = 0; i < n; i++) {
		if (t[i].kind == T_TERM) {
			int with = i + 1 < n && t[i + 1].kind == T_WITH;
			put_operand(&b, t[i].s, with ? t[i + 2].s : NULL);
			i += with ? 2 : 0;
		} else {
			sb_puts(&b, t[i].kind == T_AND	  ? " AND "
				    : t[i].kind == T_OR	  ? " OR "
				    : t[i].kind == T_OPEN ? "("
							  : ")");
		}
	}
	free(terms);
	return sb_done(&b);
}

