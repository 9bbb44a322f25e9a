/* ldsearch.c - where the dynamic loader would find each DT_NEEDED name of a binary, at
 * build time (RPATH/RUNPATH with $ORIGIN, ld.so.conf, the multiarch defaults); part of the
 * elfinfo module (include/asbuilt/elfinfo.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/elfinfo.h"
#include "elfinfo_internal.h"

/* --- the loader's search for DT_NEEDED names ------------------------------------------ */

struct dirs {
	char **v;
	size_t n;
};

/* Appends the entries of a colon-separated rpath/runpath, $ORIGIN expanded to origin
 * (entries using it are skipped when origin is NULL). */
static int dirs_add_pathlist(struct dirs *d, const char *list, const char *origin)
{
	size_t olen = origin ? strlen(origin) : 0;

	for (const char *p = list; *p; p += *p == ':') {
		const char *end = p + strcspn(p, ":");
		char buf[PATH_MAX], *o = buf;
		bool skip = p == end;

		while (!skip && p < end) {
			size_t tl = !strncmp(p, "${ORIGIN}", 9) ? 9 : !strncmp(p, "$ORIGIN", 7) ? 7 : 0;

			/* $LIB, $PLATFORM are unknown at build time */
			if ((*p == '$' && (!tl || !origin)) || o + olen + 1 >= buf + sizeof(buf))
				skip = true;
			else if (tl)
				o = stpcpy(o, origin), p += tl;
			else
				*o++ = *p++;
		}
		*o = '\0';
		if (!skip && elfinfo_strv_push(&d->v, &d->n, buf) < 0)
			return -ENOMEM;
		p = end;
	}
	return 0;
}

/* Appends the directories of an ld.so.conf file, following "include" lines like ldconfig
 * (patterns relative to the including file's directory; "hwcap" lines ignored). */
static int dirs_add_conf(struct dirs *d, const char *file, int depth)
{
	FILE *f = depth < 8 ? fopen(file, "re") : NULL;
	const char *slash = strrchr(file, '/');
	char *line = NULL, *s, *end, *save, pat[PATH_MAX];
	size_t cap = 0;
	glob_t g;
	int rc = 0;

	while (f && rc == 0 && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "#\n")] = '\0';
		s = line + strspn(line, " \t");
		for (end = s + strlen(s); end > s && isspace((unsigned char)end[-1]);)
			*--end = '\0';
		if (*s == '/')
			rc = elfinfo_strv_push(&d->v, &d->n, s);
		if (strncmp(s, "include", 7) || (s[7] != ' ' && s[7] != '\t'))
			continue;
		for (s = strtok_r(s + 8, " \t", &save); s && rc == 0; s = strtok_r(NULL, " \t", &save)) {
			int dlen = *s != '/' && slash ? (int)(slash - file) + 1 : 0;

			snprintf(pat, sizeof(pat), "%.*s%s", dlen, file, s);
			if (glob(pat, 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
				rc = dirs_add_conf(d, g.gl_pathv[i], depth + 1);
			globfree(&g);
		}
	}
	free(line);
	if (f)
		fclose(f);
	return rc;
}

/* The loader's default directories for e's machine (Debian multiarch first). */
static int dirs_add_default(struct dirs *d, const struct elfinfo *e)
{
	static const char *const dirs[] = { "/lib/", "/usr/lib/", "/lib64", "/usr/lib64", "/lib",
					    "/usr/lib" };
	bool is64 = e->elfclass == ELFCLASS64;
	const char *triplet = e->machine == EM_X86_64	 ? (is64 ? "x86_64-linux-gnu" : NULL)
			      : e->machine == EM_386	 ? "i386-linux-gnu"
			      : e->machine == EM_AARCH64 ? "aarch64-linux-gnu"
							 : NULL;
	char buf[64];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((i < 2 && !triplet) || ((i == 2 || i == 3) && !is64))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", dirs[i], i < 2 ? triplet : "");
		rc = elfinfo_strv_push(&d->v, &d->n, buf);
	}
	return rc;
}

/* True when path is an ELF file of e's class and machine. */
static bool loadable_for(const char *path, const struct elfinfo *e)
{
	GElf_Ehdr eh;
	Elf *elf;
	int fd;
	bool ok;

	if (access(path, F_OK) < 0 || elfinfo_open(path, &fd, &elf) < 0)
		return false;
	ok = elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) &&
	     gelf_getclass(elf) == e->elfclass && eh.e_machine == e->machine;
	elf_end(elf);
	close(fd);
	return ok;
}

/* Returns the malloc'd real path of the first match of name in d, or NULL (*rc = -ENOMEM
 * when that was the reason).  A name with a '/' is a path, not searched. */
static char *find_in(const struct dirs *d, const char *name, const struct elfinfo *e, int *rc)
{
	bool path = strchr(name, '/') != NULL;
	char cand[PATH_MAX], *r;

	for (size_t i = 0; i < (path ? 1 : d->n); i++) {
		if (snprintf(cand, sizeof(cand), "%s%s%s", path ? "" : d->v[i], path ? "" : "/",
			     name) >= (int)sizeof(cand) ||
		    !loadable_for(cand, e))
			continue;
		r = realpath(cand, NULL);
		if (r || errno == ENOMEM) {
			*rc = r ? 0 : -ENOMEM;
			return r;
		}
	}
	return NULL;
}

int elfinfo_resolve_needed(const struct elfinfo *e, const char *binary_path, char ***paths)
{
	struct dirs d = { 0 };
	char *origin = realpath(binary_path, NULL), *slash, **v;
	int rc = 0;

	*paths = NULL;
	v = calloc(e->n_needed ? e->n_needed : 1, sizeof(*v));
	if (!v) {
		free(origin);
		return -ENOMEM;
	}
	slash = origin ? strrchr(origin, '/') : NULL;
	if (slash) /* the directory of the binary: "/" stays "/" */
		*(slash == origin ? slash + 1 : slash) = '\0';
	if (e->rpath && !e->runpath)
		rc = dirs_add_pathlist(&d, e->rpath, origin);
	if (e->runpath)
		rc = dirs_add_pathlist(&d, e->runpath, origin);
	rc = rc ? rc : dirs_add_conf(&d, "/etc/ld.so.conf", 0);
	rc = rc ? rc : dirs_add_default(&d, e);
	for (size_t i = 0; rc == 0 && i < e->n_needed; i++)
		v[i] = find_in(&d, e->needed[i], e, &rc);
	elfinfo_strv_free(d.v, d.n);
	free(origin);
	if (rc < 0)
		elfinfo_paths_free(v, e->n_needed);
	else
		*paths = v;
	return rc;
}

void elfinfo_paths_free(char **paths, size_t n)
{
	elfinfo_strv_free(paths, n);
}

