/* make.c - the report of a recorded build: its as-built document, then the report (see
 * report_make in report.h). */
#include <errno.h>
#include <string.h>

#include "asbuilt/build_doc.h"
#include "asbuilt/graph.h"
#include "asbuilt/report.h"
#include "asbuilt/sbom.h"

struct warn_ctx {
	void (*fn)(void *ctx, const char *msg);
	void *ctx;
};

/* Passes on the document's warnings, except the one about files without SHA-1: SPDX 2.3
 * wants that hash, the graph does not show it. */
static void pass_warning(void *ctx, const char *msg)
{
	struct warn_ctx *w = ctx;

	if (w->fn && !strstr(msg, "without SHA-1"))
		w->fn(w->ctx, msg);
}

int report_make(struct store *st, struct graph *g, const struct graph_ivec *arts,
		void (*warn)(void *ctx, const char *msg), void *warn_ctx, struct report **out)
{
	struct warn_ctx w = { warn, warn_ctx };
	struct build_doc_opts o = {
		.include_sources = 1,
		.components = { .cache = st, .cache_build = g->build_id },
		.warn = pass_warning,
		.warn_ctx = &w,
	};
	struct sbom_doc *d = NULL;
	int rc;

	*out = NULL;
	if ((rc = build_doc_make(st, g, arts, &o, &d)))
		return rc;
	rc = report_from_doc(d, g, out);
	sbom_doc_free(d);
	return rc;
}
