/*
 * licscan.c - SPDX-License-Identifier tags in the head of a file, checked against the SPDX
 * license expression grammar by a small recursive-descent parser that also normalises
 * the spacing.
 */
#include "asbuilt/licscan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAG "SPDX-License-Identifier:"

/* --- expressions ------------------------------------------------------------------------ */

/* A parse: tokens come from s one at a time; the normalised text goes to out. */
struct parse {
	const char *s;       /* next unread character */
	const char *tok;     /* current token, tok[0..len) ("" at the end) */
	size_t len;
	char *out;           /* at least strlen(input) + 1 bytes */
	size_t olen;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void next(struct parse *p)
{
	while (is_space(*p->s))
		p->s++;
	p->tok = p->s;
	if (*p->s == '(' || *p->s == ')')
		p->s++;
	else
		while (*p->s && !is_space(*p->s) && *p->s != '(' && *p->s != ')')
			p->s++;
	p->len = (size_t)(p->s - p->tok);
}

static int tok_is(const struct parse *p, const char *word)
{
	return p->len == strlen(word) && !memcmp(p->tok, word, p->len);
}

/* Appends the current token: a space before it unless at the start, after "(", or it is ")". */
static void emit(struct parse *p)
{
	if (p->olen && p->out[p->olen - 1] != '(' && !tok_is(p, ")"))
		p->out[p->olen++] = ' ';
	memcpy(p->out + p->olen, p->tok, p->len);
	p->olen += p->len;
	p->out[p->olen] = 0;
}

/* idstring = 1*(ALPHA / DIGIT / "-" / "."): the n bytes at s. */
static int is_idstring(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int is_operator(const struct parse *p)
{
	return tok_is(p, "AND") || tok_is(p, "OR") || tok_is(p, "WITH");
}

/* simple-expression: license-id ["+"] / ["DocumentRef-" idstring ":"] "LicenseRef-" idstring */
static int is_simple(const struct parse *p)
{
	const char *t = p->tok, *colon = memchr(t, ':', p->len);
	size_t n = p->len;

	if (!n || is_operator(p) || tok_is(p, "(") || tok_is(p, ")"))
		return 0;
	if (colon) {
		size_t d = (size_t)(colon - t);
		if (d < 13 || memcmp(t, "DocumentRef-", 12) || !is_idstring(t + 12, d - 12))
			return 0;
		t = colon + 1;
		n -= d + 1;
		if (n < 12 || memcmp(t, "LicenseRef-", 11))
			return 0;
	}
	if (n >= 11 && !memcmp(t, "LicenseRef-", 11))
		return is_idstring(t + 11, n - 11);
	if (t[n - 1] == '+')
		n--;
	return is_idstring(t, n);
}

static int parse_or(struct parse *p);

/* atom = "(" or-expression ")" / simple-expression ["WITH" exception-id] */
static int parse_atom(struct parse *p)
{
	if (tok_is(p, "(")) {
		emit(p);
		next(p);
		if (parse_or(p) || !tok_is(p, ")"))
			return -EINVAL;
		emit(p);
		next(p);
		return 0;
	}
	if (!is_simple(p))
		return -EINVAL;
	emit(p);
	next(p);
	if (!tok_is(p, "WITH"))
		return 0;
	emit(p);
	next(p);
	if (is_operator(p) || !is_idstring(p->tok, p->len))
		return -EINVAL;
	emit(p);
	next(p);
	return 0;
}

/* and-expression = atom *("AND" atom) */
static int parse_and(struct parse *p)
{
	int err = parse_atom(p);
	while (!err && tok_is(p, "AND")) {
		emit(p);
		next(p);
		err = parse_atom(p);
	}
	return err;
}

/* or-expression = and-expression *("OR" and-expression): OR binds loosest */
static int parse_or(struct parse *p)
{
	int err = parse_and(p);
	while (!err && tok_is(p, "OR")) {
		emit(p);
		next(p);
		err = parse_and(p);
	}
	return err;
}

int licscan_parse(const char *s, char **expr)
{
	struct parse p = { .s = s };

	*expr = NULL;
	if (!(p.out = malloc(strlen(s) + 1)))
		return -ENOMEM;
	p.out[0] = 0;
	next(&p);
	if (parse_or(&p) || p.len) { /* p.len: text left over after a whole expression */
		free(p.out);
		return -EINVAL;
	}
	*expr = p.out;
	return 0;
}

/* --- tags in a file ---------------------------------------------------------------------- */

/* The found expressions, distinct, in file order. */
struct exprs {
	char **v;
	size_t n, cap;
};

static void exprs_release(struct exprs *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

/* Adds x (taken over) unless already there.  Returns 0 or -ENOMEM. */
static int exprs_add(struct exprs *e, char *x)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strcmp(e->v[i], x)) {
			free(x);
			return 0;
		}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		char **v = realloc(e->v, cap * sizeof(*v));
		if (!v) {
			free(x);
			return -ENOMEM;
		}
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = x;
	return 0;
}

/* Whether x has an OR outside parentheses. */
static int has_top_or(const char *x)
{
	int depth = 0;
	for (const char *c = x; *c; c++) {
		depth += (*c == '(') - (*c == ')');
		if (!depth && !strncmp(c, " OR ", 4))
			return 1;
	}
	return 0;
}

/* The expressions joined with AND (malloc'ed), NULL when there are none or on ENOMEM. */
static char *exprs_join(const struct exprs *e)
{
	size_t size = 1;
	char *s, *w;

	if (e->n == 1)
		return strdup(e->v[0]);
	for (size_t i = 0; i < e->n; i++)
		size += strlen(e->v[i]) + 7; /* " AND " and parentheses */
	if (!e->n || !(s = w = malloc(size)))
		return NULL;
	for (size_t i = 0; i < e->n; i++) {
		int paren = has_top_or(e->v[i]);
		w = stpcpy(w, i ? " AND " : "");
		w = stpcpy(w, paren ? "(" : "");
		w = stpcpy(w, e->v[i]);
		w = stpcpy(w, paren ? ")" : "");
	}
	return s;
}

/* The expression text of a tag: from after the tag to the line's end or a comment end. */
static void tag_text(char *text)
{
	static const char *const ends[] = { "*/", "-->", "*)", "-}" };
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		char *e = strstr(text, ends[i]);
		if (e)
			*e = 0;
	}
}

