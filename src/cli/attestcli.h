/* attestcli.h - what the provenance commands (omnibor, provenance) share: the
 * artifacts named on the command line, or all of them. */
#ifndef ASBUILT_ATTESTCLI_H
#define ASBUILT_ATTESTCLI_H

struct graph;
struct graph_ivec;

/* Appends to *out the outputs named by names[0..n) (graphcli_output), or every
 * final artifact of g when n is 0.  Prints and returns EXIT_USAGE for a name
 * that is not an output or when there is no artifact; 1 on ENOMEM (printed); 0
 * otherwise. */
int attestcli_artifacts(const struct graph *g, char **names, int n, struct graph_ivec *out);

#endif
