/* attestcli.c - artifact selection shared by `asbuilt omnibor` and `asbuilt
 * provenance`. */
#include "attestcli.h"

#include "asbuilt/artifacts.h"
#include "asbuilt/graph.h"
#include "cli.h"
#include "graphcli.h"

int attestcli_artifacts(const struct graph *g, char **names, int n, struct graph_ivec *out)
{
	for (int i = 0; i < n; i++) {
		int v = graphcli_output(g, names[i]);

		if (v < 0)
			return EXIT_USAGE;
		if (graph_ivec_add(out, v)) {
			cli_err("out of memory");
			return 1;
		}
	}
	if (!n && artifacts_list(g, out)) {
		cli_err("out of memory");
		return 1;
	}
	if (!out->n) {
		cli_err("build %lld has no artifact to describe", (long long)g->build_id);
		return EXIT_USAGE;
	}
	return 0;
}
