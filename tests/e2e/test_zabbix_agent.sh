#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end through Debian's Zabbix agent 2: the agent runs the
# UserParameters of contrib/zabbix/check_entra_sync.conf (only the plugin's
# path and /etc/check-entra-sync put in) on a loopback port, and zabbix_get
# asks it as the Zabbix server would. The json must arrive as the plugin
# prints it run directly, the template's discovery must find the fixture's
# jobs in it and every item of every job must resolve. The agent must refuse
# a key whose parameter could reach the shell, without running the plugin.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/zabbix.sh
. "$(dirname "$0")/zabbix.sh"
ZCHECK="$E2E_ROOT/tests/e2e/zabbix_check.py"

[ -x "$ZABBIX_AGENT2" ] || skip_all "zabbix_agent2 is not installed ($ZABBIX_AGENT2)"
[ -x "$ZABBIX_GET" ] || skip_all "zabbix_get is not installed ($ZABBIX_GET)"
plan 10
e2e_setup zabbix-agent
emu_start || bail "emulator starts"
zabbix_etc || bail "the example ini file takes the emulator's URLs and the test's secret files"

# 1: the contrib file substitutes cleanly.
check "check_entra_sync.conf: the plugin's path and /etc/check-entra-sync substitute cleanly" zabbix_userparams
zabbix_agent_start || bail "zabbix_agent2 answers agent.ping on 127.0.0.1"
ok "zabbix_agent2 answers agent.ping on 127.0.0.1:$AGENT_PORT"

# mask: the json without what changes from one run to the next (times,
# ages, the time spent on Graph, and the words that carry them: a second
# later "last success 10m ago" reads "10m 1s ago", "in 25d" "in 24d 23h").
mask() {
	python3 -c '
import json, re, sys
def walk(v):
    if isinstance(v, dict):
        return {k: ("X" if k in ("time", "age", "began", "ended", "current_began", "value") and k != "state" else walk(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [walk(x) for x in v]
    if isinstance(v, str):
        return re.sub(r"N[dhms](?: N[dhms])*", "D", re.sub(r"[0-9]+", "N", v))
    return v
print(json.dumps(walk(json.load(sys.stdin)), sort_keys=True))'
}

# direct KEY: the UserParameter's command line, run as the agent runs it.
direct() {
	local line
	line=$(grep -F "UserParameter=$1," "$T/userparams.conf" | cut -d, -f2-)
	(cd / && as_run_user /bin/sh -c "${line//\$1/$2}")
}

# 3, 4: the job check via the agent: the plugin's json, as run directly.
zget "entra.sync.check[$SP_ID]" >"$T/check.json" 2>"$T/check.err"
direct 'entra.sync.check[*]' "$SP_ID" >"$T/direct.json" 2>/dev/null
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["exit_code"] != 2 or d["state"] != "CRITICAL")' "$T/check.json" 2>/dev/null; then
	ok "entra.sync.check[SP] through zabbix_get: the plugin's json, CRITICAL (the quarantined job)"
else
	not_ok "entra.sync.check[SP] through zabbix_get: the plugin's json, CRITICAL (the quarantined job)"
	diag "$(head -c 600 "$T/check.json")" "$(cat "$T/check.err")"
fi
if [ "$(mask <"$T/check.json")" = "$(mask <"$T/direct.json")" ]; then
	ok "what the agent answers is what the plugin prints run directly"
else
	not_ok "what the agent answers is what the plugin prints run directly"
	diag "$(diff <(mask <"$T/check.json" | tr , '\n') <(mask <"$T/direct.json" | tr , '\n') | head -n 12)"
fi

# 5, 6: the template's discovery and items on the agent's answer.
jobs=$(python3 "$ZCHECK" jobs "$T/check.json" 2>&1)
check "the template's discovery finds the two jobs of the fixture" \
	test "$jobs" = "$SP_ID $BOX_JOB Box
$SP_ID $SCIM_JOB scim"
[ "$jobs" = "$SP_ID $BOX_JOB Box
$SP_ID $SCIM_JOB scim" ] || diag "$jobs"
if items=$(python3 "$ZCHECK" items "$T/check.json" 2>&1) &&
	printf '%s\n' "$items" | grep -qx "entra.sync.job.status\[$SP_ID,$BOX_JOB\] Quarantine" &&
	printf '%s\n' "$items" | grep -qx "entra.sync.job.state\[$SP_ID,$SCIM_JOB\] 0"; then
	ok "every item of the template resolves on it: Box Quarantine, scim state 0"
else
	not_ok "every item of the template resolves on it: Box Quarantine, scim state 0"
	diag "$items"
fi

# 7: the tenant key (service principals file) finds the same jobs.
zget entra.sync.tenant >"$T/tenant.json" 2>&1
check "entra.sync.tenant: the jobs of the service principals file" \
	test "$(python3 "$ZCHECK" jobs "$T/tenant.json" 2>&1)" = "$jobs"

# 8: a parameter the shell would read is refused; the plugin does not run.
before=$(emu GET /_emu/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["graph_requests"])')
out=$(zget "entra.sync.check[\"x; touch $T/pwned\"]" 2>&1)
after=$(emu GET /_emu/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["graph_requests"])')
if [ ! -e "$T/pwned" ] && [ "$before" = "$after" ] && printf '%s' "$out" | grep -q ZBX_NOTSUPPORTED; then
	ok "a key with ; and a blank in its parameter is refused (UnsafeUserParameters=0), nothing runs"
else
	not_ok "a key with ; and a blank in its parameter is refused (UnsafeUserParameters=0), nothing runs"
	diag "answer: $out" "graph requests $before -> $after"
fi

# 9: one sign-in for all runs: the token cache works under the agent.
check "one sign-in for every run through the agent (token cache)" test "$(emu_sign_ins "$READER_ID")" = 1
check "zabbix_agent2 still running" kill -0 "$AGENT_PID"
e2e_done
