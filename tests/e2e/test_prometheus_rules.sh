#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# contrib/prometheus/entra_sync.rules.yml under Debian's promtool: the rules
# load, tests/prometheus/entra_sync_rules_test.yml passes (each alert fires
# when it should, with its labels and annotations, and stays quiet when it
# should not), and that file tests every alert the rules define.
set -u
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

RULES="$E2E_ROOT/contrib/prometheus/entra_sync.rules.yml"
RULE_TESTS="$E2E_ROOT/tests/prometheus/entra_sync_rules_test.yml"

command -v promtool >/dev/null || skip_all "promtool is not installed (prometheus)"

plan 3
out=$(promtool check rules "$RULES" 2>&1)
if [ $? -eq 0 ]; then ok "promtool check rules accepts the rules"; else
	not_ok "promtool check rules accepts the rules"
	diag "$out"
fi
out=$(cd "$(dirname "$RULE_TESTS")" && promtool test rules "$(basename "$RULE_TESTS")" 2>&1)
if [ $? -eq 0 ]; then ok "promtool test rules passes the rule tests"; else
	not_ok "promtool test rules passes the rule tests"
	diag "$out"
fi
untested=$(sed -n 's/^ *- alert: *//p' "$RULES" | while read -r name; do
	grep -q "alertname: $name\$" "$RULE_TESTS" || echo "$name"
done)
check "every alert of the rules has a test" test -z "$untested"
[ -z "$untested" ] || diag "untested: $untested"
