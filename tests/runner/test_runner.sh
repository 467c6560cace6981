#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The test runner's own test: tests/run-all.sh must fail whenever a suite
# did not run as planned. Each case builds a scratch tree holding a copy of
# the real runner (and of the integration runner) next to fake suites, runs
# it there, and asserts its exit status and the line that names the problem.
# The real tree is never touched.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/runner-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

echo "1..9"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# tree NAME: a fresh scratch tree with the runners and no suites; prints its path.
tree() {
	local t=$scratch/$1
	mkdir -p "$t/tests/unit" "$t/tests/integration" "$t/tests/e2e"
	cp "$here/tests/run-all.sh" "$t/tests/"
	cp "$here/tests/integration/run.py" "$here/tests/integration/harness.py" \
		"$here/tests/integration/formats.py" "$t/tests/integration/"
	echo "$t"
}

# fake_e2e TREE NAME BODY: an executable e2e script with that shell body.
fake_e2e() {
	printf '#!/bin/sh\n%s\n' "$3" >"$1/tests/e2e/$2"
	chmod +x "$1/tests/e2e/$2"
}

# expect NAME RC PATTERN TREE [ENV=VALUE] SUITES...: runs the runner in TREE,
# wants exit status RC (0 or "fail" for any non-zero) and a line matching PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3 t=$4 rc vars=()
	shift 4
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
		vars+=("$1")
		shift
	done
	env "${vars[@]}" "$t/tests/run-all.sh" "$@" >"$t/out" 2>&1 </dev/null
	rc=$?
	if { [ "$want" = fail ] && [ "$rc" -ne 0 ]; } || [ "$rc" = "$want" ]; then
		if grep -qE -- "$pattern" "$t/out"; then
			ok "$name"
			return
		fi
	fi
	not_ok "$name"
	echo "# wanted exit $want and a line matching: $pattern; got exit $rc:"
	sed 's/^/#   /' "$t/out"
}

# 1. A sound tree passes: the cases below fail for their fault, not the setup's.
t=$(tree sound)
fake_e2e "$t" test_a.sh 'echo 1..2; echo "ok 1 - a"; echo "ok 2 - b"'
cat >"$t/tests/integration/test_fine.py" <<'PY'
def test_fine():
    assert 1 + 1 == 2
PY
expect "a sound tree passes with every test counted" 0 '^3 passed, 0 failed$' "$t" integration e2e

# 2. An integration module that cannot be imported.
t=$(tree broken_module)
cp "$scratch/sound/tests/integration/test_fine.py" "$t/tests/integration/"
printf 'import no_such_module_anywhere\n\ndef test_never_runs():\n    pass\n' \
	>"$t/tests/integration/test_broken.py"
expect "an integration module that fails to import fails the run" fail \
	'^not ok [0-9]+ - test_broken \(import\)' "$t" integration

# 3. The integration runner itself broken (its harness does not import).
t=$(tree broken_runner)
echo 'raise SystemExit("harness broken on purpose")' >"$t/tests/integration/harness.py"
expect "an integration runner that dies before its plan fails the run" fail \
	'^not ok - integration: no TAP plan' "$t" integration

# 4. A cmocka binary that crashes half-way (SIGKILL cannot be caught).
t=$(tree crash)
if [ -f /usr/include/cmocka.h ] && command -v cc >/dev/null; then
	cat >"$t/tests/unit/test_crash.c" <<'C'
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
static void first_passes(void **s) { (void)s; assert_true(1); }
static void second_dies(void **s) { (void)s; raise(SIGKILL); }
static void third_never_runs(void **s) { (void)s; assert_true(1); }
int main(void)
{
	const struct CMUnitTest t[] = {cmocka_unit_test(first_passes), cmocka_unit_test(second_dies),
				       cmocka_unit_test(third_never_runs)};
	return cmocka_run_group_tests(t, NULL, NULL);
}
C
	if cc -o "$t/tests/unit/test_crash" "$t/tests/unit/test_crash.c" -lcmocka 2>"$t/cc.log"; then
		expect "a cmocka binary killed half-way fails the run" fail \
			'^not ok - unit/test_crash: planned 3 tests, reported 1; killed by signal 9' "$t" unit
	else
		not_ok "a cmocka binary killed half-way fails the run (cannot compile it)"
		sed 's/^/# /' "$t/cc.log"
	fi
else
	skip "a cmocka binary killed half-way fails the run" "libcmocka-dev or cc missing"
fi

# 5. A unit test source whose binary was not built.
t=$(tree unbuilt)
echo 'int main(void) { return 0; }' >"$t/tests/unit/test_unbuilt.c"
if [ -f /usr/include/cmocka.h ]; then
	expect "a unit test that was not built fails the run" fail \
		'^not ok - unit/test_unbuilt: not built' "$t" unit
else
	expect "a unit suite without cmocka is a skip that CI refuses" fail \
		'TESTS_NO_SKIP=1' "$t" TESTS_NO_SKIP=1 unit
fi

# 6. An e2e script that stops short of its plan but says nothing failed.
t=$(tree short)
fake_e2e "$t" test_short.sh 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"'
expect "an e2e script short of its plan fails the run" fail \
	'^not ok - e2e/test_short.sh: planned 3 tests, reported 2$' "$t" e2e

# 7. An e2e script with no plan at all.
t=$(tree noplan)
fake_e2e "$t" test_noplan.sh 'echo "ok 1 - a"'
expect "an e2e script without a plan fails the run" fail \
	'^not ok - e2e/test_noplan.sh: no TAP plan' "$t" e2e

# 8. An exit status that no failing test explains.
t=$(tree status)
fake_e2e "$t" test_status.sh 'echo 1..1; echo "ok 1 - a"; exit 4'
expect "an exit status without a failing test fails the run" fail \
	'^not ok - e2e/test_status.sh: exit status 4 without a failing test$' "$t" e2e

# 9. A skip is counted as such, and CI (TESTS_NO_SKIP=1) refuses it.
t=$(tree skip)
fake_e2e "$t" test_skip.sh 'echo 1..2; echo "ok 1 - a"; echo "ok 2 - b # SKIP no daemon here"'
if env -u TESTS_NO_SKIP "$t/tests/run-all.sh" e2e 2>&1 </dev/null | grep -qx '1 passed, 0 failed, 1 skipped' &&
	! TESTS_NO_SKIP=1 "$t/tests/run-all.sh" e2e >/dev/null 2>&1 </dev/null; then
	ok "a skip is reported as skipped, and fails the run under TESTS_NO_SKIP=1"
else
	not_ok "a skip is reported as skipped, and fails the run under TESTS_NO_SKIP=1"
fi
[ "$n" -eq 9 ] || echo "# internal: reported $n tests"
