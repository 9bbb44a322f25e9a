# asbuilt - record a build, write an as-built SBOM.
# Targets: all check bench fmt install clean.  Quiet by default; V=1 shows commands.

PREFIX  ?= /usr/local
DESTDIR ?=
B       := build

# A build directory belongs to one source tree.  make rebuilds an object only when its
# source is newer, and a checkout gives sources older times than objects compiled from
# another worktree into the same B=, which would then be linked in silently.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
B_SRC := $(shell mkdir -p $(B) && { cat $(B)/.source 2>/dev/null || echo $(CURDIR) | tee $(B)/.source; })
ifneq ($(B_SRC),$(CURDIR))
$(error $(B) holds a build of $(B_SRC), not of $(CURDIR): use another B= or make clean B=$(B))
endif
endif

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
DEPS_PC := sqlite3 libcrypto libcjson libelf libdw libgit2 rpm
# one pkg-config call per library: a missing one loses only its own flags (and the link
# error then names it), not everyone's
PC_CFLAGS := $(foreach m,$(DEPS_PC),$(shell pkg-config --cflags $(m) 2>/dev/null))
PC_LIBS   := $(foreach m,$(DEPS_PC),$(shell pkg-config --libs $(m) 2>/dev/null))
ALL_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -I$(B)/gen $(PC_CFLAGS) -MMD -MP
LDLIBS  := $(PC_LIBS) -lpthread

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

# --- eBPF backend: built when clang, bpftool and libbpf are all there -------------------
HAVE_BPF := $(shell $(CLANG) --version >/dev/null 2>&1 && test -x "$(BPFTOOL)" && \
              pkg-config --exists libbpf && test -r /sys/kernel/btf/vmlinux && echo 1)
ifeq ($(HAVE_BPF),1)
ALL_CFLAGS += -DASBUILT_HAVE_EBPF=1 $(shell pkg-config --cflags libbpf)
LDLIBS     += $(shell pkg-config --libs libbpf)
BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_SKELS  := $(patsubst bpf/%.bpf.c,$(B)/gen/%.skel.h,$(BPF_SRCS))
BPF_GEN    := $(BPF_SKELS) $(patsubst bpf/%.bpf.c,$(B)/gen/%.minbtf.h,$(BPF_SRCS))
else
BPF_SKELS  :=
BPF_GEN    :=
endif

