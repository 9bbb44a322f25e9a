/*
 * vex.c - the verdict of one binary for one vulnerability (vex.h): which components of its
 * symbols report the vulnerability's component patterns name, and per vulnerable symbol
 * what the archive members and libraries of those components show.  The writers are in
 * vex_write.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asbuilt/sbuf.h"
#include "asbuilt/symbols.h"
#include "asbuilt/vex.h"

/* --- vocabularies --------------------------------------------------------------------- */

const char *vex_status_openvex(enum vex_status s)
{
	return s == VEX_AFFECTED	      ? "affected"
	       : s == VEX_UNDER_INVESTIGATION ? "under_investigation"
					      : "not_affected";
}

const char *vex_status_cyclonedx(enum vex_status s)
{
	return s == VEX_AFFECTED	      ? "exploitable"
	       : s == VEX_UNDER_INVESTIGATION ? "in_triage"
					      : "not_affected";
}

const char *vex_justification_openvex(enum vex_justification j)
{
	switch (j) {
	case VEX_J_COMPONENT_NOT_PRESENT:
		return "component_not_present";
	case VEX_J_CODE_NOT_PRESENT:
		return "vulnerable_code_not_present";
	case VEX_J_NOT_IN_EXECUTE_PATH:
		return "vulnerable_code_not_in_execute_path";
	default:
		return NULL;
	}
}

const char *vex_justification_cyclonedx(enum vex_justification j)
{
	switch (j) {
	case VEX_J_COMPONENT_NOT_PRESENT:
	case VEX_J_CODE_NOT_PRESENT:
		return "code_not_present";
	case VEX_J_NOT_IN_EXECUTE_PATH:
		return "code_not_reachable";
	default:
		return NULL;
	}
}

/* --- combining findings --------------------------------------------------------------- */

/* How little a finding claims: the larger, the more it wins when findings combine. */
static int rank(enum vex_status s, enum vex_justification j)
{
	if (s != VEX_NOT_AFFECTED)
		return s == VEX_AFFECTED ? 5 : 4;
	return j == VEX_J_NOT_IN_EXECUTE_PATH ? 3 : j == VEX_J_CODE_NOT_PRESENT ? 2 : 1;
}

/* The state of one symbol's assessment. */
struct judge {
	const struct symbols_report *r;
	const char *cmask; /* per component of r: 1 when a pattern names it */
	const char *sym;
	int strict;
	int set; /* a finding was made */
	enum vex_status status;
	enum vex_justification just;
	int known;
	struct sb ev;
};

/* Records a finding with its evidence sentence (the pieces a, b, ... concatenated). */
static void find(struct judge *J, enum vex_status s, enum vex_justification j,
		 const char *const *parts)
{
	if (!J->set || rank(s, j) > rank(J->status, J->just)) {
		J->status = s;
		J->just = s == VEX_NOT_AFFECTED ? j : VEX_J_NONE;
	}
	J->set = 1;
	if (J->ev.len)
		sb_puts(&J->ev, " ");
	for (size_t i = 0; parts[i]; i++)
		sb_puts(&J->ev, parts[i]);
	sb_puts(&J->ev, ".");
}

#define FIND(J, s, j, ...) find((J), (s), (j), (const char *const[]){ __VA_ARGS__, NULL })

static const char *purl_of(const struct symbols_report *r, int comp)
{
	const struct symbols_component *c = &r->comps[comp];

	return c->purl ? c->purl : c->name ? c->name : c->kind;
}

/* --- the static part: archive members and objects --------------------------------------- */

/* The name of a pulled member or linked object whose relocations name sym, or NULL. */
static const char *relref_by(const struct judge *J)
{
	const struct symbols_report *r = J->r;

	for (size_t i = 0; i < r->n_archives; i++)
		for (size_t k = 0; k < r->archives[i].n_members; k++)
			if (symbols_names_has(&r->archives[i].members[k].relrefs, J->sym))
				return r->archives[i].members[k].name;
	for (size_t i = 0; i < r->n_objects; i++)
		if (symbols_names_has(&r->objects[i].m.relrefs, J->sym))
			return r->objects[i].m.name;
	return NULL;
}

/* sym is defined (fn; NULL when only the link's references say so) by m, which is what
 * (a pulled member or a linked object: how the link took it) of component comp. */