/* Scans one line (NUL-terminated, writable) for a tag (the first one not right after a
 * quote).  Returns 0 or a negative errno. */
static int scan_line(char *line, struct exprs *e)
{
	char *t = strstr(line, TAG), *x;

	while (t && t > line && (t[-1] == '"' || t[-1] == '\''))
		t = strstr(t + 1, TAG);
	if (!t)
		return 0;
	t += strlen(TAG);
	tag_text(t);
	int err = licscan_parse(t, &x);
	return err ? err : exprs_add(e, x);
}

/* Reads up to size bytes of fd into buf.  Returns the count or a negative errno. */
static long read_head(int fd, char *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

int licscan_file(const char *path, char **expr)
{
	struct exprs e = { 0 };
	char *buf = NULL;
	long n;
	int fd, err = 0;

	*expr = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (!(buf = malloc(LICSCAN_MAX_BYTES + 1))) {
		err = -ENOMEM;
		goto out;
	}
	if ((n = read_head(fd, buf, LICSCAN_MAX_BYTES)) < 0) {
		err = (int)n;
		goto out;
	}
	if (memchr(buf, 0, (size_t)n)) /* binary */
		goto out;
	buf[n] = 0;
	char *line = buf;
	for (int i = 0; i < LICSCAN_MAX_LINES && *line && !err; i++) {
		char *nl = strchr(line, '\n');
		if (!nl && n == LICSCAN_MAX_BYTES)
			break; /* a line cut short by the size limit */
		if (nl)
			*nl = 0;
		err = scan_line(line, &e);
		line = nl ? nl + 1 : line + strlen(line);
	}
	if (!err && e.n && !(*expr = exprs_join(&e)))
		err = -ENOMEM;
out:
	exprs_release(&e);
	free(buf);
	close(fd);
	return err;
}
