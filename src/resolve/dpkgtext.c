/*
 * dpkgtext.c - the strings of a Debian package as other tools expect them: purl, CPE 2.3
 * and the SPDX license expression of a machine-readable (DEP-5) copyright file.
 * Split out of dpkg.c; declarations in dpkg_internal.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asbuilt/resolve_dpkg.h"
#include "asbuilt/purl.h"
#include "asbuilt/sbuf.h"
#include "dpkg_internal.h"

/* --- purl, CPE and license strings ------------------------------------------------------ */

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char *dpkg_text_purl(const struct dpkg_pkg *p, const char *osid, const char *distro)
{
	struct sb b = { 0 };
	sb_puts(&b, "pkg:deb/");
	purl_enc(&b, osid, strlen(osid), 0);
	sb_puts(&b, "/");
	purl_enc(&b, p->name, strlen(p->name), 0);
	sb_puts(&b, "@");
	purl_enc(&b, p->version, strlen(p->version), 0);
	sb_puts(&b, "?arch=");
	purl_enc(&b, p->arch, strlen(p->arch), 0);
	if (*distro) {
		sb_puts(&b, "&distro=");
		purl_enc(&b, distro, strlen(distro), 0);
	}
	return sb_done(&b);
}

char *dpkg_text_cpe(const struct dpkg_pkg *p)
{
	struct sb b = { 0 };
	const char *v = p->version, *colon = strchr(v, ':'), *dash;
	size_t i;

	for (i = 0; colon && v + i < colon && isdigit((unsigned char)v[i]); i++)
		;
	if (colon && i > 0 && v + i == colon)
		v = colon + 1; /* epoch */
	dash = strrchr(v, '-'); /* Debian revision */
	sb_puts(&b, "cpe:2.3:a:");
	cpe_enc(&b, p->source, strlen(p->source));
	sb_puts(&b, ":");
	cpe_enc(&b, p->source, strlen(p->source));
	sb_puts(&b, ":");
	cpe_enc(&b, v, dash && dash > v ? (size_t)(dash - v) : strlen(v));
	sb_puts(&b, ":*:*:*:*:*:*:*");
	return sb_done(&b);
}

static const char *const spdx_ids[][2] = {
	{ "expat", "MIT" },			 { "mit", "MIT" },
	{ "x11", "X11" },			 { "zlib", "Zlib" },
	{ "apache-2.0", "Apache-2.0" },		 { "apache-1.1", "Apache-1.1" },
	{ "bsd-2-clause", "BSD-2-Clause" },	 { "bsd-3-clause", "BSD-3-Clause" },
	{ "bsd-4-clause", "BSD-4-Clause" },	 { "isc", "ISC" },
	{ "mpl-1.1", "MPL-1.1" },		 { "mpl-2.0", "MPL-2.0" },
	{ "cc0-1.0", "CC0-1.0" },		 { "cc0", "CC0-1.0" },
	{ "public-domain", "LicenseRef-public-domain" },
	{ "artistic", "Artistic-1.0-Perl" },	 { "artistic-2.0", "Artistic-2.0" },
	{ "psf-2", "PSF-2.0" },			 { "python-2.0", "Python-2.0" },
	{ "openssl", "OpenSSL" },		 { "bsl-1.0", "BSL-1.0" },
	{ "ftl", "FTL" },			 { "curl", "curl" },
	{ "ofl-1.1", "OFL-1.1" },		 { "sil-ofl-1.1", "OFL-1.1" },
	{ "cc-by-3.0", "CC-BY-3.0" },		 { "cc-by-sa-3.0", "CC-BY-SA-3.0" },
	{ "cc-by-4.0", "CC-BY-4.0" },		 { "cc-by-sa-4.0", "CC-BY-SA-4.0" },
	{ "unicode-dfs-2016", "Unicode-DFS-2016" }, { "0bsd", "0BSD" },
	{ "wtfpl", "WTFPL" },			 { "unlicense", "Unlicense" },
	{ "epl-1.0", "EPL-1.0" },		 { "epl-2.0", "EPL-2.0" },
	{ "libpng", "Libpng" },			 { "ijg", "IJG" },
	{ "tcl", "TCL" },			 { "mit-0", "MIT-0" },
	{ "mit/x11", "MIT" },			 { "pd", "LicenseRef-public-domain" },
	{ "apache-2-llvm-exceptions", "Apache-2.0 WITH LLVM-exception" },
};

