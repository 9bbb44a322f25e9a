/*
 * hash.h - content identities of a file: SHA-256, SHA-1 and the two OmniBOR gitoids
 * (sha1 and sha256 of "blob <len>\0" + content), computed in one pass with libcrypto.
 */
#ifndef ASBUILT_HASH_H
#define ASBUILT_HASH_H

#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#define HASH_HEX_SHA256 65 /* 64 hex digits + NUL */
#define HASH_HEX_SHA1 41

struct hash_result {
	char sha256[HASH_HEX_SHA256];
	char sha1[HASH_HEX_SHA1]; /* plain SHA-1 (SPDX 2.3 requires it for files) */
	char gitoid_sha1[HASH_HEX_SHA1];
	char gitoid_sha256[HASH_HEX_SHA256];
	uint64_t size;
};

/* Hashes the regular file open on fd (read from offset 0 with pread) whose length is
 * st->st_size.  Returns 0, -EIO if the file's size changed while it was read (it is being
 * written), or another negative errno. */
int hash_fd(int fd, const struct stat *st, struct hash_result *out);

/* Opens path (O_RDONLY|O_NOFOLLOW is NOT used: symlinks are followed), fstats it into *st
 * and hashes it.  Returns 0 or a negative errno (-EISDIR for a directory). */
int hash_path(const char *path, struct stat *st, struct hash_result *out);

/* A file hashed a slice at a time, for a caller that has other work between the slices
 * (the collector, hashing a 100 MB library the build's tools loaded between the build's
 * records). */
struct hash_job;

/* Opens path like hash_path and fstats it into *st.  Returns 0 and *out, or a negative
 * errno (-EISDIR for a directory, -EINVAL for a file that is not regular). */
int hash_job_open(const char *path, struct stat *st, struct hash_job **out);

/* Hashes up to max bytes more.  Returns 1 when the whole file is hashed (*out filled), 0
 * when more is left, or a negative errno as hash_fd (-EIO: its size changed). */
int hash_job_step(struct hash_job *j, size_t max, struct hash_result *out);

/* Closes the file and frees the job (NULL is fine). */
void hash_job_free(struct hash_job *j);

/* Hashes a memory buffer (used by tests and for in-memory artifacts). */
void hash_buf(const void *buf, size_t len, struct hash_result *out);

#endif /* ASBUILT_HASH_H */
