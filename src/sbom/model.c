/* model.c - the in-memory SBOM: building it (deep copies) and freeing it. */
#include "asbuilt/sbom.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Grows *arr (elements of size sz, *cap of them) to hold n + 1.  0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, ncap * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* strdup that maps NULL to NULL and sets *bad on allocation failure. */
static char *dup(const char *s, int *bad)
{
	char *r;

	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		*bad = 1;
	return r;
}

static const char **dupv(const char *const *v, size_t n, int *bad)
{
	const char **r;

	if (!n)
		return NULL;
	r = calloc(n, sizeof(*r));
	if (!r) {
		*bad = 1;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		r[i] = dup(v[i], bad);
	return r;
}

static int *dupi(const int *v, size_t n, int *bad)
{
	int *r;

	if (!n)
		return NULL;
	r = malloc(n * sizeof(*r));
	if (!r) {
		*bad = 1;
		return NULL;
	}
	memcpy(r, v, n * sizeof(*r));
	return r;
}

static void freev(const char *const *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free((char *)v[i]);
	free((void *)v);
}

static void comp_release(struct sbom_component *c)
{
	free((char *)c->name);
	free((char *)c->version);
	free((char *)c->purl);
	free((char *)c->cpe);
	free((char *)c->license_declared);
	free((char *)c->license_concluded);
	free((char *)c->supplier);
	free((char *)c->download_location);
	free((char *)c->homepage);
	free((char *)c->identified_by);
	freev(c->evidence, c->n_evidence);
}

static void product_release(struct sbom_product *p)
{
	free((char *)p->purl);
	free((char *)p->cpe);
	free((char *)p->license_declared);
	free((char *)p->supplier);
	free((char *)p->homepage);
	free((char *)p->download_location);
	free((char *)p->comment);
	memset(p, 0, sizeof(*p));
}

static void file_release(struct sbom_file *f)
{
	free((char *)f->path);
	free((char *)f->sha1);
	free((char *)f->sha256);
	free((char *)f->gitoid_sha1);
	free((char *)f->gitoid_sha256);
	freev(f->licenses, f->n_licenses);
}

static void step_release(struct sbom_step *s)
{
	free((char *)s->kind);
	freev(s->argv, s->argc);
	free((char *)s->cwd);
	for (size_t i = 0; s->env && i < s->n_env; i++) {
		free((char *)s->env[i].name);
		free((char *)s->env[i].value);
	}
	free((void *)s->env);
	free((void *)s->inputs);
	free((void *)s->outputs);
	free((void *)s->tool_files);
	free((void *)s->tool_components);
}

static int parse_epoch(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -ENOENT;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return -EINVAL;
	*out = v;
	return 0;
}

struct sbom_doc *sbom_doc_new(const char *name, const char *version)
{
	struct sbom_doc *d;
	int bad = 0;

	if (!name || !*name) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->name = dup(name, &bad);
	d->version = dup(version, &bad);
	if (bad) {
		sbom_doc_free(d);
		errno = ENOMEM;
		return NULL;
	}
	parse_epoch(getenv("SOURCE_DATE_EPOCH"), &d->created);
	return d;
}

void sbom_doc_free(struct sbom_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_comps; i++)
		comp_release(&d->comps[i]);
	for (size_t i = 0; i < d->n_files; i++)
		file_release(&d->files[i]);
	for (size_t i = 0; i < d->n_steps; i++)
		step_release(&d->steps[i]);
	for (size_t i = 0; i < d->n_reasons; i++) {
		free(d->reasons[i].reason);
		free(d->reasons[i].detail);
	}
	free(d->comps);
	free(d->files);
	free(d->rels);
	free(d->steps);
	free(d->reasons);
	strmap_release(&d->comp_idx);
	strmap_release(&d->file_idx);
	product_release(&d->product);
	free(d->name);
	free(d->version);
	free(d);
}

int sbom_doc_set_created(struct sbom_doc *d, int64_t fallback)
{
	int r = parse_epoch(getenv("SOURCE_DATE_EPOCH"), &d->created);

	if (r == 0)
		return 0;
	d->created = fallback;
	return r == -ENOENT ? 0 : r;
}

int sbom_doc_set_product(struct sbom_doc *d, const struct sbom_product *p)
{
	struct sbom_product n;
	int bad = 0;

	n.purl = dup(p->purl, &bad);
	n.cpe = dup(p->cpe, &bad);
	n.license_declared = dup(p->license_declared, &bad);
	n.supplier = dup(p->supplier, &bad);
	n.homepage = dup(p->homepage, &bad);
	n.download_location = dup(p->download_location, &bad);
	n.comment = dup(p->comment, &bad);
	if (bad) {
		product_release(&n);
		return -ENOMEM;
	}
	product_release(&d->product);
	d->product = n;
	return 0;
}

