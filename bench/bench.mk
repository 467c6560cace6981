# SPDX-License-Identifier: GPL-3.0-or-later
# bench/bench.mk - `make bench`: the cost benchmark of doc/design.md (a measurement,
# not a pass/fail test). Included from the top-level Makefile; writes
# bench/results.md. BENCH_RUNS (default 100) sets runs per contender.

BENCH_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra

.PHONY: bench bench-tools

bench/bare_get: bench/bare_get.c
	$(CC) $(BENCH_CFLAGS) $(shell $(PKG_CONFIG) --cflags libcurl) -o $@ $< \
		$(shell $(PKG_CONFIG) --libs libcurl)

bench/measure: bench/measure.c
	$(CC) $(BENCH_CFLAGS) -o $@ $<

bench-tools: bench/bare_get bench/measure

bench: $(BIN) bench-tools
	bench/run.sh
