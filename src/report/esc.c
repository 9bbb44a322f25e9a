/* esc.c - display text, Graphviz, HTML and <script> JSON escaping (see report_esc.h). */
#include "asbuilt/report_esc.h"

#include <errno.h>
#include <string.h>

#include "asbuilt/sbuf.h"

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when the byte at s does not start
 * one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void put_hex_byte(struct sb *b, unsigned char c)
{
	static const char digits[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', digits[c >> 4], digits[c & 15] };

	sb_putn(b, e, 4);
}

/* Whether the valid sequence at s of length n is a control character to show escaped. */
static int is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0; /* U+0080-U+009F */
}

char *report_esc_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct sb b = { 0 };

	if (!s)
		return NULL;
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 1 && *p == '\\') {
			sb_puts(&b, "\\\\");
		} else if (!n) {
			put_hex_byte(&b, *p);
			n = 1;
		} else if (is_control(p, n)) {
			for (size_t i = 0; i < n; i++)
				put_hex_byte(&b, p[i]);
		} else {
			sb_putn(&b, (const char *)p, n);
		}
		p += n;
	}
	return sb_done(&b);
}

void report_esc_dot(struct sb *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_putn(b, "\\", 1);
		sb_putn(b, p, 1);
	}
}

void report_esc_html(struct sb *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		case '\'':
			sb_puts(b, "&#39;");
			break;
		default:
			sb_putn(b, p, 1);
		}
	}
}

void report_esc_script(struct sb *b, const char *json)
{
	const char *p = json, *lt;

	while ((lt = strchr(p, '<'))) {
		sb_putn(b, p, (size_t)(lt - p));
		sb_puts(b, "\\u003c");
		p = lt + 1;
	}
	sb_puts(b, p);
}
