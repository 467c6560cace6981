# SPDX-License-Identifier: GPL-3.0-or-later
# dist.mk - `make dist`: the source tarball check_entra_sync-VERSION.tar.gz.
# Included from the top-level Makefile.
#   make dist                 write it here
#   make dist DISTDIR=/tmp    write it there
# It holds exactly the tracked files (their working-tree content, so commit
# first for a release) under check_entra_sync-VERSION/, plus MANIFEST, the
# list of those files. In a git checkout the list comes from `git ls-files`;
# in an unpacked tarball, where there is no git, from MANIFEST, so `make
# dist` there rebuilds the same tarball. VERSION is PLUGIN_VERSION from
# plugin/common.h. Names, owners, modes and times are normalised (time:
# SOURCE_DATE_EPOCH, else the last commit, else MANIFEST's), so the same
# files give the same bytes.

DIST_VERSION := $(shell sed -n 's/^\#define PLUGIN_VERSION "\([^"]*\)".*/\1/p' plugin/common.h)
DIST_NAME    := check_entra_sync-$(DIST_VERSION)
DISTDIR      ?= .

.PHONY: dist dist-files

# The file list alone, one path a line (tests/package uses it for a clean copy).
dist-files:
	@if [ -e .git ]; then \
		git ls-files; \
	elif [ -f MANIFEST ]; then \
		cat MANIFEST; \
	else \
		echo "dist: neither a git checkout nor an unpacked tarball (no MANIFEST)" >&2; exit 1; \
	fi

dist:
	@set -e; \
	[ -n "$(DIST_VERSION)" ] || { echo "dist: no PLUGIN_VERSION in plugin/common.h" >&2; exit 1; }; \
	tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/entra-dist.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	$(MAKE) -s --no-print-directory dist-files >"$$tmp/list"; \
	if [ -e .git ]; then \
		epoch=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)}; \
		if [ -n "$$(git status --porcelain --untracked-files=no)" ]; then \
			echo "dist: warning: uncommitted changes to tracked files are in the tarball" >&2; \
		fi; \
	else \
		epoch=$${SOURCE_DATE_EPOCH:-$$(stat -c %Y MANIFEST)}; \
	fi; \
	mkdir "$$tmp/$(DIST_NAME)"; \
	tar -cf - --verbatim-files-from -T "$$tmp/list" | tar -xf - -C "$$tmp/$(DIST_NAME)"; \
	cp "$$tmp/list" "$$tmp/$(DIST_NAME)/MANIFEST"; \
	tar -cf - -C "$$tmp" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
		--mode=u+rw,go-w,go+rX --mtime=@$$epoch "$(DIST_NAME)" | gzip -n -9 >"$$tmp/out.tar.gz"; \
	mv "$$tmp/out.tar.gz" "$(DISTDIR)/$(DIST_NAME).tar.gz"; \
	echo "$(DISTDIR)/$(DIST_NAME).tar.gz"
