/* internal.h - shared by the files of src/report (model, sort, layout, writers). */
#ifndef ASBUILT_REPORT_INTERNAL_H
#define ASBUILT_REPORT_INTERNAL_H

#include <stdint.h>

#include "asbuilt/report.h"

/* What a node is sorted by (borrowed strings): components by rank (their sorted index),
 * files by path then sha256, steps by their first output's path, start time, command
 * (sha256 holds it) and rank (their index in the document). */
struct rep_key {
	const char *path, *sha256;
	int64_t start_ns;
	int rank;
};

/* Sorts r's nodes (keys[i] belongs to node i) by type then key, renumbers the edges and
 * the components' nodes, sorts the edges and drops duplicates, sorts each node's files.
 * Returns 0 or -ENOMEM. */
int rep_sort(struct report *r, const struct rep_key *keys);

/* The page's style sheet and script (html_asset.c), inlined by report_write_html. */
extern const char rep_html_css[];
extern const char rep_html_js[];

#endif
