# pytrace — GNU make build.  `make`, `make check` (check-unit, check-golden,
# check-live), `make install`, `make bench`,
# `make deps` (Debian packages), `make fuzz`, `make lint`, `make clean`.  V=1 for commands,
# WERROR=1 to fail on any compiler warning (CI does).

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
TAPSETDIR ?= $(PREFIX)/share/systemtap/tapset
DATADIR  ?= $(PREFIX)/share/pytrace
PYTHON   ?= /usr/bin/python3.11
VERSION  := 0.1.0

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ifeq ($(SANITIZE),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS :=
endif

WARNINGS := -Wall -Wextra -Wformat-security -Wimplicit-fallthrough \
            -Wmissing-prototypes -Wundef -Wwrite-strings -Wshadow -Wvla
# WERROR=1 (CI) turns every warning into an error: warnings stay a contract.
WERRORFLAG := $(if $(filter 1,$(WERROR)),-Werror)
WARNINGS += $(WERRORFLAG)
CFLAGS   ?= -O2 -g
override CFLAGS += -std=gnu11 -pthread $(WARNINGS) $(SANFLAGS) -MMD -MP
override CPPFLAGS += -Isrc -I$(BUILD) -D_GNU_SOURCE -DPYTRACE_VERSION='"$(VERSION)"' \
            -DPYTRACE_TAPSETDIR='"$(TAPSETDIR)"'
LDFLAGS  += $(SANFLAGS)
LDLIBS   := -lbpf -lelf -lz -lm -pthread

Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2);)

