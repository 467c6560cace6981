# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# TAP helpers of the package tests (sourced, not run). The script sets PLAN
# and prints "1..$PLAN" itself; ok/not_ok number the tests, not_ok counts
# them in failed (the script ends with [ "$failed" -eq 0 ]), and bail reports
# a failure and the tests not reached as "not ok", so that the plan holds.
# VERSION is PLUGIN_VERSION of plugin/common.h (the script runs from the
# top of the tree), the version every package is held to.
n=0
failed=0
# shellcheck disable=SC2034 # read by the scripts that source this
VERSION=$(sed -n 's/^#define PLUGIN_VERSION "\([^"]*\)".*/\1/p' plugin/common.h)
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}
# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# bail NAME: this step failed and the rest cannot run.
bail() {
	not_ok "$*"
	while [ "$n" -lt "$PLAN" ]; do
		n=$((n + 1))
		echo "not ok $n - not run: an earlier step failed"
	done
	exit 1
}
