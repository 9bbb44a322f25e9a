/* spdx3_build.c - SPDX 3.0.1 relationships and the Build profile: one build_Build per
 * recorded step, linked to its inputs, outputs, tools and invoking agent. */
#include "spdx3.h"

#include <stdlib.h>
#include <string.h>

void sbom3_relationships(struct w3 *w)
{
	const struct sbom_view *v = w->v;

	for (size_t i = 0; i < v->n_rels; i++) {
		const struct sbom_rel *r = &v->rels[i];
		const char *from = sbom_view_key(v, r->from_kind, r->from);
		const char *to = sbom_view_key(v, r->to_kind, r->to);
		const char *type = NULL, *scope = NULL;

		switch (r->type) {
		case SBOM_REL_GENERATED_FROM: /* X GENERATED_FROM Y = Y generates X */
		{
			const char *t = from;
			from = to, to = t;
			type = "generates";
			break;
		}
		case SBOM_REL_STATIC_LINK:
			type = "hasStaticLink";
			break;
		case SBOM_REL_DYNAMIC_LINK:
			type = "hasDynamicLink";
			break;
		case SBOM_REL_CONTAINS:
			type = "contains";
			break;
		case SBOM_REL_BUILD_TOOL_OF: /* X BUILD_TOOL_OF Y = Y usesTool X */
		{
			const char *t = from;
			from = to, to = t;
			type = "usesTool", scope = "build";
			break;
		}
		case SBOM_REL_BUILD_DEPENDENCY_OF: /* X BUILD_DEPENDENCY_OF Y = Y dependsOn X */
		{
			const char *t = from;
			from = to, to = t;
			type = "dependsOn", scope = "build";
			break;
		}
		case SBOM_REL_DEPENDS_ON:
			type = "dependsOn";
			break;
		case SBOM_REL_DESCRIBES:
			type = "describes";
			break;
		}
		sbom3_rel(w, from, type, &to, 1, scope);
	}
}

static void entry(cJSON *arr, const char *key, const char *value)
{
	cJSON *e = sbom_jpush_obj(arr);

	sbom_jstr(e, "type", "DictionaryEntry");
	sbom_jstr(e, "key", key);
	sbom_jstr(e, "value", value ? value : "");
}

static void time_ns(cJSON *o, const char *name, int64_t ns)
{
	char buf[32];

	if (ns <= 0)
		return;
	sbom_iso8601(ns / 1000000000, buf);
	sbom_jstr(o, name, buf);
}

/* Keys of files[0..n) (and comps[0..m)) in a new array (NULL when empty or on ENOMEM). */
static const char **keys(const struct sbom_view *v, const int *files, size_t n, const int *comps,
			 size_t m)
{
	const char **k = n + m ? malloc((n + m) * sizeof(*k)) : NULL;

	for (size_t i = 0; k && i < n; i++)
		k[i] = v->file_key[files[i]];
	for (size_t i = 0; k && i < m; i++)
		k[n + i] = v->comp_key[comps[i]];
	if (n + m && !k)
		sbom_jobj(NULL, "oom"); /* sets the failure flag */
	return k;
}

static void build(struct w3 *w, size_t pos, const struct sbom_step *s)
{
	const struct sbom_view *v = w->v;
	const char *completeness = sbom_doc_complete(v->d) ? "complete" : "incomplete";
	const char *agent = "SoftwareAgent-asbuilt";
	char key[48], name[256], arg[32];
	const char **k;
	cJSON *b, *arr, *r;

	snprintf(key, sizeof(key), "Build-%zu", pos + 1);
	b = sbom3_element(w, "build_Build", key);
	snprintf(name, sizeof(name), "%s %s", s->kind ? s->kind : "step",
		 s->n_outputs ? sbom_basename(v->d->files[s->outputs[0]].path)
		 : s->argc    ? sbom_basename(s->argv[0] ? s->argv[0] : "")
			      : "");
	sbom_jstr(b, "name", name);
	snprintf(name, sizeof(name), "urn:asbuilt:step:%s", s->kind ? s->kind : "other");
	sbom_jstr(b, "build_buildType", name);
	sbom_jstr(b, "build_buildId", key);
	time_ns(b, "build_buildStartTime", s->start_ns);
	time_ns(b, "build_buildEndTime", s->end_ns);
	arr = sbom_jarr(b, "build_parameter");
	for (size_t i = 0; i < s->argc; i++) {
		snprintf(arg, sizeof(arg), "argv[%zu]", i);
		entry(arr, arg, s->argv[i]);
	}
	if (s->cwd)
		entry(arr, "cwd", s->cwd);
	if (s->n_env) {
		arr = sbom_jarr(b, "build_environment");
		for (size_t i = 0; i < s->n_env; i++)
			entry(arr, s->env[i].name, s->env[i].value);
	}
	k = keys(v, s->inputs, s->n_inputs, NULL, 0);
	if ((r = sbom3_rel(w, key, "hasInput", k, s->n_inputs, "build")))
		sbom_jstr(r, "completeness", completeness);
	free(k);
	k = keys(v, s->outputs, s->n_outputs, NULL, 0);
	if ((r = sbom3_rel(w, key, "hasOutput", k, s->n_outputs, "build")))
		sbom_jstr(r, "completeness", completeness);
	free(k);
	sbom3_rel(w, key, "invokedBy", &agent, 1, "build");
	k = keys(v, s->tool_files, s->n_tool_files, s->tool_components, s->n_tool_components);
	sbom3_rel(w, key, "usesTool", k, s->n_tool_files + s->n_tool_components, "build");
	free(k);
}

void sbom3_builds(struct w3 *w)
{
	for (size_t i = 0; i < w->v->d->n_steps; i++)
		build(w, i, &w->v->d->steps[w->v->step_order[i]]);
}