static void judge_def(struct judge *J, const char *what, const char *how,
		      const struct symbols_member *m, const struct symbols_func *fn, int comp)
{
	const char *s = J->sym, *by;
	char *w = NULL;

	if (asprintf(&w, "%s is %s %s (%s), which the link %s", s,
		     fn && fn->local ? "a static function of" : "defined by", what,
		     purl_of(J->r, comp), how) < 0) {
		J->ev.oom = 1;
		return;
	}
	if (fn && J->r->have_symtab && !symbols_names_has(&J->r->funcs, s))
		FIND(J, VEX_NOT_AFFECTED, VEX_J_CODE_NOT_PRESENT, w,
		     ", but the binary's symbol table does not hold it: the linker dropped it");
	else if (symbols_names_has(&m->referenced, s))
		FIND(J, VEX_AFFECTED, VEX_J_NONE, w, "; the link references it");
	else if ((by = relref_by(J)) != NULL)
		FIND(J, VEX_AFFECTED, VEX_J_NONE, w, "; a relocation of ", by, " refers to it");
	else if (fn && fn->local)
		FIND(J, VEX_UNDER_INVESTIGATION, VEX_J_NONE, w, "; calls to it from within ",
		     m->name, " leave no relocation, so whether it runs cannot be seen");
	else
		FIND(J, VEX_NOT_AFFECTED, VEX_J_NOT_IN_EXECUTE_PATH, w,
		     ", but nothing references it: neither the link's inputs nor a relocation "
		     "of what was linked");
	free(w);
}

/* Judges the component's pulled members that define sym; sets *archives when the component
 * has any, *unread when one of them could not be read, *elsewhere when a member the link
 * did not pull defines it.  Returns whether one defines it. */
static int judge_members(struct judge *J, int *archives, int *unread, int *elsewhere)
{
	const struct symbols_report *r = J->r;
	int found = 0;

	for (size_t i = 0; i < r->n_archives; i++) {
		const struct symbols_archive *a = &r->archives[i];

		if (a->component < 0 || !J->cmask[a->component])
			continue;
		*archives = 1;
		*unread |= !a->read;
		*elsewhere |= symbols_names_has(&a->all_funcs, J->sym);
		for (size_t k = 0; k < a->n_members; k++) {
			const struct symbols_member *m = &a->members[k];
			const struct symbols_func *fn = symbols_member_func(m, J->sym);
			char *what = NULL;

			if (!fn && !symbols_names_has(&m->referenced, J->sym))
				continue;
			found = 1;
			if (asprintf(&what, "member %s of %s", m->name, a->path) < 0)
				J->ev.oom = 1;
			else
				judge_def(J, what, "pulled in", m, fn, a->component);
			free(what);
		}
	}
	return found;
}

/* The same for the component's objects the link read whole. */
static int judge_objects(struct judge *J, int *objects, int *unread)
{
	const struct symbols_report *r = J->r;
	int found = 0;

	for (size_t i = 0; i < r->n_objects; i++) {
		const struct symbols_object *o = &r->objects[i];
		const struct symbols_func *fn;
		char *what = NULL;

		if (o->component < 0 || !J->cmask[o->component])
			continue;
		*objects = 1;
		*unread |= !o->read;
		if (!(fn = symbols_member_func(&o->m, J->sym)))
			continue;
		found = 1;
		if (asprintf(&what, "object %s", o->path) < 0)
			J->ev.oom = 1;
		else
			judge_def(J, what, "read whole", &o->m, fn, o->component);
		free(what);
	}
	return found;
}

/* The static part of sym: the component's members the link pulled and objects it read. */
static void judge_static(struct judge *J)
{
	const struct symbols_report *r = J->r;
	int linked = 0, unread = 0, elsewhere = 0, found;
	int gone = r->have_symtab && !symbols_names_has(&r->funcs, J->sym);

	found = judge_members(J, &linked, &unread, &elsewhere);
	found |= judge_objects(J, &linked, &unread);
	J->known |= found || elsewhere;
	if (!linked || found)
		return;
	if (unread && !gone)
		FIND(J, VEX_UNDER_INVESTIGATION, VEX_J_NONE,
		     "an archive or object of the component changed since the build, so which "
		     "functions it defines cannot be read, and ",
		     J->sym, " is not among the symbols the link referenced");
	else
		FIND(J, VEX_NOT_AFFECTED, VEX_J_CODE_NOT_PRESENT,
		     "no member the link pulled in and no object it read of the component "
		     "defines ",
		     J->sym, elsewhere ? " (a member the link did not pull in does)" : "",
		     gone ? "; the binary's symbol table does not hold it" : "");
}

