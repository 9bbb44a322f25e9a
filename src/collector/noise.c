/* noise.c - classification of non-input paths (recorded, but marked). */
#include "asbuilt/noise.h"

#include <string.h>

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* p is "/proc" and s is "/proc" or starts with "/proc/" */
static int under(const char *s, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(s, dir, n) == 0 && (s[n] == '\0' || s[n] == '/');
}

const char *noise_class(const char *p)
{
	if (under(p, "/proc"))
		return "proc";
	if (under(p, "/sys"))
		return "sys";
	if (under(p, "/dev"))
		return "dev";
	if (has_prefix(p, "/etc/ld.so.") || under(p, "/etc/ld.so.conf.d"))
		return "ldcache";
	if (under(p, "/usr/lib/locale") || under(p, "/usr/share/locale") ||
	    under(p, "/usr/share/i18n") || strcmp(p, "/etc/locale.alias") == 0 ||
	    strcmp(p, "/usr/share/locale/locale.alias") == 0)
		return "locale";
	if (strstr(p, "/gconv/") || has_prefix(p, "/usr/lib/x86_64-linux-gnu/gconv"))
		return "gconv";
	return NULL;
}

int noise_is_pseudo(const char *cls)
{
	return cls && (strcmp(cls, "proc") == 0 || strcmp(cls, "sys") == 0 ||
		       strcmp(cls, "dev") == 0);
}
