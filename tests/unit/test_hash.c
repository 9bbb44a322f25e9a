/* Unit tests of hash.c: digests checked against values computed by git and sha256sum. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asbuilt/hash.h"

Test(hash, empty_buffer_matches_known_digests)
{
	struct hash_result h;

	hash_buf("", 0, &h);
	cr_assert_str_eq(h.sha256,
			 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* git hash-object /dev/null */
	cr_assert_str_eq(h.gitoid_sha1, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	cr_assert_str_eq(h.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	/* git hash-object --object-format=sha256 /dev/null */
	cr_assert_str_eq(h.gitoid_sha256,
			 "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813");
	cr_assert_eq(h.size, 0);
}

Test(hash, hello_matches_git_blob_id)
{
	struct hash_result h;

	hash_buf("hello\n", 6, &h);
	cr_assert_str_eq(h.sha256,
			 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	cr_assert_str_eq(h.gitoid_sha1, "ce013625030ba8dba906f756967f9e9ca394464a");
	cr_assert_str_eq(h.sha1, "f572d396fae9206628714fb2ce00f72e94f2258f"); /* sha1sum */
	cr_assert_str_eq(h.gitoid_sha256,
			 "2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4");
}

/* A file of n bytes made of a pattern at path (a mkstemp template), its digests from the
 * bytes in memory in *a. */
static void patterned_file(char *path, size_t n, unsigned mul, struct hash_result *a)
{
	int fd = mkstemp(path);
	char *buf = malloc(n);

	cr_assert(fd >= 0 && buf);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * mul + 1);
	cr_assert(write(fd, buf, n) == (ssize_t)n);
	close(fd);
	hash_buf(buf, n, a);
	free(buf);
}

static void assert_same_digests(const struct hash_result *a, const struct hash_result *b)
{
	cr_assert_str_eq(b->sha256, a->sha256);
	cr_assert_str_eq(b->sha1, a->sha1);
	cr_assert_str_eq(b->gitoid_sha1, a->gitoid_sha1);
	cr_assert_str_eq(b->gitoid_sha256, a->gitoid_sha256);
	cr_assert_eq(b->size, a->size);
}

Test(hash, file_equals_buffer_and_large_files_stream)
{
	char path[] = "/tmp/asbuilt-hash-XXXXXX";
	size_t n = 3 * (1 << 17) + 12345;
	struct hash_result a, b;
	struct stat st;

	patterned_file(path, n, 7, &a);
	cr_assert_eq(hash_path(path, &st, &b), 0);
	assert_same_digests(&a, &b);
	cr_assert_eq(b.size, n);
	unlink(path);
}

/* A file that grew after its size was taken (the next writer appending while the
 * collector hashes): hash_fd reads no further than that size and then fails, where it
 * once read on to the end and hashed more bytes than the size its result gave. */
Test(hash, file_grown_since_its_size_was_taken_fails)
{
	char path[] = "/tmp/asbuilt-hash-XXXXXX";
	int fd = mkstemp(path);
	size_t n = (1 << 17) + 100;
	char *buf = calloc(1, n);
	struct hash_result h;
	struct stat st;

	cr_assert(write(fd, buf, n) == (ssize_t)n);
	cr_assert_eq(fstat(fd, &st), 0);
	st.st_size -= 60; /* as taken before the last 60 bytes were appended */
	cr_assert_eq(hash_fd(fd, &st, &h), -EIO);
	st.st_size += 60;
	cr_assert_eq(hash_fd(fd, &st, &h), 0);
	cr_assert_eq(h.size, n);
	close(fd);
	unlink(path);
	free(buf);
}

Test(hash, directory_and_missing_file_are_errors)
{
	struct hash_result h;
	struct stat st;

	cr_assert_eq(hash_path("/tmp", &st, &h), -EISDIR);
	cr_assert_eq(hash_path("/nonexistent/asbuilt", &st, &h), -ENOENT);
}

/* A file hashed a slice at a time (hash_job_step) has the digests of the whole file hashed
 * at once, whatever the slices; a job reports each slice but the last as not done. */
Test(hash, a_file_hashed_in_slices_matches_it_hashed_at_once)
{
	char path[] = "/tmp/asbuilt-hash-XXXXXX";
	size_t n = 5 * (1 << 17) + 4321, slices = 0;
	struct hash_result a, b;
	struct hash_job *j;
	struct stat st;
	int rc;

	patterned_file(path, n, 13, &a);
	cr_assert_eq(hash_job_open(path, &st, &j), 0);
	cr_assert_eq((size_t)st.st_size, n);
	while ((rc = hash_job_step(j, 100000, &b)) == 0)
		slices++;
	hash_job_free(j);
	cr_assert_eq(rc, 1);
	cr_assert_eq(slices, n / 100000); /* 7 slices not done, the 8th done */
	assert_same_digests(&a, &b);
	cr_assert_eq(b.size, n);
	unlink(path);
}

/* A file that grows between two slices fails like one that grew while hash_fd read it;
 * a directory cannot be opened as a job. */
Test(hash, a_file_grown_between_slices_fails)
{
	char path[] = "/tmp/asbuilt-hash-XXXXXX";
	struct hash_result whole, h;
	struct hash_job *j;
	struct stat st;
	int fd;

	patterned_file(path, 4096, 3, &whole);
	cr_assert_eq(hash_job_open(path, &st, &j), 0);
	cr_assert_eq(hash_job_step(j, 1000, &h), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert(fd >= 0 && write(fd, "grown", 5) == 5);
	close(fd);
	cr_assert_eq(hash_job_step(j, 1 << 20, &h), -EIO);
	hash_job_free(j);
	unlink(path);
	cr_assert_eq(hash_job_open("/tmp", &st, &j), -EISDIR);
	cr_assert_null(j);
}
