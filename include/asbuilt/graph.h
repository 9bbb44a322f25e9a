/*
 * graph.h - the artifact dependency graph of one recorded build (docs/graph.md).
 *
 * graph_load() reads the build's process images, file events and file versions, groups the
 * images into steps (steps.h), and links every version a step wrote to the versions it was
 * made from.  Nodes are file versions (index into g->v); a version's direct inputs are in
 * v->in (already expanded through the step's own intermediate files), the versions its
 * step executed that the build itself produced (a generator such as ./gen) in the step's
 * btools.  Everything is owned by the graph and freed by graph_free().
 */
#ifndef ASBUILT_GRAPH_H
#define ASBUILT_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "asbuilt/map.h"

struct store;

/* A growable array of int (indices).  Zero-initialised = empty; graph_ivec_release frees. */
struct graph_ivec {
	int *v;
	size_t n, cap;
};

/* Appends x.  Returns 0 or -ENOMEM. */
int graph_ivec_push(struct graph_ivec *a, int x);
/* Appends x unless it is there already (linear search: for short vectors). */
int graph_ivec_add(struct graph_ivec *a, int x);
void graph_ivec_release(struct graph_ivec *a);

/* What an event means to its step (set by steps_assign). */
enum graph_role {
	GRAPH_IGNORE, /* noise, failed, no version, directory, unlink, chdir */
	GRAPH_INPUT,  /* a file read that went into the step's outputs */
	GRAPH_TOOL,   /* the step's executables, interpreters, plugins, loader opens, specs */
	GRAPH_OUTPUT, /* a version written (open for write, truncate, rename/link target) */
};

struct graph_proc {
	int64_t id;
	int parent, prev; /* indices of the forking image / the image before exec, or -1 */
	char *exe;	  /* NULL for a fork image that only exec'd */
	char *argv;	  /* raw NUL-separated, argv_len bytes; NULL when unknown */
	size_t argv_len;
	char *cwd;
	int nchildren;
	int step;	      /* index into g->s, or -1 for orchestrators */
	struct graph_ivec ev; /* its events (indices into g->e), in order */
};

struct graph_event {
	int64_t id;
	int proc;	/* index into g->p, or -1 */
	char op;	/* 'o'pen 'r'ename 'l'ink 's'ymlink 'u'nlink 't'runcate 'c'hdir
			 * 'd'lopen 'e'xec 'i'nterp */
	char access;	/* 'r' 'w' 'n' */
	int noise;	/* 1 when file_events.noise is set */
	int64_t flags, result;
	int version;	/* index into g->v, or -1 */
	int src;	/* rename/link: the version of the source path it moved, or -1 */
	char *path;	/* rename/link/unlink only: the (source) path; else NULL */
	int role;	/* enum graph_role */
};

/* Version flags. */
#define GRAPH_V_WRITTEN 0x01  /* the build wrote it (origin written/renamed/linked) */
#define GRAPH_V_TEMP 0x02     /* a temporary: vanished, or its path was removed later */
#define GRAPH_V_PROBE 0x04    /* a configure / CMake try-compile probe file */
#define GRAPH_V_CONSUMED 0x08 /* read by another step, or executed by the build */
#define GRAPH_V_DIR 0x10      /* state 'dir' */

struct graph_version {
	int64_t id, vseq;
	char *path;
	char *sha256; /* NULL when state is not 'ok' */
	char state[12];
	unsigned flags;
	int prev_same;	      /* the previous version of the same path, or -1 */
	int step;	      /* the step that wrote it, or -1 */
	int first_ev;	      /* the first event that names it, or -1 */
	struct graph_ivec in; /* direct inputs (version indices), distinct */
};

struct graph_step {
	int root;		  /* index of the root image */
	int kind;		  /* enum steps_kind (steps.h) */
	struct graph_ivec procs;  /* its images */
	struct graph_ivec in;	  /* versions read that the step did not write itself */
	struct graph_ivec out;	  /* versions written */
	struct graph_ivec tools;  /* versions executed / loaded / used as tool config */
	struct graph_ivec btools; /* tools the build produced (followed by graph_closure) */
};

struct graph {
	int64_t build_id;
	char *cwd, *state;
	struct graph_proc *p;
	size_t np;
	struct graph_event *e;
	size_t ne;
	struct graph_version *v;
	size_t nv;
	struct graph_step *s;
	size_t ns;
	struct strmap last; /* path -> (int)index+1 of its newest version */
	unsigned char *fclass; /* per version: 1 + its class once asked (steps_vclass), 0
				  before */
};

/* Loads build_id of st and builds its graph into a new *out (free with graph_free).
 * Returns 0, -ENOENT when the build does not exist, -EIO on a database error, -ENOMEM. */
int graph_load(struct store *st, int64_t build_id, struct graph **out);

/* Frees g; accepts NULL. */
void graph_free(struct graph *g);

/* The index of the newest version of path (an absolute real path) in g, or -1. */
int graph_latest(const struct graph *g, const char *path);

/* The direct inputs of version vi as the step that wrote it saw them, with temporaries
 * (from earlier steps too) replaced by their own inputs.  Appends to *out (distinct).
 * Returns 0 or -ENOMEM. */
int graph_direct(const struct graph *g, int vi, struct graph_ivec *out);

/* Everything that went into vi, transitively: inputs, their inputs, and the tools the build
 * produced and ran to make them; temporaries and probes left out, vi itself left out.
 * Appends to *out (distinct).  Returns 0 or -ENOMEM. */
int graph_closure(const struct graph *g, int vi, struct graph_ivec *out);

/* The step argv joined with spaces, as a new string you own (free it), or NULL. */
char *graph_step_cmdline(const struct graph *g, int step);

/* Sorts version indices by path, then vseq. */
void graph_sort_by_path(const struct graph *g, struct graph_ivec *a);

#endif /* ASBUILT_GRAPH_H */
