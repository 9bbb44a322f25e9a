#ifndef GREET_H
#define GREET_H
/* greet: return a greeting for name; static storage, not to be freed. */
const char *greet(const char *name);
#endif
