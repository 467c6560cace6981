#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the test suites and ends with one line "N passed, M failed[, K skipped]".
#   tests/run-all.sh                   runner, emulator, unit, integration, e2e
#   tests/run-all.sh unit integration
#   tests/run-all.sh sanitize fuzz     the slow ones: sanitizers, valgrind, fuzz smoke
#   tests/run-all.sh package           the source tarball, the Debian package and the RPM (root)
#   tests/run-all.sh portability       build and test in Debian 11, 12 and 13 chroots (root;
#                                      PORTABILITY_* in tests/portability/run.sh)
#
# Every suite is made of streams (one unit binary, the integration runner, one
# e2e script, ...) that speak TAP. A stream is trusted only when it ends the way
# TAP says it should: exactly one plan line "1..N", exactly N test lines, and
# exit status 0 unless one of its tests failed. Anything else (no plan, a short
# or long run, a crash, an exit status without a failing test) becomes a
# "not ok - <stream>: <why>" line, so a suite that did not run cannot pass.
#
# Environment:
#   TESTS_NO_SKIP=1      a skipped test counts as a failure (CI installs everything)
#   INTEGRATION_TESTS    name filters for the integration runner ("test_check test_errors")
#   E2E_TESTS            e2e scripts to run (default tests/e2e/test_*.sh)
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(runner emulator unit integration e2e)

log=$(mktemp)
out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT

# say LINE: a line of the runner's own, shown and counted.
say() {
	printf '%s\n' "$1" | tee -a "$log"
}

# stream NAME CMD...: runs CMD, shows its output, then checks the TAP it wrote.
stream() {
	local name=$1 rc plans planned reported failures why=""
	shift
	echo "# stream: $name" | tee -a "$log"
	"$@" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	cat "$out" >>"$log"
	plans=$(grep -cE '^1\.\.[0-9]+( |$)' "$out")
	planned=$(grep -m1 -oE '^1\.\.[0-9]+' "$out" | cut -c4-)
	reported=$(grep -cE '^(not )?ok( |$)' "$out")
	failures=$(grep -E '^not ok( |$)' "$out" | grep -vc '# SKIP')
	if [ "$plans" -eq 0 ]; then
		why="no TAP plan (it did not start, or died before finishing)"
	elif [ "$plans" -gt 1 ]; then
		why="$plans TAP plans in one stream"
	elif [ "$planned" -ne "$reported" ]; then
		why="planned $planned tests, reported $reported"
	fi
	if [ "$rc" -ne 0 ] && [ "$failures" -eq 0 ]; then
		if [ "$rc" -gt 128 ]; then
			why="${why:+$why; }killed by signal $((rc - 128))"
		else
			why="${why:+$why; }exit status $rc without a failing test"
		fi
	fi
	[ -z "$why" ] || say "not ok - $name: $why"
}

# skip_suite NAME REASON: a suite that cannot run here, said as a skip.
skip_suite() {
	say "ok - $1 # SKIP $2"
}

suite_unit() {
	local t src
	if [ ! -f /usr/include/cmocka.h ]; then
		skip_suite unit "libcmocka-dev is not installed (tests/install-deps.sh)"
		return
	fi
	for src in tests/unit/test_*.c; do
		t=${src%.c}
		if [ -x "$t" ]; then
			CMOCKA_MESSAGE_OUTPUT=TAP stream "unit/${t##*/}" "$t"
		else
			say "not ok - unit/${t##*/}: not built (make unit-bins)"
		fi
	done
}

suite_e2e() {
	local t
	# shellcheck disable=SC2086
	for t in ${E2E_TESTS:-tests/e2e/test_*.sh}; do
		if [ -x "$t" ]; then
			stream "e2e/${t##*/}" "$t"
		else
			say "not ok - e2e/${t##*/}: not executable"
		fi
	done
}

run_suite() {
	echo "# suite: $1" | tee -a "$log"
	case "$1" in
	runner) stream runner/test_runner tests/runner/test_runner.sh ;;
	unit) suite_unit ;;
	# shellcheck disable=SC2086
	integration) stream integration python3 tests/integration/run.py ${INTEGRATION_TESTS:-} ;;
	e2e) suite_e2e ;;
	emulator) stream emulator/selftest python3 tests/emulator/selftest.py ;;
	package)
		stream package/test_dist tests/package/test_dist.sh
		stream package/test_package tests/package/test_package.sh
		stream package/test_rpm tests/package/test_rpm.sh
		;;
	portability) stream portability tests/portability/run.sh ;;
	sanitize) stream sanitize tests/sanitize.sh ;;
	fuzz) stream fuzz fuzz/run.sh "${FUZZ_SECONDS:-10}" ;;
	*) say "not ok - unknown suite '$1'" ;;
	esac
}

for s in "${suites[@]}"; do
	run_suite "$s"
done

# A TAP "# SKIP" directive (cmocka writes "not ok N # SKIP") is neither.
skipped=$(grep -E '^(not )?ok( |$)' "$log" | grep -c '# SKIP')
passed=$(grep -E '^ok( |$)' "$log" | grep -vc '# SKIP')
failed=$(grep -E '^not ok( |$)' "$log" | grep -vc '# SKIP')
if [ "${TESTS_NO_SKIP:-}" = 1 ] && [ "$skipped" -gt 0 ]; then
	echo "# TESTS_NO_SKIP=1: the skipped tests count as failures:"
	grep -E '^(not )?ok( |$)' "$log" | grep '# SKIP' | sed 's/^/#   /'
	failed=$((failed + skipped))
fi
if [ "$skipped" -gt 0 ]; then
	echo "${passed} passed, ${failed} failed, ${skipped} skipped"
else
	echo "${passed} passed, ${failed} failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
