/*
 * deferred.c - the collector's work that waits for an idle moment: hashing the system files
 * the build read (checked against the identity each had at use) and the executables it
 * ran, a megabyte of a large file at a time, so that the build's own records go first.
 */
#include "asbuilt/collector.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asbuilt/store.h"
#include "internal.h"

void collector_defer_exe(struct collector *c, int64_t image_id, const char *exe)
{
	size_t n = strlen(exe);
	struct exe_job *j;
	struct stat st;

	if (!n || stat(exe, &st) != 0)
		return;
	j = malloc(sizeof(*j) + n + 1);
	if (!j)
		return;
	j->image_id = image_id;
	hc_key_from_stat(&j->want, &st);
	memcpy(j->path, exe, n + 1);
	j->next = NULL; /* in order: the first, being hashed a slice at a time, stays first */
	if (!c->exe_tail)
		c->exe_tail = &c->exe_jobs;
	*c->exe_tail = j;
	c->exe_tail = &j->next;
}

void collector_defer_read(struct collector *c, int64_t event_id, int64_t reader_id,
			  const char *canon, const struct hc_key *want)
{
	size_t n = strlen(canon);
	struct read_job *j = malloc(sizeof(*j) + n + 1);

	if (!j) { /* no memory to wait: do it now */
		int64_t vid = vers_read(c, canon, want, reader_id, 0, -1);
		if (vid)
			store_event_set_version(c->st, event_id, vid);
		return;
	}
	j->event_id = event_id;
	j->reader_id = reader_id;
	j->has_want = want != NULL;
	if (want)
		j->want = *want;
	memcpy(j->path, canon, n + 1);
	j->next = NULL;
	if (!c->read_tail)
		c->read_tail = &c->read_head;
	*c->read_tail = j;
	c->read_tail = &j->next;
}

/* A deferred job's file is hashed this much at a time between the build's records: a
 * tool's library can be 100 MB (libLLVM, which ld loads with its plugin), whose hashing in
 * one go stalled the loop for a quarter of a second, long enough under eBPF for the build
 * to rewrite its own files before their writers' exits were taken in (lua's liblua.a, which
 * ranlib rewrites in place right after ar wrote it: the record was incomplete). */
#define SLICE_BYTES (1 << 20)

static void slicer_stop(struct slicer *sl)
{
	hash_job_free(sl->job);
	sl->job = NULL;
}

/* Hashes the next slice of the file at path as it was with identity *want, unless its hash
 * is known; sl belongs to the first job of its queue, which stays first until this returns
 * 0.  Returns 1 while more is left; 0 when the hash is known now (in the hash cache) or
 * cannot be taken this way (then hashcache_get tries and says why). */
static int hash_slice(struct collector *c, struct slicer *sl, const char *path,
		      const struct hc_key *want)
{
	struct hash_result h;
	struct hc_key now;
	struct stat st;
	int rc;

	if (!sl->job) {
		if (want->size <= SLICE_BYTES || hashcache_known(&c->hc, path, want))
			return 0;
		if (hash_job_open(path, &st, &sl->job))
			return 0;
		hc_key_from_stat(&sl->key, &st);
		if (!hc_key_same_content(want, &sl->key)) { /* changed since its use */
			slicer_stop(sl);
			return 0;
		}
	}
	rc = hash_job_step(sl->job, SLICE_BYTES, &h);
	if (rc == 0)
		return 1;
	slicer_stop(sl);
	if (rc != 1 || stat(path, &st) != 0)
		return 0;
	/* kept only when the file still has the identity it had when opened: a change
	 * between slices is then found by hashcache_get, which reads it again */
	hc_key_from_stat(&now, &st);
	if (!memcmp(&now, &sl->key, sizeof(now)))
		hashcache_put(&c->hc, path, &sl->key, &h);
	return 0;
}

/* Hashes one deferred read, or a slice of its file.  Returns 0 when there was none. */
static int idle_read(struct collector *c)
{
	struct read_job *j = c->read_head;
	int64_t vid;

	if (!j)
		return 0;
	if (j->has_want && hash_slice(c, &c->reading, j->path, &j->want))
		return 1;
	c->read_head = j->next;
	if (!c->read_head)
		c->read_tail = &c->read_head;
	vid = vers_read(c, j->path, j->has_want ? &j->want : NULL, j->reader_id, 0, -1);
	if (vid && store_event_set_version(c->st, j->event_id, vid))
		c->db_failed = 1;
	free(j);
	return 1;
}

/* Hashes one executable, or a slice of it (cc1: 35 MB, which hashed in one go stalled
 * the loop for a tenth of a second, and a writer waiting for its exit ack with it); a read
 * job that comes meanwhile goes first.
 * Returns 0 when there was none. */
static int idle_exe(struct collector *c)
{
	struct exe_job *j = c->exe_jobs;
	struct hash_result h;

	if (!j)
		return 0;
	if (hash_slice(c, &c->exe_slicing, j->path, &j->want))
		return 1;
	c->exe_jobs = j->next;
	if (!c->exe_jobs)
		c->exe_tail = &c->exe_jobs;
	if (hashcache_get(&c->hc, j->path, &j->want, NULL, &h) == HC_OK &&
	    store_process_set_exe_hash(c->st, j->image_id, h.sha256))
		c->db_failed = 1;
	free(j);
	return 1;
}

/* Up to max_jobs deferred jobs or slices, the reads first. */
int collector_idle(struct collector *c, int max_jobs)
{
	int n = 0;

	while (n < max_jobs && idle_read(c))
		n++;
	while (n < max_jobs && !c->read_head && idle_exe(c))
		n++;
	return c->exe_jobs != NULL || c->read_head != NULL;
}

void collector_deferred_discard(struct collector *c)
{
	for (struct exe_job *j = c->exe_jobs, *n; j; j = n) {
		n = j->next;
		free(j);
	}
	c->exe_jobs = NULL;
	c->exe_tail = &c->exe_jobs;
	slicer_stop(&c->reading);
	slicer_stop(&c->exe_slicing);
	while (c->read_head) {
		struct read_job *j = c->read_head;
		c->read_head = j->next;
		free(j);
	}
}
