#ifndef SHOUT_H
#define SHOUT_H
#include <stddef.h>
/* shout: copy s into buf (size n) in upper case; returns buf. */
char *shout(char *buf, size_t n, const char *s);
#endif