/* The identity of a component or file as one string (fields joined by 0x1f), new. */
static char *identity(const char *a, const char *b, const char *c, const char *e)
{
	char *s = NULL;

	if (asprintf(&s, "%s\x1f%s\x1f%s\x1f%s", a ? a : "\x1e", b ? b : "\x1e", c ? c : "\x1e",
		     e ? e : "\x1e") < 0)
		return NULL;
	return s;
}

/* The index stored for key in m, or -1. */
static int lookup(const struct strmap *m, const char *key)
{
	void *v = strmap_get(m, key);

	return v ? (int)((intptr_t)v - 1) : -1;
}

/* Remembers index i for key (which it frees).  0 or -ENOMEM. */
static int remember(struct strmap *m, char *key, size_t i)
{
	int r = strmap_put(m, key, (void *)(intptr_t)(i + 1));

	free(key);
	return r ? -ENOMEM : 0;
}

int sbom_add_component(struct sbom_doc *d, const struct sbom_component *c)
{
	struct sbom_component *n;
	char *key;
	int bad = 0, i;

	if (!c->name || !*c->name)
		return -EINVAL;
	key = identity(sbom_kind_name(c->kind), c->name, c->version, c->purl);
	if (!key)
		return -ENOMEM;
	if ((i = lookup(&d->comp_idx, key)) >= 0) {
		free(key);
		return i;
	}
	if (grow((void **)&d->comps, &d->cap_comps, d->n_comps, sizeof(*d->comps))) {
		free(key);
		return -ENOMEM;
	}
	n = &d->comps[d->n_comps];
	*n = *c;
	n->name = dup(c->name, &bad);
	n->version = dup(c->version, &bad);
	n->purl = dup(c->purl, &bad);
	n->cpe = dup(c->cpe, &bad);
	n->license_declared = dup(c->license_declared, &bad);
	n->license_concluded = dup(c->license_concluded, &bad);
	n->supplier = dup(c->supplier, &bad);
	n->download_location = dup(c->download_location, &bad);
	n->homepage = dup(c->homepage, &bad);
	n->identified_by = dup(c->identified_by, &bad);
	n->evidence = dupv(c->evidence, c->n_evidence, &bad);
	if (bad || remember(&d->comp_idx, key, d->n_comps)) {
		if (bad)
			free(key);
		comp_release(n);
		return -ENOMEM;
	}
	return (int)d->n_comps++;
}

int sbom_add_file(struct sbom_doc *d, const struct sbom_file *f)
{
	struct sbom_file *n;
	char *key;
	int bad = 0, i;

	if (!f->path || f->path[0] != '/' || !f->sha256 || !*f->sha256 || f->component < -1 ||
	    f->component >= (int)d->n_comps)
		return -EINVAL;
	key = identity(f->path, f->sha256, NULL, NULL);
	if (!key)
		return -ENOMEM;
	if ((i = lookup(&d->file_idx, key)) >= 0) {
		free(key);
		d->files[i].is_artifact = d->files[i].is_artifact || f->is_artifact;
		return i;
	}
	if (grow((void **)&d->files, &d->cap_files, d->n_files, sizeof(*d->files))) {
		free(key);
		return -ENOMEM;
	}
	n = &d->files[d->n_files];
	*n = *f;
	n->path = dup(f->path, &bad);
	n->sha1 = dup(f->sha1, &bad);
	n->sha256 = dup(f->sha256, &bad);
	n->gitoid_sha1 = dup(f->gitoid_sha1, &bad);
	n->gitoid_sha256 = dup(f->gitoid_sha256, &bad);
	n->licenses = dupv(f->licenses, f->n_licenses, &bad);
	if (bad || remember(&d->file_idx, key, d->n_files)) {
		if (bad)
			free(key);
		file_release(n);
		return -ENOMEM;
	}
	return (int)d->n_files++;
}

static bool node_ok(const struct sbom_doc *d, enum sbom_node k, int i)
{
	switch (k) {
	case SBOM_NODE_DOCUMENT:
	case SBOM_NODE_PRODUCT:
		return true;
	case SBOM_NODE_COMPONENT:
		return i >= 0 && (size_t)i < d->n_comps;
	case SBOM_NODE_FILE:
		return i >= 0 && (size_t)i < d->n_files;
	}
	return false;
}

