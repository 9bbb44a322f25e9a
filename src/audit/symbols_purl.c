/*
 * symbols_purl.c - package URLs as patterns for asbuilt symbols / vex --component
 * (symbols.h): parsing "pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH" the way the
 * purl specification reads it (right to left), and matching a component's purl against
 * one.  Writing purls is src/util/purl.c's job.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asbuilt/symbols.h"

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* A new string holding s[0..n) percent-decoded, or NULL (errno ENOMEM, or EINVAL for a bad
 * escape). */
static char *decode(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 2])) < 0) {
			free(d);
			errno = EINVAL;
			return NULL;
		}
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return d;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Parses "k=v&k=v" (n bytes at q) into p's qualifiers. */
static int parse_quals(const char *q, size_t n, struct symbols_purl *p)
{
	const char *end = q + n;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q)), *eq;
		size_t len = (size_t)((amp ? amp : end) - q);
		char **k, **v;

		eq = memchr(q, '=', len);
		if (len && (!eq || eq == q))
			return -EINVAL;
		if (len) {
			k = realloc(p->qkey, (p->n_quals + 1) * sizeof(*k));
			if (k)
				p->qkey = k;
			v = realloc(p->qval, (p->n_quals + 1) * sizeof(*v));
			if (v)
				p->qval = v;
			if (!k || !v)
				return -ENOMEM;
			p->qkey[p->n_quals] = decode(q, (size_t)(eq - q));
			p->qval[p->n_quals] = decode(eq + 1, (size_t)(q + len - eq - 1));
			p->n_quals++;
			if (!p->qkey[p->n_quals - 1] || !p->qval[p->n_quals - 1])
				return errno == EINVAL ? -EINVAL : -ENOMEM;
			lower(p->qkey[p->n_quals - 1]);
		}
		q += len + (amp ? 1 : 0);
	}
	return 0;
}

/* Sets p's namespace and name from "ns/.../name" (n bytes at s). */
static int parse_path(const char *s, size_t n, struct symbols_purl *p)
{
	const char *slash;

	while (n && s[n - 1] == '/')
		n--;
	slash = n ? memrchr(s, '/', n) : NULL;
	if (!n || (slash && slash + 1 == s + n))
		return -EINVAL;
	p->name = slash ? decode(slash + 1, (size_t)(s + n - slash - 1)) : decode(s, n);
	if (slash && slash > s)
		p->ns = decode(s, (size_t)(slash - s));
	if (!p->name || (slash && slash > s && !p->ns))
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	return *p->name ? 0 : -EINVAL;
}

static int parse(const char *s, struct symbols_purl *p)
{
	const char *end, *q, *at, *slash;
	int rc;

	if (strncasecmp(s, "pkg:", 4))
		return -EINVAL;
	s += 4;
	while (*s == '/')
		s++;
	end = strchr(s, '#');
	end = end ? end : s + strlen(s);
	q = memchr(s, '?', (size_t)(end - s));
	if (q && (rc = parse_quals(q + 1, (size_t)(end - q - 1), p)))
		return rc;
	end = q ? q : end;
	slash = memchr(s, '/', (size_t)(end - s));
	if (!slash || slash == s)
		return -EINVAL;
	if (!(p->type = decode(s, (size_t)(slash - s))))
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	lower(p->type);
	at = memrchr(slash, '@', (size_t)(end - slash));
	if (at && !(p->version = decode(at + 1, (size_t)(end - at - 1))))
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	return parse_path(slash + 1, (size_t)((at ? at : end) - slash - 1), p);
}

int symbols_purl_parse(const char *s, struct symbols_purl *p)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = s ? parse(s, p) : -EINVAL;
	if (rc)
		symbols_purl_release(p);
	return rc;
}

void symbols_purl_release(struct symbols_purl *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->ns);
	free(p->name);
	free(p->version);
	for (size_t i = 0; i < p->n_quals; i++) {
		free(p->qkey[i]);
		free(p->qval[i]);
	}
	free(p->qkey);
	free(p->qval);
	memset(p, 0, sizeof(*p));
}

/* Types whose names the purl specification makes case-insensitive (lowercased). */
static int name_nocase(const char *type)
{
	static const char *const t[] = { "deb", "apk", "pypi", "npm", "github", "bitbucket" };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(type, t[i]))
			return 1;
	return 0;
}

static int same(const char *a, const char *b, int nocase)
{
	if (!a || !b)
		return !a && !b;
	return nocase ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* Whether c has every qualifier of pattern, with its value. */
static int quals_match(const struct symbols_purl *pattern, const struct symbols_purl *c)
{
	for (size_t i = 0; i < pattern->n_quals; i++) {
		size_t k;

		for (k = 0; k < c->n_quals && strcmp(c->qkey[k], pattern->qkey[i]); k++)
			;
		if (k == c->n_quals || strcmp(c->qval[k], pattern->qval[i]))
			return 0;
	}
	return 1;
}

int symbols_purl_match(const struct symbols_purl *pattern, const char *purl)
{
	struct symbols_purl c;
	int ok;

	if (!purl || symbols_purl_parse(purl, &c))
		return 0;
	ok = !strcmp(pattern->type, c.type) && same(pattern->ns, c.ns, 1) &&
	     same(pattern->name, c.name, name_nocase(c.type)) &&
	     (!pattern->version || same(pattern->version, c.version, 0)) &&
	     quals_match(pattern, &c);
	symbols_purl_release(&c);
	return ok;
}
