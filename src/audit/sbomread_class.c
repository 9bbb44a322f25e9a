/* sbomread_class.c - what each file of an SBOM model was to the build (sbomread.h). */
#include <stdlib.h>

#include "asbuilt/sbom.h"
#include "asbuilt/sbomread.h"

static void lower(enum sbomread_class *c, size_t i, enum sbomread_class to)
{
	if (to < c[i])
		c[i] = to;
}

enum sbomread_class *sbomread_classify(const struct sbom_doc *d)
{
	enum sbomread_class *c = d->n_files ? malloc(d->n_files * sizeof(*c)) : NULL;

	if (!c)
		return NULL;
	for (size_t i = 0; i < d->n_files; i++)
		c[i] = d->files[i].is_artifact ? SBOMREAD_ARTIFACT : SBOMREAD_INPUT;
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct sbom_step *s = &d->steps[i];
		for (size_t k = 0; k < s->n_outputs; k++)
			lower(c, s->outputs[k], SBOMREAD_INTERMEDIATE);
		for (size_t k = 0; k < s->n_tool_files; k++)
			lower(c, s->tool_files[k], SBOMREAD_TOOL);
	}
	for (size_t i = 0; i < d->n_rels; i++) {
		const struct sbom_rel *r = &d->rels[i];
		if (r->from_kind == SBOM_NODE_FILE &&
		    (r->type == SBOM_REL_GENERATED_FROM || r->type == SBOM_REL_STATIC_LINK))
			lower(c, r->from, SBOMREAD_INTERMEDIATE);
	}
	return c;
}