int sbom_add_rel(struct sbom_doc *d, enum sbom_node from_kind, int from, enum sbom_node to_kind,
		 int to, enum sbom_rel_type type)
{
	struct sbom_rel *r;

	if (!node_ok(d, from_kind, from) || !node_ok(d, to_kind, to) ||
	    to_kind == SBOM_NODE_DOCUMENT || (unsigned)type > SBOM_REL_DESCRIBES ||
	    ((type == SBOM_REL_DESCRIBES) != (from_kind == SBOM_NODE_DOCUMENT)))
		return -EINVAL;
	if (grow((void **)&d->rels, &d->cap_rels, d->n_rels, sizeof(*d->rels)))
		return -ENOMEM;
	r = &d->rels[d->n_rels++];
	r->from_kind = from_kind;
	r->to_kind = to_kind;
	r->from = from_kind >= SBOM_NODE_COMPONENT ? from : 0;
	r->to = to_kind >= SBOM_NODE_COMPONENT ? to : 0;
	r->type = type;
	return 0;
}

static bool indexes_ok(const int *v, size_t n, size_t max)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0 || (size_t)v[i] >= max)
			return false;
	return true;
}

int sbom_add_step(struct sbom_doc *d, const struct sbom_step *s)
{
	struct sbom_step *n;
	struct sbom_kv *env = NULL;
	int bad = 0;

	if (!indexes_ok(s->inputs, s->n_inputs, d->n_files) ||
	    !indexes_ok(s->outputs, s->n_outputs, d->n_files) ||
	    !indexes_ok(s->tool_files, s->n_tool_files, d->n_files) ||
	    !indexes_ok(s->tool_components, s->n_tool_components, d->n_comps))
		return -EINVAL;
	if (grow((void **)&d->steps, &d->cap_steps, d->n_steps, sizeof(*d->steps)))
		return -ENOMEM;
	n = &d->steps[d->n_steps];
	*n = *s;
	n->kind = dup(s->kind, &bad);
	n->argv = dupv(s->argv, s->argc, &bad);
	n->cwd = dup(s->cwd, &bad);
	if (s->n_env) {
		env = calloc(s->n_env, sizeof(*env));
		bad |= !env;
		for (size_t i = 0; env && i < s->n_env; i++) {
			env[i].name = dup(s->env[i].name, &bad);
			env[i].value = dup(s->env[i].value, &bad);
		}
	}
	n->env = env;
	if (!env)
		n->n_env = 0;
	n->inputs = dupi(s->inputs, s->n_inputs, &bad);
	n->outputs = dupi(s->outputs, s->n_outputs, &bad);
	n->tool_files = dupi(s->tool_files, s->n_tool_files, &bad);
	n->tool_components = dupi(s->tool_components, s->n_tool_components, &bad);
	if (bad) {
		step_release(n);
		return -ENOMEM;
	}
	return (int)d->n_steps++;
}

int sbom_set_incomplete(struct sbom_doc *d, const char *reason, const char *detail)
{
	struct sbom_reason *r;
	int bad = 0;

	if (!reason || !*reason)
		return -EINVAL;
	if (grow((void **)&d->reasons, &d->cap_reasons, d->n_reasons, sizeof(*d->reasons)))
		return -ENOMEM;
	r = &d->reasons[d->n_reasons];
	r->reason = dup(reason, &bad);
	r->detail = dup(detail, &bad);
	if (bad) {
		free(r->reason);
		free(r->detail);
		return -ENOMEM;
	}
	d->n_reasons++;
	return 0;
}

bool sbom_doc_complete(const struct sbom_doc *d)
{
	return d->n_reasons == 0;
}

const char *sbom_rel_name(enum sbom_rel_type t)
{
	static const char *const names[] = {
		"GENERATED_FROM", "STATIC_LINK",	 "DYNAMIC_LINK", "CONTAINS",
		"BUILD_TOOL_OF",  "BUILD_DEPENDENCY_OF", "DEPENDS_ON",	 "DESCRIBES",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "OTHER";
}

const char *sbom_role_name(enum sbom_file_role r)
{
	static const char *const names[] = {
		"other", "source", "header", "object", "archive", "executable", "shared-library",
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "other";
}

const char *sbom_kind_name(enum sbom_comp_kind k)
{
	static const char *const names[] = {
		"generic", "deb", "rpm", "apk", "git", "npm", "project", "unresolved",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "generic";
}