/* --- the dynamic part: libraries ---------------------------------------------------------- */

static int imports(const struct symbols_library *l, const char *sym)
{
	for (size_t i = 0; i < l->n_imports; i++)
		if (!strcmp(l->imports[i].name, sym))
			return 1;
	return 0;
}

/* Another library the binary loads that imports sym, or NULL. */
static const struct symbols_library *importer(const struct judge *J,
					      const struct symbols_library *l)
{
	for (size_t i = 0; i < J->r->n_libs; i++)
		if (&J->r->libs[i] != l && symbols_names_has(&J->r->libs[i].wants, J->sym))
			return &J->r->libs[i];
	return NULL;
}

/* Whether l reaches its own exported symbols through its symbol table (the PLT/GOT), as a
 * library built with -fPIC and default semantic interposition does: at least one in ten
 * of its exports is named by its own dynamic relocations.  Libraries that call their own
 * functions through hidden aliases (glibc, elfutils) or bind symbolically stay below. */
static int binds_via_plt(const struct symbols_library *l)
{
	return !l->symbolic && l->self_refs && l->self_refs * 10 >= l->exports.n;
}

/* Why sym (which l exports) may run inside l although nobody imports it, or NULL. */
static const char *hidden_use(const struct judge *J, const struct symbols_library *l)
{
	if (symbols_names_has(&l->relrefs, J->sym))
		return " refers to it through its own dynamic relocations (PLT/GOT), so the "
		       "functions the binary imports from it may call it";
	if (symbols_names_has(&l->protect, J->sym) || l->symbolic)
		return " binds its own references to it directly (protected visibility or "
		       "DT_SYMBOLIC), so internal calls cannot be seen";
	if (!binds_via_plt(l))
		return " calls its own functions directly (few of its exports are named by its "
		       "own relocations: hidden aliases), so internal calls to it cannot be seen";
	if (J->strict)
		return " is loaded and exports it (--strict: calls inside a library are not "
		       "analysed)";
	return NULL;
}

/* l (of the component) exports sym. */
static void judge_library(struct judge *J, const struct symbols_library *l)
{
	const char *pu = purl_of(J->r, l->component), *why;
	const struct symbols_library *k;

	if (l->loader < 0 && imports(l, J->sym))
		FIND(J, VEX_AFFECTED, VEX_J_NONE, "the binary imports ", J->sym, " from ",
		     l->needed, " (", l->path, ", ", pu, ")");
	else if ((k = importer(J, l)) != NULL)
		FIND(J, VEX_AFFECTED, VEX_J_NONE, k->needed, ", which the binary loads, imports ",
		     J->sym, ", and ", l->needed, " (", l->path, ", ", pu, ") exports it");
	else if ((why = hidden_use(J, l)) != NULL)
		FIND(J, VEX_UNDER_INVESTIGATION, VEX_J_NONE, "the binary loads ", l->needed, " (",
		     l->path, ", ", pu, ") and does not import ", J->sym, ", but ", l->needed, why);
	else
		FIND(J, VEX_NOT_AFFECTED, VEX_J_NOT_IN_EXECUTE_PATH, "the binary loads ", l->needed,
		     " (", l->path, ", ", pu, "), which exports ", J->sym,
		     ", but neither the binary nor a library it loads imports it, and ", l->needed,
		     " names it in no relocation of its own although it reaches its own "
		     "functions through them");
}

static int in_component(const struct judge *J, int comp)
{
	return comp >= 0 && J->cmask[comp];
}

/* The dynamic part of sym: the component's libraries the binary loads.  Those that export
 * sym are judged; when none does, sym may be internal to one of them. */
