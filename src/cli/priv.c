/* priv.c - the invoking user's identity under sudo. */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

/* Under sudo as root: the user who ran sudo.  Returns 1 and sets ids, else 0. */
static int sudo_user(uid_t *uid, gid_t *gid)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");

	if (getuid() != 0 || !u || !g || atoi(u) <= 0 || atoi(g) < 0)
		return 0;
	*uid = (uid_t)atoi(u);
	*gid = (gid_t)atoi(g);
	return 1;
}

int priv_become_user(void)
{
	uid_t uid;
	gid_t gid;

	if (!sudo_user(&uid, &gid))
		return 0;
	if (setegid(gid) || seteuid(uid))
		return -errno;
	return 0;
}

int priv_restore(void)
{
	uid_t uid;
	gid_t gid;

	if (!sudo_user(&uid, &gid))
		return 0;
	if (seteuid(0) || setegid(0))
		return -errno;
	return 0;
}

int priv_drop(void)
{
	uid_t uid;
	gid_t gid;

	if (!sudo_user(&uid, &gid))
		return 0;
	if (seteuid(0) || setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}
