# toolexecfs - tools as files.
#
#   make            build build/toolexecfs and build/toolexec
#   make check      install what is missing, build, run every test
#   make check-stress  every test with all cores busy, 5 times (STRESS_RUNS=N)
#   make coverage  line coverage of src/ per folder and in total (build-cov)
#   make run        mount the embedded default at ./mnt (MNT= overrides)
#   make stop       end make run (unmount), from another terminal
#   make SANITIZE=address,undefined check
#   make V=1        show the commands

CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
PKG_CONFIG ?= pkg-config
MNT ?= $(CURDIR)/mnt

PKGS_ENGINE = json-c libseccomp libpcre2-8 libcurl libcrypto
PKGS_FS = fuse3
PKGS_TEST = cmocka

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wvla -Wno-format-nonliteral -Wno-format-truncation
ifneq ($(WERROR),0)
WARN += -Werror
endif

OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) -Iinclude -Isrc \
	     $(shell $(PKG_CONFIG) --cflags $(PKGS_ENGINE) 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS)
LIBS_ENGINE = $(shell $(PKG_CONFIG) --libs $(PKGS_ENGINE) 2>/dev/null) -lstemmer -lm
LIBS_FS = $(shell $(PKG_CONFIG) --libs $(PKGS_FS) 2>/dev/null)
CFLAGS_FS = $(shell $(PKG_CONFIG) --cflags $(PKGS_FS) 2>/dev/null)
LIBS_TEST = $(shell $(PKG_CONFIG) --libs $(PKGS_TEST) 2>/dev/null)

ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q =
say =
else
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# The sandbox helper is its own single-threaded program, not engine code.
HELPER_SRC = $(wildcard src/sandbox/helper*.c)
# It shares only the monotonic clock with the engine.
HELPER_OBJ = $(HELPER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/src/util/clock.o
SANDBOX_TOOLS = $(BUILD)/tests/sandbox/sandbox_run
ENGINE_SRC = $(filter-out $(HELPER_SRC),$(wildcard src/util/*.c src/schema/*.c \
	src/search/*.c src/config/*.c src/engine/*.c src/backend/*.c src/sandbox/*.c))
FS_SRC = $(wildcard src/fs/*.c)
ENGINE_OBJ = $(ENGINE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/default_config.o
FS_OBJ = $(FS_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS_SRC = $(wildcard tests/tools/*.c)
TOOLS_BIN = $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
CLI_SRC = $(wildcard src/cli/toolexec*.c)
CLI_OBJ = $(filter-out $(BUILD)/src/cli/toolexecfs.o,$(CLI_SRC:%.c=$(BUILD)/%.o))
BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
DEFAULT_JSON = $(sort $(wildcard mountpoint-examples/default/*.json))

PROGRAMS = $(BUILD)/toolexec
ifneq ($(FS_SRC),)
PROGRAMS += $(BUILD)/toolexecfs
endif
ifneq ($(HELPER_SRC),)
PROGRAMS += $(BUILD)/toolexec-sandbox
endif

.PHONY: all check check-stress unit integration schema-suite run stop \
	install clean format format-check check-banned setup bench deps coverage
all: $(PROGRAMS)

deps setup:
	$(Q)./scripts/setup.sh

$(BUILD)/libtoolexec.a: $(ENGINE_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/toolexec: $(CLI_OBJ) $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_ENGINE)

$(BUILD)/toolexecfs: $(BUILD)/src/cli/toolexecfs.o $(FS_OBJ) $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_FS) $(LIBS_ENGINE)

$(BUILD)/src/fs/%.o $(BUILD)/src/cli/toolexecfs.o: ALL_CFLAGS += $(CFLAGS_FS)

# Links json-c only, no libseccomp (it loads the daemon's exported
# BPF); fully static where the archives exist and no sanitizer is on:
# the helper is exec'd on every run, and a static one skips the dynamic
# loader and forks a smaller address space.
JSONC_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir json-c 2>/dev/null)
LIBC_A := $(shell $(CC) -print-file-name=libc.a 2>/dev/null)
ifneq ($(wildcard $(JSONC_LIBDIR)/libjson-c.a),)
ifeq ($(SANITIZE)$(filter /%,$(LIBC_A)),$(filter /%,$(LIBC_A)))
HELPER_LIBS = -static $(shell $(PKG_CONFIG) --libs json-c)
else
HELPER_LIBS = -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs json-c) -Wl,-Bdynamic
endif
else
HELPER_LIBS = $(shell $(PKG_CONFIG) --libs json-c)
endif
$(BUILD)/toolexec-sandbox: $(HELPER_OBJ)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(HELPER_LIBS)

$(BUILD)/tests/sandbox/%: tests/sandbox/%.c $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libtoolexec.a \
		$(LIBS_ENGINE)

$(BUILD)/%.o: %.c
	$(call say,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The embedded default: mountpoint-examples/default/*.json as C strings.
$(BUILD)/gen/default_config.c: $(DEFAULT_JSON) scripts/embed.sh
	$(call say,GEN,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)./scripts/embed.sh $(DEFAULT_JSON) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/default_config.o: $(BUILD)/gen/default_config.c
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libtoolexec.a \
		$(LIBS_TEST) $(LIBS_ENGINE)

# The FUSE layer's tests link src/fs and libfuse (a session on custom I/O).
$(BUILD)/tests/test_fuse%: tests/unit/test_fuse%.c $(FS_OBJ) $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CFLAGS_FS) $(ALL_LDFLAGS) -o $@ $< $(FS_OBJ) \
		$(BUILD)/libtoolexec.a $(LIBS_TEST) $(LIBS_FS) $(LIBS_ENGINE)

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libtoolexec.a \
		$(LIBS_ENGINE) -lsqlite3

$(BUILD)/bench/%: bench/%.c $(BUILD)/libtoolexec.a
	$(call say,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libtoolexec.a \
		$(LIBS_ENGINE) -lsqlite3

bench-build: $(BENCH_BIN) $(PROGRAMS) $(SANDBOX_TOOLS)

# The official JSON-Schema-Test-Suite (draft7) through the validator.
schema-suite: $(BUILD)/tests/tools/schema_suite
	$(Q)$(BUILD)/tests/tools/schema_suite

# test_code runs scripts through the real sandbox helper.
unit: $(UNIT_BIN) $(filter %/toolexec-sandbox,$(PROGRAMS))
	$(Q)./tests/run-unit.sh $(UNIT_BIN)

integration: $(PROGRAMS) $(TOOLS_BIN) $(SANDBOX_TOOLS)
	$(Q)BUILD=$(abspath $(BUILD)) ./tests/run-integration.sh

check: setup
	$(Q)$(MAKE) --no-print-directory all $(TOOLS_BIN) unit
	$(Q)$(MAKE) --no-print-directory integration

check-stress: setup
	$(Q)$(MAKE) --no-print-directory all $(TOOLS_BIN) $(SANDBOX_TOOLS) $(UNIT_BIN)
	$(Q)BUILD=$(abspath $(BUILD)) ./scripts/check-stress.sh $(UNIT_BIN)

# run.sh installs what building needs, builds, mounts, and waits; `make
# stop` (any time, even before the mount is up) ends it.
run:
	$(Q)MNT="$(MNT)" BUILD=$(abspath $(BUILD)) MAKE="$(MAKE)" ./scripts/run.sh

stop:
	$(Q)MNT="$(MNT)" BUILD=$(abspath $(BUILD)) ./scripts/run.sh --stop

# Line coverage of src/ per folder (gcov build in build-cov, then gcovr).
# Coverage builds only: the sandbox helper's processes inside a run's
# namespaces dump their counts through build-cov/gcov-sandbox, hard
# links to the helper's .gcda files that the runs' uids may write (see
# src/sandbox/helper_gcov.c).  A normal build has none of this.
ifdef HELPER_GCOV
$(HELPER_SRC:%.c=$(BUILD)/%.o): ALL_CFLAGS += -DTX_GCOV='"$(HELPER_GCOV)"'
$(BUILD)/toolexec-sandbox: ALL_LDFLAGS += -Wl,--wrap=_exit,--wrap=execve
endif
COV_MAKE = $(MAKE) --no-print-directory BUILD=build-cov \
	OPT='-O0 -g --coverage' LDFLAGS=--coverage HELPER_GCOV=$(CURDIR)/build-cov
COV_HELPER_GCDA = $(patsubst $(BUILD)/%.o,build-cov/%.gcda,$(HELPER_OBJ))

coverage: setup
	$(Q)find build-cov -name '*.gcda' -delete 2>/dev/null || true
	$(Q)rm -rf build-cov/gcov-sandbox build-cov/toolexec-sandbox \
		$(HELPER_SRC:%.c=build-cov/%.o)
	$(Q)$(COV_MAKE) all $(TOOLS_SRC:tests/tools/%.c=build-cov/tests/tools/%)
	$(Q)for g in $(COV_HELPER_GCDA); do \
		l=build-cov/gcov-sandbox/$${g#build-cov/}; \
		mkdir -p "$${l%/*}" && : >> "$$g" && chmod 666 "$$g" && \
		ln -f "$$g" "$$l" || exit 1; \
	done
	$(Q)rc=0; $(COV_MAKE) -k unit integration || rc=$$?; \
		BUILD=build-cov ./scripts/coverage.sh && exit $$rc

bench: setup bench-build
	$(Q)BUILD=$(abspath $(BUILD)) ./scripts/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/toolexec.1 docs/toolexecfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/

FORMAT_SRC = $(shell git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'bench/*.[ch]' 2>/dev/null)

format:
	clang-format -i $(FORMAT_SRC)

# Fails when a file is not as `make format` would leave it.
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format: clean"

# system, popen, sprintf, strcpy, strcat, gets, strtok appear nowhere.
check-banned:
	$(Q)./scripts/check-banned.sh

clean:
	rm -rf $(BUILD) build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
