/* cli.h - the subcommands of asbuilt, one file each, dispatched from main.c. */
#ifndef ASBUILT_CLI_H
#define ASBUILT_CLI_H

#include <stdio.h>

/* Exit codes shared by the subcommands (record passes the build's own status through). */
#define EXIT_USAGE 2

/* Each returns the process exit status. */
int cmd_record(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_artifacts(int argc, char **argv);
int cmd_deps(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_components(int argc, char **argv);
int cmd_omnibor(int argc, char **argv);
int cmd_provenance(int argc, char **argv);
int cmd_verify_attestation(int argc, char **argv);
int cmd_sbom(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_symbols(int argc, char **argv);
int cmd_vex(int argc, char **argv);

/* Writes with write(ctx, f) to path, or to standard output for NULL or "-", through a
 * temporary file beside path renamed into place, so that a failure leaves no partial
 * output.  A path that exists and is not a regular file (a device such as /dev/null, a
 * FIFO, a symlink) is written through instead, never replaced.  Returns 0 or a negative
 * errno (write's own, or of the file); prints nothing. */
int cli_write_out(const char *path, int (*write)(void *ctx, FILE *f), void *ctx);

/* Prints "asbuilt: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Default database path: $ASBUILT_DB or ./asbuilt.db */
const char *cli_default_db(void);

#endif