SRCS      := $(filter-out src/%.bpf.c,$(wildcard src/*.c))
OBJS      := $(SRCS:src/%.c=$(BUILD)/%.o)
LIB_OBJS  := $(filter-out $(BUILD)/main.o,$(OBJS))
BPF_SRCS  := $(wildcard src/*.bpf.c)
SKELS     := $(BPF_SRCS:src/%.bpf.c=$(BUILD)/%.skel.h)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FIX_SRCS  := $(wildcard tests/fixtures/*.c)
FIX_BINS  := $(FIX_SRCS:tests/fixtures/%.c=$(BUILD)/fixtures/%) $(BUILD)/fixtures/nomarker/python3.12

.DELETE_ON_ERROR:
# Keep the BPF object and skeleton: as intermediates make would delete them
# and rebuild (and relink pytrace) on every run.
.SECONDARY:
.PHONY: all check check-unit check-golden check-live unit bench deps install uninstall clean fuzz tapset lint

all: $(BUILD)/pytrace

$(BUILD)/pytrace: $(OBJS)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c | $(SKELS)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The flame graph's script, embedded in render_svg.c: the header declares
# svg_script[] as one C string, a line of the script per line.
$(BUILD)/svg_script.h: src/svg_script.js Makefile
	@mkdir -p $(@D)
	$(call say,GEN,$@){ echo 'static const char svg_script[] ='; \
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; echo '	;'; } > $@

$(BUILD)/render_svg.o: $(BUILD)/svg_script.h

# --- BPF: .bpf.c -> .bpf.o -> .skel.h (embedded in the binary) ---
$(BUILD)/vmlinux.h:
	@mkdir -p $(@D)
	$(call say,GEN,$@)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# -mcpu=v3: atomic fetch-and-add (the aggregate mode's function ids, the code ids), in
# kernels since 5.12; bpf_find_vma already needs 5.17.
$(BUILD)/%.bpf.o: src/%.bpf.c $(BUILD)/vmlinux.h $(wildcard src/*.h)
	$(call say,BPF,$<)$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 $(WERRORFLAG) \
		-I$(BUILD) -Isrc -I/usr/include/x86_64-linux-gnu -c $< -o $@

# X.bpf.c -> X.skel.h declaring struct X and X__open() etc. (engine_bpf.bpf.c:
# struct engine_bpf, engine_bpf__open()).
$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call say,SKEL,$@)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# --- tests ---
# Tests link against an archive, so each pulls in only the modules it uses.
$(BUILD)/libpytrace.a: $(LIB_OBJS)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libpytrace.a
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libpytrace.a $(LDLIBS) -lcmocka

# SDT fixtures: small C programs with provider "python" markers.
$(BUILD)/fixtures/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) -O1 -g -Wall -Wextra $(SANFLAGS) -o $@ $< -lpthread \
		$(if $(findstring embed,$*),$(shell pkg-config --cflags --libs python-3.11-embed))

# `make check` runs every suite in one run (one summary line, which .ci/run
# reads); check-unit, check-golden and check-live run one suite each
# (tests/run says what belongs to which).  `make unit` is check-unit.
# A python without markers (tests/fixtures/nomarker/): an executable linked
# to a stand-in libpython3.12.so.1.0 that has Py_Version and no SDT notes.
$(BUILD)/fixtures/nomarker/libpython3.12.so.1.0: tests/fixtures/nomarker/libpython_stub.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) -O1 -shared -fPIC -Wl,-soname,libpython3.12.so.1.0 -o $@ $<
$(BUILD)/fixtures/nomarker/python3.12: tests/fixtures/nomarker/python3.12.c \
		$(BUILD)/fixtures/nomarker/libpython3.12.so.1.0
	$(call say,CC,$<)$(CC) -O1 -Wall -Wextra -o $@ $< -Wl,--no-as-needed \
		$(BUILD)/fixtures/nomarker/libpython3.12.so.1.0 -Wl,-rpath,'$$ORIGIN'

# `sudo make check` after a `make` as yourself: what root built in $(BUILD)
# goes back to you (SUDO_UID), so `make clean` and `make` keep working.
GIVE_BACK = $(if $(SUDO_UID),[ "$$(id -u)" != 0 ] || chown -R $(SUDO_UID):$(SUDO_GID) $(BUILD) || true;)

check: all $(UNIT_BINS) $(FIX_BINS)
	$(Q)rc=0; BUILD=$(BUILD) tests/run || rc=$$?; $(GIVE_BACK) exit $$rc

check-unit: $(UNIT_BINS) $(BUILD)/fixtures/nomarker/python3.12
	$(Q)rc=0; BUILD=$(BUILD) SUITE=unit tests/run || rc=$$?; $(GIVE_BACK) exit $$rc

check-golden: all
	$(Q)rc=0; BUILD=$(BUILD) SUITE=golden tests/run || rc=$$?; $(GIVE_BACK) exit $$rc

check-live: all $(FIX_BINS)
	$(Q)rc=0; BUILD=$(BUILD) SUITE=live tests/run || rc=$$?; $(GIVE_BACK) exit $$rc

unit: check-unit

bench: all $(FIX_BINS)
	$(Q)BUILD=$(BUILD) bench/run

fuzz:
	$(Q)tests/fuzz/run $(FUZZ_SECONDS)

# Static analysis with cppcheck.  LIBBPF_OPTS and SEC come from libbpf's
# headers, which cppcheck does not read (no system include paths): define
# them.  Generated headers in $(BUILD) (vmlinux.h, the skeleton's embedded
# object) are left out: parsing them takes minutes and finds nothing of ours.
# Findings fail; suppress a false positive inline (// cppcheck-suppress ID)
# with a comment that says why.
CPPCHECK ?= cppcheck
CPPCHECK_FLAGS := --enable=warning,performance,portability --std=c11 -D_GNU_SOURCE \
	--error-exitcode=1 --inline-suppr -q \
	'-DLIBBPF_OPTS(TYPE,NAME,...)=struct TYPE NAME = {__VA_ARGS__}' '-DSEC(NAME)='

lint:
	$(call say,CPPCHECK,src)$(CPPCHECK) $(CPPCHECK_FLAGS) -Isrc $(SRCS) $(BPF_SRCS)

tapset: $(BUILD)/pytrace.stp

$(BUILD)/pytrace.stp: $(BUILD)/pytrace
	$(call say,GEN,$@)$(BUILD)/pytrace tapset $(PYTHON) > $@

deps:
	$(Q)tools/install-deps

install: all $(BUILD)/pytrace.stp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(TAPSETDIR) $(DESTDIR)$(DATADIR)/scripts
	install -m 0755 $(BUILD)/pytrace $(DESTDIR)$(BINDIR)/pytrace
	install -m 0644 man/pytrace.1 $(DESTDIR)$(MANDIR)/man1/pytrace.1
	install -m 0644 $(BUILD)/pytrace.stp $(DESTDIR)$(TAPSETDIR)/pytrace.stp
	install -m 0644 $(wildcard scripts/*.stp) $(DESTDIR)$(DATADIR)/scripts/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pytrace $(DESTDIR)$(MANDIR)/man1/pytrace.1 \
	      $(DESTDIR)$(TAPSETDIR)/pytrace.stp
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san build-fuzz build-clang

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
