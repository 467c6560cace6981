# SPDX-License-Identifier: GPL-3.0-or-later
# check_entra_sync - plain Makefile.
#   make            build plugin/check_entra_sync
#   make check      run every test (unit, integration, end-to-end)
#   make demo       run the plugin against the bundled Graph emulator
#   make install    PREFIX, DESTDIR, PLUGINDIR, MANDIR, DATADIR honoured
#   make dist       check_entra_sync-VERSION.tar.gz of the tracked files
#   make portability  build and test in Debian 11, 12 and 13 chroots (root)
#   make deps       install the Debian build and test packages (as root)

PREFIX    ?= /usr/local
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
MANDIR    ?= $(PREFIX)/share/man
# the JSON Schema of --output-format=json, for scripts that validate
DATADIR   ?= $(PREFIX)/share/check-entra-sync
DESTDIR   ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
WERROR     ?=
SANITIZE   ?=
# Defaults with the hardening of dpkg-buildflags (hardening=+all) that costs
# a warm check nothing measurable (tests/package/hardening_cost.py); PIE is
# the compiler's default. CPPFLAGS, CFLAGS and LDFLAGS from the environment
# (dpkg-buildflags, sanitizer builds) replace them. _FORTIFY_SOURCE needs an
# optimised build and would hide accesses from ASan.
CFLAGS     ?= -O2 -g -fstack-protector-strong
CPPFLAGS   ?= $(if $(SANITIZE),,$(if $(filter-out -O0,$(filter -O%,$(CFLAGS))),-D_FORTIFY_SOURCE=2))
LDFLAGS    ?= -Wl,-z,relro -Wl,-z,now

PKGS      := libcurl json-c libcrypto
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wno-format-truncation $(if $(WERROR),-Werror)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN  := $(if $(SANITIZE),$(SAN_FLAGS))
# WARN comes after CFLAGS: a plain -Wformat there (dpkg-buildflags has one)
# would otherwise turn -Wformat=2 back into level 1.
ALL_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iplugin $(CPPFLAGS) $(SAN) $(CFLAGS) $(WARN) $(DEP_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SAN) $(LDFLAGS)

BIN        := plugin/check_entra_sync
# plugin/format/: the output writers and the report they print, a family of
# its own (as curl's lib/vtls/).
SRCS       := $(wildcard plugin/*.c plugin/format/*.c)
OBJS       := $(SRCS:.c=.o)
LIB_OBJS   := $(filter-out plugin/main.o,$(OBJS))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:.c=)
# Functions a file keeps static in the plugin but the unit tests call are
# marked UNITTEST (common.h, as curl's): the files that hold one are built a
# second time with -DUNITTESTS into tests/unit/obj/, and the tests link
# those objects with the plugin's own for the rest.
UNIT_CFLAGS  := -DUNITTESTS
TESTED_SRCS  := $(shell grep -l UNITTEST $(filter-out plugin/main.c,$(SRCS)))
UNIT_OBJS    := $(patsubst plugin/%.c,tests/unit/obj/%.o,$(TESTED_SRCS)) \
	$(filter-out $(TESTED_SRCS:.c=.o),$(LIB_OBJS))

.PHONY: all unit-bins check unit integration e2e demo install clean deps format format-check cppcheck

all: $(BIN)

$(BIN): $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(DEP_LIBS)

plugin/%.o: plugin/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

tests/unit/obj/%.o: plugin/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(UNIT_CFLAGS) -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.c $(UNIT_OBJS)
	$(CC) $(ALL_CFLAGS) $(UNIT_CFLAGS) -o $@ $< $(UNIT_OBJS) $(ALL_LDFLAGS) $(DEP_LIBS) -lcmocka

unit-bins: $(UNIT_BINS)

# Without cmocka (a non-root user who could not install it) the unit suite is
# reported as skipped by tests/run-all.sh rather than stopping the run.
check:
	tests/install-deps.sh
	$(MAKE) $(BIN)
	if [ -f /usr/include/cmocka.h ]; then $(MAKE) unit-bins; fi
	tests/run-all.sh

unit: $(UNIT_BINS)
	tests/run-all.sh unit

integration: $(BIN)
	tests/run-all.sh integration

e2e: $(BIN)
	tests/run-all.sh e2e

demo:
	tests/install-deps.sh build
	$(MAKE) $(BIN)
	tests/demo.sh

deps:
	tests/install-deps.sh

install: $(BIN)
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)
	install -m 0755 $(BIN) $(DESTDIR)$(PLUGINDIR)/check_entra_sync
	install -m 0644 contrib/json/check_entra_sync.schema.json $(DESTDIR)$(DATADIR)/
	if [ -f doc/check_entra_sync.1 ]; then install -m 0644 doc/check_entra_sync.1 $(DESTDIR)$(MANDIR)/man1/; fi

FORMAT_SRCS = plugin/*.c plugin/*.h plugin/format/*.c plugin/format/*.h tests/unit/*.c tests/unit/*.h fuzz/*.c fuzz/*.h bench/*.c

format:
	clang-format -i $(FORMAT_SRCS)

# Fails (and lists the files) when any source differs from .clang-format.
format-check:
	@bad=$$(for f in $(FORMAT_SRCS); do \
		clang-format --dry-run --Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run make format):" $$bad; exit 1; fi

# Static analysis; any finding fails. The suppressions are the checks that
# cannot see through the C11 idioms used on purpose (see doc/design.md).
cppcheck:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,performance,portability \
		--inline-suppr -Iplugin $(SRCS)

clean:
	rm -f $(BIN) plugin/*.o plugin/*.d plugin/format/*.o plugin/format/*.d tests/unit/*.d \
		$(UNIT_BINS)
	rm -rf tests/unit/obj

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d) $(filter tests/unit/obj/%,$(UNIT_OBJS:.o=.d))

# Fuzzing (clang, libFuzzer), the benchmark, the portability proof and the
# source tarball live in their own fragments.
-include fuzz/fuzz.mk
-include bench/bench.mk
-include tests/portability/portability.mk
include dist.mk
