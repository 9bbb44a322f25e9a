/* purl.c - purl percent-encoding and CPE 2.3 quoting. */
#include "asbuilt/purl.h"

#include <stdio.h>

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void purl_enc(struct sb *b, const char *s, size_t n, int lower)
{
	char hex[4];

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (lower && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
			sb_putn(b, (const char *)&c, 1);
		} else {
			snprintf(hex, sizeof(hex), "%%%02X", c);
			sb_putn(b, hex, 3);
		}
	}
}

void cpe_enc(struct sb *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (!is_alnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
			sb_putn(b, "\\", 1);
		sb_putn(b, &c, 1);
	}
}
