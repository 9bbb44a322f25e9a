/*
 * steps.h - grouping the process images of a build into tool invocations ("steps") and
 * classifying each step from what it read and wrote.  The rules are in docs/graph.md.
 */
#ifndef ASBUILT_STEPS_H
#define ASBUILT_STEPS_H

struct graph;

enum steps_kind {
	STEPS_OTHER,
	STEPS_COMPILE,
	STEPS_ASSEMBLE,
	STEPS_LINK,
	STEPS_ARCHIVE,
	STEPS_COPY,
	STEPS_STRIP,
	STEPS_CODEGEN,
	STEPS_PKGMGR,
	STEPS_DOWNLOAD,
};

/* What a file is, from its name and (when the name does not say) its first bytes. */
enum steps_fclass {
	STEPS_F_OTHER,
	STEPS_F_SOURCE,	 /* .c .cc .cpp .cxx .m .f90 .rs .go ... and .i */
	STEPS_F_HEADER,	 /* .h .hh .hpp .hxx .inc .def */
	STEPS_F_ASM,	 /* .s .S .asm */
	STEPS_F_OBJECT,	 /* ELF ET_REL or .o/.obj */
	STEPS_F_ARCHIVE, /* "!<arch>\n" or .a */
	STEPS_F_SHLIB,	 /* ELF ET_DYN that is not a PIE, or .so / .so.N */
	STEPS_F_EXEC,	 /* ELF ET_EXEC or PIE */
};

/* Static lowercase name of k: "compile", "link", ... "package-manager", "download". */
const char *steps_kind_name(enum steps_kind k);

/* The class of the file at path (an absolute path; read only when the name does not tell). */
enum steps_fclass steps_fclass(const char *path);

/* The class of version vi of g: steps_fclass of its path, found once per graph (the file is
 * opened at most once, however many steps use it). */
enum steps_fclass steps_vclass(const struct graph *g, int vi);

/* The basename of argv0/exe without a version suffix is a compiler driver (gcc, cc, g++,
 * clang, x86_64-linux-gnu-gcc-12, ...). */
int steps_is_driver(const char *exe);

/* Sets the role of every event of g and assigns every image to a step (or to none, for
 * orchestrators), filling g->s (procs, root).  Returns 0 or -ENOMEM. */
int steps_assign(struct graph *g);

/* Sets g->s[i].kind from the step's inputs, outputs and tools (needs in/out/tools). */
void steps_classify(struct graph *g);

#endif /* ASBUILT_STEPS_H */
