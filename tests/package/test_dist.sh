#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make dist: the tarball is named after PLUGIN_VERSION, holds exactly the
# tracked files (plus MANIFEST, their list), is the same bytes when made
# twice, builds and passes the unit tests when unpacked elsewhere, and
# `make dist` in the unpacked tree (no git there) makes the same tarball.
# TAP on stdout; exits 1 when a test failed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
export PATH="/usr/bin:$PATH"
PLAN=6

# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/entra-dist.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
echo "1..$PLAN"

NAME=check_entra_sync-$VERSION
mkdir "$T/a" "$T/b" "$T/c" "$T/unpacked"

# 1: the name comes from plugin/common.h.
if out=$(make -s --no-print-directory dist DISTDIR="$T/a" 2>"$T/dist.err") &&
	[ "$out" = "$T/a/$NAME.tar.gz" ] && [ -f "$out" ]; then
	ok "make dist writes $NAME.tar.gz"
else
	diag "printed: ${out:-}" "$(cat "$T/dist.err")"
	bail "make dist writes $NAME.tar.gz"
fi
TARBALL="$T/a/$NAME.tar.gz"

# 2: exactly the tracked files (in a tarball: the files MANIFEST lists), one
# directory deep, plus MANIFEST.
make -s --no-print-directory dist-files >"$T/tracked" 2>"$T/dist.err"
(cat "$T/tracked" && echo MANIFEST) | sort >"$T/want"
tar -tzf "$TARBALL" >"$T/members"
outside=$(grep -v "^$NAME/" "$T/members")
grep -v '/$' "$T/members" | sed "s,^$NAME/,," | sort >"$T/got"
if [ -s "$T/tracked" ] && [ -z "$outside" ] && cmp -s "$T/want" "$T/got"; then
	ok "the tarball holds exactly the $(wc -l <"$T/tracked") tracked files and MANIFEST under $NAME/"
else
	diag "outside $NAME/: $outside" "$(diff "$T/want" "$T/got" | head -n 20)"
	not_ok "the tarball holds exactly the tracked files and MANIFEST under $NAME/"
fi

# 3: reproducible.
make -s --no-print-directory dist DISTDIR="$T/b" >/dev/null 2>&1
check_same() { cmp -s "$TARBALL" "$1/$NAME.tar.gz"; }
if check_same "$T/b"; then
	ok "make dist twice gives the same bytes"
else
	not_ok "make dist twice gives the same bytes"
fi

# 4, 5: unpacked elsewhere, it builds (warnings as errors) and passes the unit tests.
tar -xzf "$TARBALL" -C "$T/unpacked"
U="$T/unpacked/$NAME"
if make -C "$U" -j"$(nproc)" WERROR=1 >"$T/make.log" 2>&1 && [ -x "$U/plugin/check_entra_sync" ]; then
	ok "make WERROR=1 builds the plugin in the unpacked tarball"
else
	diag "$(tail -n 20 "$T/make.log")"
	not_ok "make WERROR=1 builds the plugin in the unpacked tarball"
fi
make -C "$U" -j"$(nproc)" unit-bins >"$T/unit-build.log" 2>&1
make -C "$U" --no-print-directory unit >"$T/unit.log" 2>&1
urc=$?
summary=$(grep -E '^[0-9]+ passed' "$T/unit.log" | tail -n 1)
if [ "$urc" -eq 0 ] && [[ "$summary" =~ ^[1-9][0-9]*\ passed,\ 0\ failed ]]; then
	ok "make unit passes in the unpacked tarball ($summary)"
else
	diag "$(tail -n 20 "$T/unit-build.log")" "$(grep '^not ok' "$T/unit.log" | head -n 20)" "$summary"
	not_ok "make unit passes in the unpacked tarball ($summary)"
fi

# 6: no git there: make dist falls back to MANIFEST and rebuilds the same tarball.
if make -s --no-print-directory -C "$U" dist DISTDIR="$T/c" >"$T/redist.log" 2>&1 && check_same "$T/c"; then
	ok "make dist in the unpacked tarball (from MANIFEST) gives the same bytes"
else
	diag "$(cat "$T/redist.log")"
	[ -f "$T/c/$NAME.tar.gz" ] &&
		diag "$(diff <(tar -tzvf "$TARBALL") <(tar -tzvf "$T/c/$NAME.tar.gz") | head -n 10)"
	not_ok "make dist in the unpacked tarball (from MANIFEST) gives the same bytes"
fi

[ "$failed" -eq 0 ]
