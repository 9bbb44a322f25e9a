/*
 * hooks_dlopen.c - dlopen, reported with the file the loader really mapped.
 *
 * ld.so searches a bare name ("libfoo.so.1") with the RUNPATH or RPATH of the object that
 * called dlopen.  Through this hook the caller seems to be the interposer, which has
 * neither, so for a caller that has one the search is redone here: each directory of the
 * caller's RUNPATH (after LD_LIBRARY_PATH, as ld.so does) or RPATH is tried with a full
 * path, then the bare name as a last resort.  A name already loaded is found first with
 * RTLD_NOLOAD, as ld.so would match it.
 */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

WREAL_DECL(dlopen);

/* The caller's DT_RUNPATH (*runpath = 1) or DT_RPATH (*runpath = 0) string, or NULL. */
static const char *wdl_search_path(const struct link_map *lm, int *runpath)
{
	const ElfW(Dyn) *d;
	ElfW(Addr) strtab = 0;
	long rp = -1, rnp = -1;

	for (d = lm->l_ld; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_STRTAB)
			strtab = d->d_un.d_ptr;
		else if (d->d_tag == DT_RPATH)
			rp = (long)d->d_un.d_val;
		else if (d->d_tag == DT_RUNPATH)
			rnp = (long)d->d_un.d_val;
	}
	if (!strtab || (rp < 0 && rnp < 0))
		return NULL;
	if (strtab < lm->l_addr) /* not relocated in place */
		strtab += lm->l_addr;
	*runpath = rnp >= 0;
	return (const char *)strtab + (rnp >= 0 ? rnp : rp);
}

/* Build dir/file into out, expanding $ORIGIN / ${ORIGIN} to origin; 0 when impossible. */
static int wdl_candidate(const char *dir, size_t dlen, const char *origin, const char *file,
			 char *out)
{
	size_t o = 0, i = 0, ol = strlen(origin), fl = strlen(file), skip;

	while (i < dlen) {
		skip = 0;
		if (!strncmp(dir + i, "$ORIGIN", 7))
			skip = 7;
		else if (!strncmp(dir + i, "${ORIGIN}", 9))
			skip = 9;
		else if (dir[i] == '$')
			return 0; /* $LIB, $PLATFORM: leave to ld.so */
		if (skip) {
			if (o + ol >= WPATH_BUF)
				return 0;
			memcpy(out + o, origin, ol);
			o += ol;
			i += skip;
		} else {
			if (o + 1 >= WPATH_BUF)
				return 0;
			out[o++] = dir[i++];
		}
	}
	if (!o || o + 1 + fl + 1 > WPATH_BUF)
		return 0;
	out[o++] = '/';
	memcpy(out + o, file, fl + 1);
	return 1;
}

/* Try file in each directory of the ':'-separated list. */
static void *wdl_try_list(const char *list, const char *origin, const char *file, int mode)
{
	char cand[WPATH_BUF];
	const char *p = list, *end;
	void *h;

	while (p && *p) {
		end = strchrnul(p, ':');
		if (end > p && wdl_candidate(p, (size_t)(end - p), origin, file, cand)) {
			h = WREAL(dlopen)(cand, mode);
			if (h)
				return h;
		}
		p = *end ? end + 1 : NULL;
	}
	return NULL;
}

/* dlopen(file) as ld.so would do it for the object containing caller. */
static void *wdl_open_as(const char *file, int mode, const void *caller)
{
	char origin[WPATH_BUF];
	struct link_map *lm = NULL;
	const char *list, *name;
	Dl_info di;
	void *h;
	int runpath = 0;
	ssize_t r;
	size_t n;

	if (!file || strchr(file, '/') || !dladdr1(caller, &di, (void **)&lm, RTLD_DL_LINKMAP) ||
	    !lm || !(list = wdl_search_path(lm, &runpath)))
		return WREAL(dlopen)(file, mode);
	h = WREAL(dlopen)(file, mode | RTLD_NOLOAD);
	if (h || (mode & RTLD_NOLOAD))
		return h;
	name = lm->l_name && lm->l_name[0] ? lm->l_name : NULL;
	if (name) {
		n = strlen(name);
		if (n >= sizeof origin)
			return WREAL(dlopen)(file, mode);
		memcpy(origin, name, n + 1);
	} else {
		r = readlink("/proc/self/exe", origin, sizeof origin - 1);
		if (r < 0)
			return WREAL(dlopen)(file, mode);
		origin[r] = '\0';
	}
	if (strrchr(origin, '/'))
		*strrchr(origin, '/') = '\0';
	if (runpath) /* ld.so: LD_LIBRARY_PATH comes before RUNPATH */
		h = wdl_try_list(getenv("LD_LIBRARY_PATH"), origin, file, mode);
	if (!h)
		h = wdl_try_list(list, origin, file, mode);
	return h ? h : WREAL(dlopen)(file, mode);
}

WHOOK void *dlopen(const char *file, int mode)
{
	void *h = wdl_open_as(file, mode, __builtin_return_address(0));
	struct link_map *lm = NULL;
	struct stat st;
	int e = errno;

	if (h && file && wconn_on() && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm &&
	    lm->l_name && lm->l_name[0])
		wfile_report(AB_OP_DLOPEN, AT_FDCWD, file, AT_FDCWD, lm->l_name, (unsigned)mode, 0,
			     stat(lm->l_name, &st) == 0 ? &st : NULL, 0);
	errno = e;
	return h;
}
