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

Test(hash, file_equals_buffer_and_large_files_stream)
{
	char path[] = "/tmp/asbuilt-hash-XXXXXX";
	int fd = mkstemp(path);
	size_t n = 3 * (1 << 17) + 12345;
	char *buf = malloc(n);
	struct hash_result a, b;
	struct stat st;

	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * 7);
	cr_assert(write(fd, buf, n) == (ssize_t)n);
	close(fd);
	hash_buf(buf, n, &a);
	cr_assert_eq(hash_path(path, &st, &b), 0);
	cr_assert_str_eq(a.sha256, b.sha256);
	cr_assert_str_eq(a.gitoid_sha1, b.gitoid_sha1);
	cr_assert_eq(b.size, n);
	unlink(path);
	free(buf);
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
