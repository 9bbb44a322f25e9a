/* greet.h - the interface of libhello. */
#ifndef GREET_H
#define GREET_H

/* "hello, NAME" in a static buffer. */
const char *greet(const char *name);

#endif
