/* elfinfo_internal.h - helpers shared by elfinfo.c and ldsearch.c. */
#ifndef ASBUILT_ELFINFO_INTERNAL_H
#define ASBUILT_ELFINFO_INTERNAL_H

#include <gelf.h>
#include <stddef.h>

/* Appends a copy of s to the string vector *v of *n entries.  Returns 0 or -ENOMEM. */
int elfinfo_strv_push(char ***v, size_t *n, const char *s);

/* Frees a string vector; accepts NULL. */
void elfinfo_strv_free(char **v, size_t n);

/* Opens path for libelf.  Returns 0 with *fd and *elf set (caller: elf_end, close), or a
 * negative errno. */
int elfinfo_open(const char *path, int *fd, Elf **elf);

#endif
