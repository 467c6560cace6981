#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/run.sh - run the cost benchmark (doc/design.md) and write bench/results.md.
# Called by `make bench` once the plugin, bare_get and measure are built.
# Round 2 adds the emulator's test CA to the system trust store (root only);
# bench.py undoes it itself, and this trap undoes it again if bench.py dies
# hard (SIGKILL, a crash), so the machine never keeps trusting a test CA. The
# trap also stops the emulator and removes the work directory in that case.
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"
crt=/usr/local/share/ca-certificates/entra-bench.crt
work=$(mktemp -d "${TMPDIR:-/tmp}/entra-bench.XXXXXX") || exit 2
cleanup() {
	if [ -e "$crt" ]; then
		rm -f "$crt"
		update-ca-certificates --fresh >/dev/null 2>&1
	fi
	[ -s "$work/emu.pid" ] && kill "$(cat "$work/emu.pid")" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
python3 bench/bench.py --work "$work" "$@"
