#!/usr/bin/env bash
# Runs the test suites and ends with one line "N passed, M failed".
# Every suite speaks TAP ("ok ..." / "not ok ..."); this script counts.
#   tests/run-all.sh                 unit, integration, e2e
#   tests/run-all.sh unit integration
#   tests/run-all.sh sanitize fuzz   the slow ones: sanitizers, valgrind, fuzz smoke
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit integration e2e)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
broken=0

run_suite() {
	case "$1" in
	unit)
		for t in tests/unit/test_*; do
			case "$t" in *.c | *.d) continue ;; esac
			[ -x "$t" ] || continue
			echo "# unit: $t"
			CMOCKA_MESSAGE_OUTPUT=TAP "$t" || true
		done
		;;
	integration)
		# INTEGRATION_TESTS: optional name filters, e.g. "test_check test_errors"
		# shellcheck disable=SC2086
		python3 tests/integration/run.py ${INTEGRATION_TESTS:-} || true
		;;
	e2e)
		for t in tests/e2e/test_*.sh; do
			[ -x "$t" ] || continue
			echo "# e2e: $t"
			"$t" || true
		done
		;;
	sanitize)
		# ASan+UBSan build of unit and integration suites, integration under valgrind
		tests/sanitize.sh || true
		;;
	fuzz)
		fuzz/run.sh "${FUZZ_SECONDS:-10}" || true
		;;
	*)
		echo "not ok - unknown suite '$1'"
		;;
	esac
}

for s in "${suites[@]}"; do
	echo "# suite: $s"
	run_suite "$s" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || broken=1
done

# A TAP "# SKIP" directive (cmocka writes "not ok N # SKIP") is neither.
skipped=$(grep -E '^(not )?ok ' "$log" | grep -c '# SKIP')
passed=$(grep '^ok ' "$log" | grep -vc '# SKIP')
failed=$(grep '^not ok ' "$log" | grep -vc '# SKIP')
if [ "$skipped" -gt 0 ]; then
	echo "${passed} passed, ${failed} failed, ${skipped} skipped"
else
	echo "${passed} passed, ${failed} failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ "$broken" -eq 0 ]
