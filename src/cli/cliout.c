/* cliout.c - writing a command's output file so that a failure leaves nothing partial. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_write_out(const char *path, int (*write)(void *ctx, FILE *f), void *ctx)
{
	char *tmp = NULL;
	FILE *f = NULL;
	struct stat st;
	int fd = -1, rc;

	if (!path || !strcmp(path, "-")) {
		rc = write(ctx, stdout);
		return !rc && fflush(stdout) ? -EIO : rc;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device, a FIFO, a symlink: written through, never replaced (renaming a
		 * temporary over /dev/null as root would turn it into a regular file) */
		f = fopen(path, "w");
	} else if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		return -ENOMEM;
	} else if ((fd = mkstemp(tmp)) >= 0 && (f = fdopen(fd, "w"))) {
		fchmod(fd, 0644);
	}
	if (!f) {
		rc = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return rc;
	}
	rc = write(ctx, f);
	if (fclose(f) && !rc)
		rc = -EIO;
	if (tmp && !rc && rename(tmp, path))
		rc = -errno;
	if (tmp && rc)
		unlink(tmp);
	free(tmp);
	return rc;
}
