/* hash.c - SHA-256 and OmniBOR gitoids of file contents with OpenSSL's EVP API. */
#include "asbuilt/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hash_ctx {
	EVP_MD_CTX *plain256;
	EVP_MD_CTX *plain1;
	EVP_MD_CTX *git1;
	EVP_MD_CTX *git256;
};

static void hex(const unsigned char *md, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

static void ctx_release(struct hash_ctx *c)
{
	EVP_MD_CTX_free(c->plain256);
	EVP_MD_CTX_free(c->plain1);
	EVP_MD_CTX_free(c->git1);
	EVP_MD_CTX_free(c->git256);
}

static int ctx_init(struct hash_ctx *c, uint64_t size)
{
	char blob[40];
	int n = snprintf(blob, sizeof(blob), "blob %llu", (unsigned long long)size) + 1;

	c->plain256 = EVP_MD_CTX_new();
	c->plain1 = EVP_MD_CTX_new();
	c->git1 = EVP_MD_CTX_new();
	c->git256 = EVP_MD_CTX_new();
	if (!c->plain256 || !c->plain1 || !c->git1 || !c->git256 ||
	    !EVP_DigestInit_ex(c->plain256, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(c->plain1, EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(c->git1, EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(c->git256, EVP_sha256(), NULL)) {
		ctx_release(c);
		return -ENOMEM;
	}
	EVP_DigestUpdate(c->git1, blob, (size_t)n);
	EVP_DigestUpdate(c->git256, blob, (size_t)n);
	return 0;
}

static void ctx_update(struct hash_ctx *c, const void *buf, size_t len)
{
	EVP_DigestUpdate(c->plain256, buf, len);
	EVP_DigestUpdate(c->plain1, buf, len);
	EVP_DigestUpdate(c->git1, buf, len);
	EVP_DigestUpdate(c->git256, buf, len);
}

static void ctx_final(struct hash_ctx *c, uint64_t size, struct hash_result *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n;

	EVP_DigestFinal_ex(c->plain256, md, &n);
	hex(md, n, out->sha256);
	EVP_DigestFinal_ex(c->plain1, md, &n);
	hex(md, n, out->sha1);
	EVP_DigestFinal_ex(c->git1, md, &n);
	hex(md, n, out->gitoid_sha1);
	EVP_DigestFinal_ex(c->git256, md, &n);
	hex(md, n, out->gitoid_sha256);
	out->size = size;
	ctx_release(c);
}

/* Hashes bytes [*off, min(size, *off + max)) of fd into c; at the end of the file checks
 * that it did not grow.  Returns 1 when the file is done, 0 when more is left, or a
 * negative errno (-EIO: it shrank or grew while we read). */
static int hash_range(struct hash_ctx *c, int fd, uint64_t size, uint64_t *off, uint64_t max)
{
	static __thread unsigned char buf[1 << 17];
	uint64_t end = size - *off > max ? *off + max : size;

	while (*off < end) {
		/* never past the size the length prefix was made for: a file that grows while
		 * we read must fail the check below, not be hashed beyond it */
		size_t want = end - *off < sizeof(buf) ? (size_t)(end - *off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)*off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO; /* shrank while we read */
		ctx_update(c, buf, (size_t)n);
		*off += (uint64_t)n;
	}
	if (*off < size)
		return 0;
	/* grown while we read? then the length prefix was wrong */
	return pread(fd, buf, 1, (off_t)*off) > 0 ? -EIO : 1;
}

int hash_fd(int fd, const struct stat *st, struct hash_result *out)
{
	uint64_t size = (uint64_t)st->st_size, off = 0;
	struct hash_ctx c;
	int rc = ctx_init(&c, size);

	if (rc)
		return rc;
	rc = hash_range(&c, fd, size, &off, size);
	if (rc < 0) {
		ctx_release(&c);
		return rc;
	}
	ctx_final(&c, size, out);
	return 0;
}

struct hash_job {
	int fd;
	uint64_t size, off;
	struct hash_ctx c;
};

int hash_job_open(const char *path, struct stat *st, struct hash_job **out)
{
	struct hash_job *j = calloc(1, sizeof(*j));
	int rc;

	*out = NULL;
	if (!j)
		return -ENOMEM;
	j->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (j->fd < 0) {
		rc = -errno;
		free(j);
		return rc;
	}
	if (fstat(j->fd, st) < 0)
		rc = -errno;
	else if (S_ISDIR(st->st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(st->st_mode))
		rc = -EINVAL;
	else
		rc = ctx_init(&j->c, (uint64_t)st->st_size);
	if (rc) {
		close(j->fd);
		free(j);
		return rc;
	}
	j->size = (uint64_t)st->st_size;
	*out = j;
	return 0;
}

int hash_job_step(struct hash_job *j, size_t max, struct hash_result *out)
{
	int rc = hash_range(&j->c, j->fd, j->size, &j->off, max);

	if (rc == 1) {
		ctx_final(&j->c, j->size, out);
		j->c = (struct hash_ctx){ 0 }; /* released by ctx_final */
	}
	return rc;
}

void hash_job_free(struct hash_job *j)
{
	if (!j)
		return;
	ctx_release(&j->c);
	close(j->fd);
	free(j);
}

int hash_path(const char *path, struct stat *st, struct hash_result *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		rc = -errno;
		goto out;
	}
	if (S_ISDIR(st->st_mode))
		rc = -EISDIR;
	else if (!S_ISREG(st->st_mode))
		rc = -EINVAL;
	else
		rc = hash_fd(fd, st, out);
out:
	close(fd);
	return rc;
}

void hash_buf(const void *buf, size_t len, struct hash_result *out)
{
	struct hash_ctx c;

	if (ctx_init(&c, len) == 0) {
		ctx_update(&c, buf, len);
		ctx_final(&c, len, out);
	}
}