static const char *const spdx_exceptions[][2] = {
	{ "libtool", "Libtool-exception" },	    { "bison", "Bison-exception-2.2" },
	{ "classpath", "Classpath-exception-2.0" }, { "font", "Font-exception-2.0" },
	{ "gcc-3.1", "GCC-exception-3.1" },	    { "gcc-exception-3.1", "GCC-exception-3.1" },
	{ "llvm", "LLVM-exception" },
};

static void put_ref(struct sb *b, const char *name)
{
	sb_puts(b, "LicenseRef-");
	for (; *name; name++)
		sb_putn(b, is_alnum((unsigned char)*name) || *name == '.' ? name : "-", 1);
}

/* GPL-2+ -> GPL-2.0-or-later, LGPL-2.1 -> LGPL-2.1-only, GFDL-NIV-1.3+ -> ...  Returns 1
 * when name is of that family. */
static int put_gnu(struct sb *b, const char *name)
{
	static const char *const fam[] = { "gfdl-niv", "gpl", "lgpl", "agpl", "gfdl" };
	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		size_t n = strlen(fam[i]), d = 0;
		const char *v = name + n + 1;
		if (strncasecmp(name, fam[i], n) != 0 || name[n] != '-')
			continue;
		while (isdigit((unsigned char)v[d]) || (d && v[d] == '.'))
			d++;
		const char *suffix = !v[d] ? "-only" : !strcmp(v + d, "+") ? "-or-later" : v + d;
		if (!d || (strcmp(suffix, "-only") != 0 && strcmp(suffix, "-or-later") != 0))
			return 0;
		sb_puts(b, i ? "" : "GFDL");
		for (size_t j = 0; i && j < n; j++)
			sb_putn(b, &(char){ (char)toupper((unsigned char)name[j]) }, 1);
		sb_puts(b, "-");
		sb_putn(b, v, d);
		sb_puts(b, memchr(v, '.', d) ? "" : ".0");
		sb_puts(b, i ? "" : "-no-invariants");
		sb_puts(b, suffix);
		return 1;
	}
	return 0;
}

/* One license term: Debian short name, with optional exception name, as SPDX. */
static void put_term(struct sb *b, const char *name, const char *exc)
{
	struct sb id = { 0 };
	size_t n = strlen(name);
	int plus = n > 1 && name[n - 1] == '+';

	if (!put_gnu(&id, name)) {
		for (size_t i = 0; i < sizeof(spdx_ids) / sizeof(spdx_ids[0]); i++)
			if (strlen(spdx_ids[i][0]) == n - (size_t)plus &&
			    strncasecmp(name, spdx_ids[i][0], n - (size_t)plus) == 0) {
				sb_puts(&id, spdx_ids[i][1]);
				sb_puts(&id, plus ? "+" : "");
			}
		if (!id.len)
			put_ref(&id, name);
	}
	const char *e = NULL;
	if (*exc && !strcasecmp(exc, "autoconf"))
		e = strstr(id.p ? id.p : "", "GPL-3") ? "Autoconf-exception-3.0"
						      : "Autoconf-exception-2.0";
	for (size_t i = 0; *exc && i < sizeof(spdx_exceptions) / sizeof(spdx_exceptions[0]); i++)
		if (!strcasecmp(exc, spdx_exceptions[i][0]) ||
		    !strcasecmp(exc, spdx_exceptions[i][1]))
			e = spdx_exceptions[i][1];
	if (!*exc || e) {
		sb_puts(b, id.p ? id.p : "");
		sb_puts(b, e ? " WITH " : "");
		sb_puts(b, e ? e : "");
	} else {
		struct sb ref = { 0 };
		sb_puts(&ref, name);
		sb_puts(&ref, "-with-");
		sb_puts(&ref, exc);
		sb_puts(&ref, "-exception");
		put_ref(b, ref.p ? ref.p : "");
		free(ref.p);
	}
	b->oom |= id.oom;
	free(id.p);
}

static void flush_term(struct sb *b, struct sb *term, struct sb *exc)
{
	if (term->len)
		put_term(b, term->p, exc->len ? exc->p : "");
	b->oom |= term->oom | exc->oom;
	term->len = exc->len = 0;
}

