# SPDX-License-Identifier: GPL-3.0-or-later
# libFuzzer harnesses. Included by the top-level Makefile
# (`include fuzz/fuzz.mk`), or used alone: make -f Makefile -f fuzz/fuzz.mk fuzz
#   make fuzz-bins          build fuzz/out/fuzz_<target> (clang, ASan+UBSan)
#   make fuzz               build, replay fuzz/regressions, fuzz each target
#                           FUZZ_SECONDS (default 60) seconds
# The plugin sources are compiled again by clang with coverage and sanitizers
# into fuzz/out/obj/ and archived, so each harness links only what it uses;
# with -DUNITTESTS, as for the unit tests, so the harnesses reach the parsers
# the plugin keeps static (UNITTEST in plugin/common.h).
ifndef CES_FUZZ_MK
CES_FUZZ_MK := 1

FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang || echo clang)
FUZZ_SECONDS ?= 60
FUZZ_OUT     := fuzz/out
FUZZ_OBJDIR  := $(FUZZ_OUT)/obj
FUZZ_PKGS    := libcurl json-c libcrypto
FUZZ_DEP_CFLAGS := $(shell $(or $(PKG_CONFIG),pkg-config) --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_DEP_LIBS   := $(shell $(or $(PKG_CONFIG),pkg-config) --libs $(FUZZ_PKGS) 2>/dev/null)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DUNITTESTS -Iplugin -g -O1 \
	-Wall -Wextra -Wno-unused-parameter $(FUZZ_SAN) $(FUZZ_DEP_CFLAGS)

FUZZ_LIB_SRCS := $(filter-out plugin/main.c,$(wildcard plugin/*.c plugin/format/*.c))
FUZZ_LIB_OBJS := $(patsubst plugin/%.c,$(FUZZ_OBJDIR)/%.o,$(FUZZ_LIB_SRCS))
FUZZ_LIB      := $(FUZZ_OUT)/libplugin.a
FUZZ_TARGETS  := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)

.PHONY: fuzz fuzz-bins fuzz-clean

fuzz-bins: $(FUZZ_BINS)

fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

fuzz-clean:
	rm -rf $(FUZZ_OUT)

$(FUZZ_OBJDIR)/%.o: plugin/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $(FUZZ_LIB_OBJS)

$(FUZZ_OUT)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
		$(FUZZ_DEP_LIBS) -lm

-include $(FUZZ_LIB_OBJS:.o=.d)

endif
