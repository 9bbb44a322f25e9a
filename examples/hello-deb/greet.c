/* greet.c - libhello: the shared library of the hello-deb example. */
#include <stdio.h>

#include "greet.h"

const char *greet(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "hello, %s", name);
	return buf;
}
