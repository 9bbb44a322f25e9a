/* priv.h - acting as the user who ran `sudo asbuilt record`: files named by the build and
 * the database are touched with that user's identity, never root's. */
#ifndef ASBUILT_PRIV_H
#define ASBUILT_PRIV_H

/* Becomes the invoking user for file access until priv_restore() (effective ids only).
 * No-op unless root through sudo (SUDO_UID/SUDO_GID).  Returns 0 or a negative errno. */
int priv_become_user(void);

/* Back to the saved (root) identity after priv_become_user(). */
int priv_restore(void);

/* Becomes the invoking user for good (real, effective and saved ids; no groups).
 * Returns 0 or a negative errno. */
int priv_drop(void);

#endif
