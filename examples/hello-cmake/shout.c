#include <ctype.h>
#include "shout.h"

char *shout(char *buf, size_t n, const char *s)
{
	size_t i;

	if (n == 0)
		return buf;
	for (i = 0; i + 1 < n && s[i]; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}
