/* noise.h - classifies paths that every process touches but that are not build inputs. */
#ifndef ASBUILT_NOISE_H
#define ASBUILT_NOISE_H

/* Returns the noise class of an absolute path ("proc", "sys", "dev", "locale", "gconv",
 * "ldcache") as a static string, or NULL when the path may be a real input. */
const char *noise_class(const char *abspath);

/* Whether files of this class are pseudo files that must not be hashed. */
int noise_is_pseudo(const char *cls);

#endif