# --- sources -------------------------------------------------------------------------
LIB_SRCS  := $(filter-out src/cli/%,$(shell find src -name '*.c' 2>/dev/null | sort))
CLI_SRCS  := $(sort $(wildcard src/cli/*.c))
WRAP_SRCS := $(sort $(wildcard wrappers/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
CLI_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(CLI_SRCS))
WRAP_OBJS := $(patsubst %.c,$(B)/pic/%.o,$(WRAP_SRCS))
TEST_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(TEST_SRCS))

ASBUILT   := $(B)/bin/asbuilt
PRELOAD   := $(B)/lib/asbuilt/libasbuilt-preload.so
LIBA      := $(B)/libasbuilt.a

.SECONDARY: $(BPF_GEN) $(patsubst %.skel.h,%.bpf.o,$(BPF_SKELS)) $(B)/gen/vmlinux.h
.PHONY: all check check-unit check-e2e bench fmt install clean deps
all: $(ASBUILT) $(PRELOAD)

$(B)/obj/%.o: %.c | $(BPF_GEN)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(ASBUILT): $(CLI_OBJS) $(LIBA)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(LIBA) $(LDLIBS)

# The interposer: libc and libdl only, no -MMD deps on project libs.  Linked into two LOAD
# segments (-z noseparate-code: two page faults fewer in every traced process) with every
# symbol bound at load (-z now: no lazy resolution later, e.g. in a vfork child); its calls to
# its own hooks (syscall() handing a call by number to open, rename, ...) bound at link time
# (-Bsymbolic-functions: 23 fewer symbol lookups in the loader of every traced process).
WRAP_CFLAGS := -O2 -g -fPIC -fvisibility=hidden $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude \
               -fno-stack-protector -MMD -MP
$(B)/pic/%.o: %.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(WRAP_CFLAGS) -c -o $@ $<

$(PRELOAD): $(WRAP_OBJS) wrappers/exports.map Makefile
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -shared -o $@ $(WRAP_OBJS) -Wl,-z,defs -Wl,--version-script=wrappers/exports.map \
		-Wl,-z,noseparate-code -Wl,-z,now -Wl,-Bsymbolic-functions -ldl

# --- BPF -----------------------------------------------------------------------------
$(B)/gen/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D) && $(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(B)/gen/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(B)/gen/vmlinux.h include/asbuilt/event.h
	$(call msg,BPF,$<)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_x86 -I$(B)/gen -Iinclude -Ibpf -c $< -o $@

$(B)/gen/%.skel.h: $(B)/gen/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# The types the object's CO-RE relocations need, cut from this kernel's BTF (ebpf.c uses
# them only on the kernel they came from).
$(B)/gen/%.minbtf.h: $(B)/gen/%.bpf.o scripts/gen-minbtf.sh
	$(call msg,BTF,$@)
	$(Q)BPFTOOL=$(BPFTOOL) sh scripts/gen-minbtf.sh $< $@

# --- tests ---------------------------------------------------------------------------
$(B)/tests/%: tests/unit/%.c $(LIBA)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LDLIBS) -lcriterion

# bench/synth.c is built with the tests, so that a change of the library it uses cannot
# break `make bench` unnoticed (the benchmarks themselves are not part of check); so is
# bench/spawnloop.c and bench/sysloop.c, which bench/perproc.sh and bench/bpfcost.sh compile
# for themselves.
BENCH_BINS := $(B)/bench/synth $(B)/bench/spawnloop $(B)/bench/sysloop
$(B)/bench/synth: bench/synth.c $(LIBA)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -o $@ $< $(LIBA) $(LDLIBS)
$(B)/bench/spawnloop: bench/spawnloop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -o $@ $<
$(B)/bench/sysloop: bench/sysloop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(ALL_CFLAGS) -o $@ $<

# check: unit tests, end-to-end tests, then the real-world suite (needs root for apt; on a
# machine where we are not root it is skipped with a note, except under CI=true).
check: all $(TEST_BINS) $(BENCH_BINS)
	$(Q)bash tests/run-unit.sh $(TEST_BINS)
	$(Q)ASBUILT_BIN=$(abspath $(ASBUILT)) bash tests/e2e/run.sh
	$(Q)if [ "$$(id -u)" = 0 ] || [ "$${CI:-}" = true ]; then $(MAKE) --no-print-directory check-realworld; \
	else echo "check: tests/realworld skipped: it needs root for apt-get source and build-dep (make check-realworld as root)"; fi

check-unit: all $(TEST_BINS) $(BENCH_BINS)
	$(Q)bash tests/run-unit.sh $(TEST_BINS)

check-e2e: all
	$(Q)ASBUILT_BIN=$(abspath $(ASBUILT)) bash tests/e2e/run.sh

bench: all
	$(Q)ASBUILT=$(abspath $(ASBUILT)) BENCH_OUT=$(abspath $(B))/bench bash bench/run.sh
	$(Q)ASBUILT=$(abspath $(ASBUILT)) BENCH_OUT=$(abspath $(B))/bench bash bench/perproc.sh
	$(Q)ASBUILT=$(abspath $(ASBUILT)) BENCH_OUT=$(abspath $(B))/bench bash bench/bpfcost.sh
	$(Q)ASBUILT=$(abspath $(ASBUILT)) BENCH_OUT=$(abspath $(B))/bench bash bench/graph.sh
	$(Q)ASBUILT=$(abspath $(ASBUILT)) BENCH_OUT=$(abspath $(B))/bench bash bench/sbom.sh

# tests/realworld: real Debian source packages built under record, accuracy measured
# (docs/accuracy.md).  Needs root once for apt (deb-src, build-dep); takes minutes.
.PHONY: check-realworld
check-realworld: all $(LIBA)
	$(Q)mkdir -p $(B)/tests && $(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude \
		-o $(B)/tests/rw-directdeps tests/realworld/directdeps.c $(LIBA) $(LDLIBS)
	$(Q)ASBUILT=$(abspath $(ASBUILT)) DIRECTDEPS=$(abspath $(B))/tests/rw-directdeps \
		REALWORLD_OUT=$(abspath $(B))/realworld bash tests/realworld/run.sh

deps:
	$(Q)bash scripts/install-deps.sh

fmt:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/asbuilt $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(ASBUILT) $(DESTDIR)$(PREFIX)/bin/asbuilt
	install -m 644 $(PRELOAD) $(DESTDIR)$(PREFIX)/lib/asbuilt/
	if [ -f docs/asbuilt.1 ]; then install -m 644 docs/asbuilt.1 $(DESTDIR)$(PREFIX)/share/man/man1/; fi

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
