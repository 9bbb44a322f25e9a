/*
 * env.c - environment doctoring: every exec'd program gets the interposer back.
 *
 * A program may exec with `env -i`, after unsetenv("LD_PRELOAD"), or with an environment it
 * built itself.  The exec hooks hand the kernel a copy of the given envp, made on the
 * caller's stack (WENV_DOCTOR), with LD_PRELOAD and ASBUILT_* taken out and put back from
 * the values captured by the constructor.  Nothing here allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define WENV_PRELOAD "LD_PRELOAD="
#define WENV_PRELOAD_LEN (sizeof WENV_PRELOAD - 1)

/* Nonzero when entry (a "NAME=value") is one we replace. */
static int wenv_ours(const char *entry)
{
	if (!strncmp(entry, WENV_PRELOAD, WENV_PRELOAD_LEN))
		return 1;
	return !strncmp(entry, "ASBUILT_", 8) &&
	       (!strncmp(entry, AB_ENV_SOCK "=", sizeof AB_ENV_SOCK) ||
		!strncmp(entry, AB_ENV_LIB "=", sizeof AB_ENV_LIB) ||
		!strncmp(entry, AB_ENV_DIR "=", sizeof AB_ENV_DIR) ||
		!strncmp(entry, AB_ENV_SYNC "=", sizeof AB_ENV_SYNC) ||
		!strncmp(entry, AB_ENV_FORKED "=", sizeof AB_ENV_FORKED) ||
		!strncmp(entry, AB_ENV_INHERIT "=", sizeof AB_ENV_INHERIT) ||
		!strncmp(entry, AB_ENV_CONN "=", sizeof AB_ENV_CONN));
}

/* The program's own LD_PRELOAD value in envp (last one wins, as in ld.so), or NULL. */
static const char *wenv_find_preload(char *const envp[])
{
	const char *v = NULL;
	size_t i;

	for (i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], WENV_PRELOAD, WENV_PRELOAD_LEN))
			v = envp[i] + WENV_PRELOAD_LEN;
	return v;
}

size_t wenv_slots(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n + 9; /* LD_PRELOAD, 4 x ASBUILT_*, _SYNC, _FORKED, _INHERIT, NULL */
}

/* Bytes of "LD_PRELOAD=<lib>[:<old>]" plus the NUL for an old value. */
static size_t wenv_value_size(const char *old)
{
	return WENV_PRELOAD_LEN + strlen(wconn_lib) + 1 + (old ? strlen(old) : 0) + 1;
}

size_t wenv_preload_size(char *const envp[])
{
	return wenv_value_size(wenv_find_preload(envp));
}

/* Write "LD_PRELOAD=<lib>" then each entry of old except our library into pl. */
static void wenv_preload_value(char *pl, const char *old)
{
	size_t lib = strlen(wconn_lib), n;
	char *o = pl;

	memcpy(o, WENV_PRELOAD, WENV_PRELOAD_LEN);
	o += WENV_PRELOAD_LEN;
	memcpy(o, wconn_lib, lib);
	o += lib;
	while (old && *old) {
		while (*old == ':' || *old == ' ')
			old++;
		n = strcspn(old, ": ");
		if (n && !(n == lib && !memcmp(old, wconn_lib, lib))) {
			*o++ = ':';
			memcpy(o, old, n);
			o += n;
		}
		old += n;
	}
	*o = '\0';
}

void wenv_build(char **out, char *pl, size_t plsz, char *const envp[])
{
	size_t i, k = 0;

	(void)plsz;
	wenv_preload_value(pl, wenv_find_preload(envp));
	out[k++] = pl;
	if (wconn_env_sock[0])
		out[k++] = wconn_env_sock;
	if (wconn_env_lib[0])
		out[k++] = wconn_env_lib;
	if (wconn_env_dir[0])
		out[k++] = wconn_env_dir;
	if (wconn_env_conn[0])
		out[k++] = wconn_env_conn;
	for (i = 0; envp && envp[i]; i++)
		if (!wenv_ours(envp[i]))
			out[k++] = envp[i];
	out[k] = NULL;
}

void wenv_add(char **env, const char *entry)
{
	size_t k = 0;

	while (env[k])
		k++;
	env[k++] = (char *)entry;
	env[k] = NULL;
}

/* setenv name to the value part of entry ("NAME=value") unless it already has it. */
static void wenv_put(const char *name, const char *entry)
{
	const char *val = entry + strlen(name) + 1, *cur;

	if (!entry[0])
		return;
	cur = getenv(name);
	if (!cur || strcmp(cur, val))
		setenv(name, val, 1);
}

void wenv_fix_environ(void)
{
	const char *old = getenv("LD_PRELOAD");
	char pl[wenv_value_size(old)];

	if (!wconn_enabled())
		return;
	wenv_preload_value(pl, old);
	if (!old || strcmp(old, pl + WENV_PRELOAD_LEN))
		setenv("LD_PRELOAD", pl + WENV_PRELOAD_LEN, 1);
	wenv_put(AB_ENV_SOCK, wconn_env_sock);
	wenv_put(AB_ENV_LIB, wconn_env_lib);
	wenv_put(AB_ENV_DIR, wconn_env_dir);
	if (wconn_env_conn[0])
		wenv_put(AB_ENV_CONN, wconn_env_conn);
	else
		unsetenv(AB_ENV_CONN);
}