/* A DEP-5 License: expression as SPDX: "or"/"and" -> OR/AND, "X with Y exception" -> WITH,
 * "A or B, and C" -> (A OR B) AND C.  Caller frees; NULL when out of memory. */
static char *license_expr(const char *expr)
{
	struct sb out = { 0 }, term = { 0 }, exc = { 0 };
	char *copy = strdup(expr), *save = NULL, *tok;
	int in_with = 0, ops = 0;

	for (tok = copy ? strtok_r(copy, " \t", &save) : NULL; tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		size_t n = strlen(tok);
		int comma = tok[n - 1] == ',';
		tok[n - comma] = 0;
		if (!strcasecmp(tok, "or") || !strcasecmp(tok, "and")) {
			flush_term(&out, &term, &exc);
			sb_puts(&out, tolower((unsigned char)*tok) == 'o' ? " OR " : " AND ");
			ops = 1;
			in_with = 0;
		} else if (!strcasecmp(tok, "with") && term.len) {
			in_with = 1;
		} else if (*tok && !(in_with && !strcasecmp(tok, "exception"))) {
			struct sb *to = in_with ? &exc : &term;
			sb_puts(to, to->len ? "-" : "");
			sb_puts(to, tok);
		}
		if (comma) {
			flush_term(&out, &term, &exc);
			in_with = 0;
			if (ops && out.len) {
				struct sb w = { 0 };
				sb_puts(&w, "(");
				sb_puts(&w, out.p);
				sb_puts(&w, ")");
				w.oom |= out.oom;
				free(out.p);
				out = w;
				ops = 0;
			}
		}
	}
	flush_term(&out, &term, &exc);
	free(copy);
	free(term.p);
	free(exc.p);
	if (!copy)
		out.oom = 1;
	return sb_done(&out);
}

/* SPDX license of a DEP-5 copyright file's text, or NULL (not DEP-5, no License, ENOMEM). */
char *dpkg_text_dep5_license(char *text)
{
	struct sb all = { 0 };
	char *cur = text, *line, *v, *star = NULL, *lic = NULL, *lics[64];
	int para = 0, dep5 = 0, files = 0, is_star = 0, in_files = 0, nlic = 0;

	for (;;) {
		line = dpkg_next_line(&cur);
		if (!line || !line[strspn(line, " \t\r")]) { /* end of a paragraph */
			if (para == 0 && (dep5 || !line))
				para = 1;
			if (files && lic && is_star && !star)
				star = lic;
			if (files && lic && nlic < 64)
				lics[nlic++] = lic;
			files = is_star = in_files = 0;
			lic = NULL;
			if (!line || !dep5)
				break;
			continue;
		}
		if (*line == '#')
			continue;
		if (*line == ' ' || *line == '\t') {
			is_star |= in_files && strcmp(line + strspn(line, " \t"), "*") == 0;
			continue;
		}
		in_files = 0;
		if (para == 0 && ((v = dpkg_field_value(line, "Format")) ||
				  (v = dpkg_field_value(line, "Format-Specification"))))
			dep5 = strstr(v, "copyright-format") || strstr(v, "dep5");
		else if ((v = dpkg_field_value(line, "Files"))) {
			files = in_files = 1;
			is_star = !strcmp(v, "*") || !strncmp(v, "* ", 2);
		} else if ((v = dpkg_field_value(line, "License")) && *v)
			lic = v;
	}
	if (!dep5 || (!star && !nlic))
		return NULL;
	if (star)
		return license_expr(star);
	char *done[64];
	int ndone = 0;
	for (int i = 0; i < nlic; i++) { /* distinct SPDX forms, joined with AND */
		char *e = license_expr(lics[i]);
		int dup = 0;
		for (int j = 0; e && j < ndone; j++)
			dup |= !strcmp(done[j], e);
		all.oom |= !e;
		if (!e || dup) {
			free(e);
			continue;
		}
		int paren = nlic > 1 && strstr(e, " OR ");
		sb_puts(&all, all.len ? " AND " : "");
		sb_puts(&all, paren ? "(" : "");
		sb_puts(&all, e);
		sb_puts(&all, paren ? ")" : "");
		done[ndone++] = e;
	}
	while (ndone)
		free(done[--ndone]);
	return sb_done(&all);
}