static void judge_dynamic(struct judge *J)
{
	const struct symbols_report *r = J->r;
	int libs = 0, unread = 0, exported = 0;

	for (size_t i = 0; i < r->n_libs; i++) {
		const struct symbols_library *l = &r->libs[i];

		if (!in_component(J, l->component))
			continue;
		libs = 1;
		unread |= !l->read;
		if (l->read && symbols_names_has(&l->exports, J->sym)) {
			exported = J->known = 1;
			judge_library(J, l);
		}
	}
	if (!libs || exported)
		return;
	if (unread)
		FIND(J, VEX_UNDER_INVESTIGATION, VEX_J_NONE,
		     "a library of the component that the binary loads could not be read as it "
		     "was at build time, so whether it holds ",
		     J->sym, " cannot be seen");
	else
		FIND(J, VEX_UNDER_INVESTIGATION, VEX_J_NONE,
		     "no library of the component that the binary loads exports ", J->sym,
		     ": if it is an internal function of one of them, calls to it cannot be "
		     "seen");
}

/* --- the verdict ------------------------------------------------------------------------ */

static int judge_symbol(struct judge *J, const char *sym, int present, struct vex_finding *f)
{
	J->sym = sym;
	J->set = J->known = 0;
	memset(&J->ev, 0, sizeof(J->ev));
	if (present) {
		judge_static(J);
		judge_dynamic(J);
	} else {
		FIND(J, VEX_NOT_AFFECTED, VEX_J_COMPONENT_NOT_PRESENT,
		     "no library the binary loads, no archive member its link pulled in and no "
		     "object it read belongs to the component");
	}
	f->status = J->status;
	f->justification = J->just;
	f->known = J->known;
	f->symbol = strdup(sym);
	f->evidence = sb_done(&J->ev);
	return f->symbol && f->evidence ? 0 : -ENOMEM;
}

/* Marks the components of r that a pattern names; sets *present when one of them is
 * linked in or loaded, and lists their purls in v. */
static int match_components(const struct symbols_report *r, const struct symbols_purl *pats,
			    size_t npats, char *cmask, struct vex_verdict *v)
{
	for (size_t c = 0; c < r->n_comps; c++)
		for (size_t p = 0; p < npats && !cmask[c]; p++)
			cmask[c] = (char)symbols_purl_match(&pats[p], r->comps[c].purl);
	for (size_t c = 0; c < r->n_comps; c++) {
		char **s;

		if (!cmask[c])
			continue;
		v->present = 1;
		if (!(s = realloc(v->subcomponents, (v->n_subcomponents + 1) * sizeof(*s))))
			return -ENOMEM;
		v->subcomponents = s;
		if (!(s[v->n_subcomponents] = strdup(r->comps[c].purl)))
			return -ENOMEM;
		v->n_subcomponents++;
	}
	return 0;
}

static void combine(struct vex_verdict *v)
{
	v->status = VEX_NOT_AFFECTED;
	v->justification = v->n_findings ? v->findings[0].justification : VEX_J_NONE;
	for (size_t i = 0; i < v->n_findings; i++) {
		const struct vex_finding *f = &v->findings[i];

		if (rank(f->status, f->justification) > rank(v->status, v->justification)) {
			v->status = f->status;
			v->justification = f->justification;
		}
	}
	if (v->status != VEX_NOT_AFFECTED)
		v->justification = VEX_J_NONE;
}

int vex_assess(const struct symbols_report *r, const struct symbols_purl *pats, size_t npats,
	       const char *const *syms, size_t nsyms, int strict, struct vex_verdict *out)
{
	struct judge J = { .r = r, .strict = strict };
	char *cmask = calloc(r->n_comps + 1, 1);
	int rc = cmask ? 0 : -ENOMEM;

	memset(out, 0, sizeof(*out));
	J.cmask = cmask;
	if (!rc)
		rc = match_components(r, pats, npats, cmask, out);
	if (!rc && !(out->findings = calloc(nsyms + 1, sizeof(*out->findings))))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < nsyms; i++) {
		rc = judge_symbol(&J, syms[i], out->present, &out->findings[i]);
		out->n_findings = i + 1;
	}
	free(cmask);
	if (rc) {
		vex_verdict_release(out);
		return rc;
	}
	combine(out);
	return 0;
}

void vex_verdict_release(struct vex_verdict *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_findings; i++) {
		free(v->findings[i].symbol);
		free(v->findings[i].evidence);
	}
	for (size_t i = 0; i < v->n_subcomponents; i++)
		free(v->subcomponents[i]);
	free(v->findings);
	free(v->subcomponents);
	memset(v, 0, sizeof(*v));
}
