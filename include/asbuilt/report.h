/*
 * report.h - the artifact graph of a recorded build drawn for people: a Graphviz file or one
 * self-contained HTML page (asbuilt graph; docs/graph-report.md says what is drawn).
 *
 * The report is made from the as-built document of the build (build_doc.h, with every
 * source file listed), so the graph shows what the SBOM says.  To stay readable on a real
 * build, files are grouped by component:
 *   - a STEP node per tool invocation that wrote a file of the document;
 *   - a FILE node per build output (artifacts and intermediates: objects, archives,
 *     generated headers, the build's own tools), per file of the project, of a git work
 *     tree or of a vendored tree, and per input no component explains (unresolved);
 *   - a COMPONENT node per package (deb, rpm, apk, npm, downloads, ...): its files
 *     (system headers, libraries, the tools' executables) are folded into it, with their
 *     count.  Project, git and unresolved files are shown one by one, grouped in a cluster
 *     per component.
 * Edges run from what was used to what was made: input -> step ("compiled from",
 * "linked", "static link", "dynamic link", "archived", "generated from", "copied from",
 * "stripped from", "input"), tool -> step ("tool"), step -> output ("output"), and a
 * run-time library -> the binary that loads it ("dynamic link") when no step says so.
 * There is one edge per pair of nodes; a component used several ways by one step (crt
 * objects linked, libc_nonshared.a linked statically) has all of them on its edge.
 *
 * Everything is sorted (components by name, version, purl; files by path; steps by their
 * first output), so the same record gives the same bytes.  All strings are display text
 * (report_esc_text) owned by the report; report_free frees them.
 */
#ifndef ASBUILT_REPORT_H
#define ASBUILT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sbom_doc;
struct store;
struct graph;
struct graph_ivec;

enum report_ntype {
	REPORT_COMPONENT,
	REPORT_FILE,
	REPORT_STEP,
};

/* A file behind a node: a file node's own file, or one folded into a component node. */
struct report_file {
	char *path;
	char *sha256; /* lowercase hex */
};

struct report_node {
	enum report_ntype type;
	char *label;	  /* short: a basename, "name version", "compile: cc" */
	char *detail;	  /* long: the path, the command line, the purl (may be NULL) */
	const char *kind; /* static: "executable", "header", ... (file), "compile", "link",
			   * ... (step), "deb", "project", ... (component) */
	int comp;	  /* index into r->comps: the component the file belongs to, or the one
			   * a component node shows; -1 for steps, build outputs and unresolved
			   * files */
	unsigned artifact : 1; /* a file node that is a final output of the build */
	unsigned written : 1;  /* a file node that a step of the build wrote */
	char *cwd;	       /* steps: the directory the command ran in (may be NULL) */
	struct report_file *files; /* files: the one file; components: the folded files,
				    * sorted by path */
	size_t n_files;
	int layer, rank; /* layout: column (0 = leftmost) and row within it (report_layout) */
};

/* How the "from" end of an edge went into the "to" end (bits, in the order labels list
 * them). */
enum report_use {
	REPORT_COMPILED = 1 << 0,  /* "compiled from": an input of a compile or assemble step */
	REPORT_LINKED = 1 << 1,	   /* "linked": an object (or other input) of a link */
	REPORT_STATIC = 1 << 2,	   /* "static link": an archive a link read */
	REPORT_DYNAMIC = 1 << 3,   /* "dynamic link": a shared library a link read, or one a
				    * binary loads at run time (DT_NEEDED) */
	REPORT_ARCHIVED = 1 << 4,  /* "archived": a member put into an archive */
	REPORT_GENERATED = 1 << 5, /* "generated from": an input of a code generator */
	REPORT_COPIED = 1 << 6,	   /* "copied from" */
	REPORT_STRIPPED = 1 << 7,  /* "stripped from" */
	REPORT_INPUT = 1 << 8,	   /* "input": of any other step */
	REPORT_TOOL = 1 << 9,	   /* "tool": an executable the step ran */
	REPORT_OUTPUT = 1 << 10,   /* "output": a file the step wrote */
};

struct report_edge {
	int from, to;  /* node indices */
	unsigned uses; /* enum report_use bits, at least one */
};

/* The label of an edge: the names of the bits of uses, joined by ", " ("linked, static
 * link"), into buf (truncated to size; 192 bytes always suffice). */
void report_edge_label(unsigned uses, char *buf, size_t size);

/* A component of the document. */
struct report_comp {
	char *name, *version, *purl;
	char *license;	  /* declared, else concluded; NULL when neither is known */
	const char *kind; /* static: "deb", "git", "project", ... */
	size_t n_files;	  /* files of the document that belong to it */
	int node;	  /* its component node, or -1 when its files are shown one by one */
	unsigned uses;	  /* enum report_use bits of the edges leaving its nodes: REPORT_TOOL
			   * alone for a package that only provided the build's tools */
};

struct report {
	char *title; /* the product's name */
	char *cwd;   /* the build's directory, may be NULL */
	int64_t build_id;
	struct report_node *nodes;
	size_t n_nodes;
	struct report_edge *edges; /* sorted by from, to; one per pair */
	size_t n_edges;
	struct report_comp *comps; /* sorted by name, version, purl */
	size_t n_comps;
	char **incomplete; /* why the record is incomplete, one reason each; empty: complete */
	size_t n_incomplete;
	size_t n_unresolved; /* inputs no component explains */
};

/*
 * Builds the report of document d (the files, components, steps and relationships of an
 * as-built document; see sbom.h) into a new *out, laid out (report_layout).  g, when not
 * NULL, is the graph d was made from: a file of d that no step of d wrote but that the
 * build wrote (a header cmake's configure_file wrote: cmake is no step) is then drawn as a
 * build output, not as an unresolved input.  The build's id and directory come from g
 * (0 and none without it).  Returns 0 or -ENOMEM (*out NULL).
 */
int report_from_doc(const struct sbom_doc *d, const struct graph *g, struct report **out);

/*
 * The report of the artifacts arts (version indices of g, the graph of build g->build_id of
 * st): makes the build's as-built document with every source listed (build_doc_make; the
 * components' resolution cache of st is used and filled) and calls report_from_doc.
 * warn, when not NULL, is called with each warning (a package database that failed to
 * load, ...).  Returns 0, -EINVAL (arts empty, or SOURCE_DATE_EPOCH not a number),
 * -EIO (store_errmsg says which), -ENOMEM.  Free *out with report_free.
 */
int report_make(struct store *st, struct graph *g, const struct graph_ivec *arts,
		void (*warn)(void *ctx, const char *msg), void *warn_ctx, struct report **out);

/* Frees r; accepts NULL. */
void report_free(struct report *r);

/*
 * Sets every node's layer and rank: a layered left-to-right layout.  A node's layer is one
 * more than the highest layer of what it was made from (cycles, which folding files into a
 * component can make, are broken at the edge that closes them), a node that was made from
 * nothing sits just left of its first user; ranks order each layer to keep edges short
 * (barycentre sweeps).  Deterministic.  Returns 0 or -ENOMEM.
 */
int report_layout(struct report *r);

/* Writes r as a Graphviz digraph: clusters per component, edge labels.  0, -ENOMEM, -EIO. */
int report_write_dot(const struct report *r, FILE *out);

/* Writes r as one self-contained HTML page (inline CSS, JS and data; no network): the
 * graph as SVG with search, node details, and the component table.  0, -ENOMEM, -EIO. */
int report_write_html(const struct report *r, FILE *out);

#endif /* ASBUILT_REPORT_H */
