/* cdx_formula.c - CycloneDX 1.6 formulation: one workflow for the build, one task per
 * recorded build step (command, inputs, outputs, tools, times). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* argv as one shell-quoted line in a new string (NULL on ENOMEM). */
static char *shell_join(const struct sbom_step *s)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; i < s->argc; i++)
		len += 4 * strlen(s->argv[i] ? s->argv[i] : "") + 3;
	out = p = malloc(len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < s->argc; i++) {
		const char *a = s->argv[i] ? s->argv[i] : "";
		int plain = *a != '\0';
		for (const char *c = a; *c && plain; c++)
			plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789_@%+=:,./-",
				       *c) != NULL;
		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (const char *c = a; *c; c++)
			p = *c == '\'' ? stpcpy(p, "'\\''") : (*p = *c, p + 1);
		*p++ = '\'';
	}
	*p = '\0';
	return out;
}

static void time_ns(cJSON *o, const char *name, int64_t ns)
{
	char buf[32];

	if (ns <= 0)
		return;
	sbom_iso8601(ns / 1000000000, buf);
	sbom_jstr(o, name, buf);
}

static void resources(cJSON *obj, const char *name, const struct sbom_view *v, const int *files,
		      size_t n, const char *type)
{
	cJSON *arr;

	if (!n)
		return;
	arr = sbom_jarr(obj, name);
	for (size_t i = 0; i < n; i++) {
		cJSON *x = sbom_jpush_obj(arr);
		if (type)
			sbom_jstr(x, "type", type);
		sbom_jstr(sbom_jobj(x, "resource"), "ref", v->file_key[files[i]]);
	}
}

static void task(const struct sbom_view *v, cJSON *tasks, size_t pos, const struct sbom_step *s)
{
	cJSON *t = sbom_jpush_obj(tasks), *st, *in, *cmd, *refs;
	char id[48], name[256];
	char *line = shell_join(s);

	snprintf(id, sizeof(id), "task-%zu", pos + 1);
	sbom_jstr(t, "bom-ref", id);
	sbom_jstr(t, "uid", id);
	snprintf(name, sizeof(name), "%s %s", s->kind ? s->kind : "step",
		 s->n_outputs ? sbom_basename(v->d->files[s->outputs[0]].path)
		 : s->argc    ? sbom_basename(s->argv[0] ? s->argv[0] : "")
			      : "");
	sbom_jstr(t, "name", name);
	sbom_jpush_str(sbom_jarr(t, "taskTypes"), "build");
	st = sbom_jpush_obj(sbom_jarr(t, "steps"));
	sbom_jstr(st, "name", s->kind ? s->kind : "step");
	cmd = sbom_jpush_obj(sbom_jarr(st, "commands"));
	sbom_jstr(cmd, "executed", line ? line : "");
	if (!line)
		sbom_jobj(NULL, "oom"); /* sets the failure flag */
	free(line);
	if (s->cwd) {
		cJSON *p = sbom_jpush_obj(sbom_jarr(cmd, "properties"));
		sbom_jstr(p, "name", "asbuilt:cwd");
		sbom_jstr(p, "value", s->cwd);
	}
	resources(t, "inputs", v, s->inputs, s->n_inputs, NULL);
	if (s->n_env) {
		in = cJSON_GetObjectItem(t, "inputs");
		if (!in)
			in = sbom_jarr(t, "inputs");
		cJSON *env = sbom_jarr(sbom_jpush_obj(in), "environmentVars");
		for (size_t i = 0; i < s->n_env; i++) {
			cJSON *e = sbom_jpush_obj(env);
			sbom_jstr(e, "name", s->env[i].name);
			sbom_jstr(e, "value", s->env[i].value ? s->env[i].value : "");
		}
	}
	resources(t, "outputs", v, s->outputs, s->n_outputs, "artifact");
	if (s->n_tool_files || s->n_tool_components) {
		refs = sbom_jarr(t, "resourceReferences");
		for (size_t i = 0; i < s->n_tool_files; i++)
			sbom_jstr(sbom_jpush_obj(refs), "ref", v->file_key[s->tool_files[i]]);
		for (size_t i = 0; i < s->n_tool_components; i++)
			sbom_jstr(sbom_jpush_obj(refs), "ref", v->comp_key[s->tool_components[i]]);
	}
	time_ns(t, "timeStart", s->start_ns);
	time_ns(t, "timeEnd", s->end_ns);
}

void sbom_cdx_formulation(const struct sbom_view *v, cJSON *root)
{
	const struct sbom_doc *d = v->d;
	cJSON *f, *w, *tasks;
	char uid[64];
	int64_t start = 0, end = 0;

	if (!d->n_steps)
		return;
	f = sbom_jpush_obj(sbom_jarr(root, "formulation"));
	sbom_jstr(f, "bom-ref", "formula-build");
	w = sbom_jpush_obj(sbom_jarr(f, "workflows"));
	sbom_jstr(w, "bom-ref", "workflow-build");
	snprintf(uid, sizeof(uid), "urn:uuid:%s", v->uuid);
	sbom_jstr(w, "uid", uid);
	sbom_jstr(w, "name", "recorded build");
	sbom_jpush_str(sbom_jarr(w, "taskTypes"), "build");
	tasks = sbom_jarr(w, "tasks");
	for (size_t i = 0; i < d->n_steps; i++) {
		const struct sbom_step *s = &d->steps[v->step_order[i]];
		task(v, tasks, i, s);
		if (s->start_ns > 0 && (!start || s->start_ns < start))
			start = s->start_ns;
		if (s->end_ns > end)
			end = s->end_ns;
	}
	time_ns(w, "timeStart", start);
	time_ns(w, "timeEnd", end);
}
