#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# contrib/prometheus in Debian's own Prometheus and node_exporter: the
# commands of check-entra-sync-textfile.service (the directory sync line
# uncommented, paths moved below the test's directory) write their textfiles
# as nagios; a real prometheus-node-exporter reads them with its textfile
# collector; a real Prometheus (a config of the test's own: 1 s scrapes and
# rule evaluations, contrib's entra_sync.rules.yml unchanged) scrapes it. The
# quarantined Box job raises EntraSyncJobQuarantined, read back through the
# HTTP API, and nothing else. The operator starts it (--start) and its next
# cycle quarantines it again (the cause persists): EntraSyncRepairDidNotHelp
# fires; contrib/grafana/entra-sync-prometheus.json finds data for every
# target, the repair episode's included; then the job is started again
# (--force: the plugin backs off after a start that did not help), its next
# cycle succeeds, the unit's command runs again and both alerts clear.
set -u
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
NODE_EXPORTER=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
UNIT="$E2E_ROOT/contrib/prometheus/check-entra-sync-textfile.service"
RULES="$E2E_ROOT/contrib/prometheus/entra_sync.rules.yml"
DASHBOARD="$E2E_ROOT/contrib/grafana/entra-sync-prometheus.json"
SP2=5a1f0c2e-0000-4000-8000-0000000000e2

[ -x "$PROMETHEUS" ] || skip_all "prometheus is not installed"
[ -x "$NODE_EXPORTER" ] || skip_all "prometheus-node-exporter is not installed"
command -v promtool >/dev/null || skip_all "promtool is not installed (prometheus)"

plan 14
e2e_setup prometheus
EMU_CYCLE_DELAY=1 emu_start || bail "emulator starts"
# A second service principal with a job in its first cycle (progress), and
# a tenant that syncs its directory.
emu PUT "/_emu/servicePrincipals/$SP2" "$(python3 - "$E2E_ROOT/tests/emulator/fixtures/shapes.json" <<'PY'
import json, sys
job = next(j for j in json.load(open(sys.argv[1]))["jobs"] if j["templateId"] == "servicenow")
print(json.dumps({"appId": "bbbbbbbb-0000-0000-0000-0000000000e2", "jobs": [job]}))
PY
)" >/dev/null && emu POST /_emu/fixtures/dirsync-syncing '{}' >/dev/null ||
	bail "emulator takes a second service principal and a syncing directory"

# The plugin's default directories below the test's (CHECK_ENTRA_SYNC_ROOT).
export CHECK_ENTRA_SYNC_ROOT="$T/root"
mkdir -p "$T/root/tmp" "$T/textfile" "$T/etc"
chmod 1777 "$T/root/tmp"
own_by_run_user "$T/textfile"
# The example ini with the auditor (who may read the directory sync and the
# application's secrets) for the checks, the writer for the repair.
secret_file "$T/reader.secret" "$AUDITOR_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
example_ini "$T/etc/check_entra_sync.ini" || bail "the example ini takes the test's URLs and files"
sed -i -e "s/client-id = $READER_ID/client-id = $AUDITOR_ID/" \
	-e '/^\[check_entra_sync\]/a secret-expiry' "$T/etc/check_entra_sync.ini"
printf '%s\n%s second\n' "$SP_ID" "$SP2" >"$T/etc/entra-sync-service-principals"

# The unit's commands, the directory sync line uncommented, every path
# moved below $T: one command a line in $T/commands.
sed -e 's|^#ExecStart=|ExecStart=|' \
	-e "s|/usr/lib/nagios/plugins/check_entra_sync|$PLUGIN_DIR/check_entra_sync|g" \
	-e "s|/etc/check-entra-sync/|$T/etc/|g" \
	-e "s|/var/lib/prometheus/node-exporter|$T/textfile|g" \
	-e "s|/var/cache/check-entra-sync|$T/root|g" "$UNIT" >"$T/unit.service"
sed -n 's/^ExecStart=//p' "$T/unit.service" >"$T/commands"
if command -v systemd-analyze >/dev/null; then
	said=$(systemd-analyze verify "$T/unit.service" 2>&1 | grep '^unit.service:' | grep -v "Command 'man ")
	if [ -z "$said" ] && [ "$(wc -l <"$T/commands")" = 2 ]; then
		ok "systemd-analyze verify finds nothing in the service (two commands)"
	else
		not_ok "systemd-analyze verify finds nothing in the service (two commands)"
		diag "$said" "$(cat "$T/commands")"
	fi
else
	ok "the service has two commands # SKIP systemd-analyze is not installed"
fi

# run_unit: each command of the unit as nagios; STATUSES their exit
# statuses, OUTPUT what they printed.
run_unit() {
	local line
	STATUSES="" OUTPUT=""
	while IFS= read -r line; do
		# shellcheck disable=SC2086 # the unit's words, as systemd splits them here
		OUTPUT+=$(as_run_user env CHECK_ENTRA_SYNC_ROOT="$T/root" $line 2>&1)
		STATUSES+="$? "
	done <"$T/commands"
}
run_unit
check "the unit's commands exit 2 (Box quarantined) and 0 (directory sync), printing nothing" \
	test "$STATUSES|$OUTPUT" = "2 0 |"
[ -z "$OUTPUT" ] || diag "$OUTPUT"
promtool_said=$(cat "$T/textfile/entra_sync.prom" | promtool check metrics 2>&1 &&
	promtool check metrics <"$T/textfile/entra_sync_directory.prom" 2>&1)
if [ $? -eq 0 ] && [ -z "$promtool_said" ]; then
	ok "promtool check metrics says nothing about either textfile"
else
	not_ok "promtool check metrics says nothing about either textfile"
	diag "$promtool_said"
fi

NE_PORT=$(free_port)
spawn "$T/node_exporter.log" "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NE_PORT" \
	--collector.disable-defaults --collector.textfile --collector.textfile.directory="$T/textfile"
http() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null; }
ne_serves() { http "http://127.0.0.1:$NE_PORT/metrics" | grep -q "^entra_sync_job_quarantined{.*sync_job=\"$BOX_JOB\".*} 1\$"; }
if wait_for 15 ne_serves; then
	ok "node_exporter's textfile collector serves entra_sync_job_quarantined 1 of the Box job"
else
	not_ok "node_exporter's textfile collector serves entra_sync_job_quarantined 1 of the Box job"
	diag "$(tail -5 "$T/node_exporter.log")"
fi
read_both() {
	http "http://127.0.0.1:$NE_PORT/metrics" | grep -cE '^node_textfile_scrape_error 0$|^node_textfile_mtime_seconds\{file="[^"]*entra_sync(_directory)?\.prom"\}'
}
check "node_exporter read both files without an error" test "$(read_both)" = 3

PROM_PORT=$(free_port)
PROM="http://127.0.0.1:$PROM_PORT"
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
EOF
spawn "$T/prometheus.log" "$PROMETHEUS" --config.file="$T/prometheus.yml" \
	--storage.tsdb.path="$T/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
ready() { http "$PROM/-/ready" | grep -q Ready; }
wait_for 30 ready || bail "Prometheus is ready on $PROM ($(tail -3 "$T/prometheus.log"))"

# firing NAME [JOB]: the names (and sync_job) of the firing alerts, one a line.
firing() {
	http "$PROM/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["state"] == "firing":
        print(a["labels"]["alertname"], a["labels"].get("sync_job", "-"))' | sort
}
# box_fires ALERT WHAT: ok when ALERT fires for the Box job within 30 s;
# FIRED collects the alerts that did.
FIRED=""
box_firing() { firing | grep -qx "$1 $BOX_JOB"; }
box_fires() {
	if wait_for 30 box_firing "$1"; then
		FIRED+="$1;"
		ok "$1 fires for the Box job ($2)"
	else
		not_ok "$1 fires for the Box job ($2)"
		diag "$(http "$PROM/api/v1/alerts")" "$(grep -E 'entra_sync_job_(quarantined|episode|last_start)' "$T/textfile/entra_sync.prom")"
	fi
}
box_fires EntraSyncJobQuarantined "Prometheus' /api/v1/alerts"
# active: the alerts firing or pending (a rule with for: is pending first),
# as firing prints them.
active() {
	http "$PROM/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    print(a["labels"]["alertname"], a["labels"].get("sync_job", "-"))' | sort
}
# evaluated_since TS: every rule group was evaluated after TS (unix seconds).
evaluated_since() {
	http "$PROM/api/v1/rules" | python3 -c '
import datetime, json, re, sys
groups = json.load(sys.stdin)["data"]["groups"]
def t(s):
    s = re.sub(r"(\.[0-9]{6})[0-9]+", r"\1", s).replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).timestamp()
sys.exit(0 if groups and all(t(g["lastEvaluation"]) > float(sys.argv[1]) for g in groups) else 1)' "$1"
}
# only_box_active: two rule evaluations from now (each on a later scrape of
# the same textfiles), the Box job's quarantine is the only alert active.
only_box_active() {
	local since
	for _ in 1 2; do
		since=$(date +%s.%N)
		wait_for 10 evaluated_since "$since" || { diag "no rule evaluation within 10 s"; return 1; }
	done
	test "$(active)" = "EntraSyncJobQuarantined $BOX_JOB"
}
check "no other alert fires or is pending, two evaluations later (a healthy scim job, a job in its first cycle, a syncing directory)" \
	only_box_active
diag "active: $(active | tr '\n' ';')"

# start_box [--force]: the operator's start of the Box job, then its next
# cycle (the emulator's cycle_delay, 1 s, passed; the cycle run now), then
# the unit's commands (STATUSES, OUTPUT).
start_box() {
	out=$(as_run_user env CHECK_ENTRA_SYNC_ROOT="$T/root" "$PLUGIN_DIR/check_entra_sync" \
		--extra-opts="entra_sync_repair@$T/etc/check_entra_sync.ini" -s "$SP_ID" -j "$BOX_JOB" --start "$@" 2>&1)
	rc=$?
	diag "$out"
	sleep 1.5
	emu POST "/_emu/jobs/$BOX_JOB/cycle" '{}' >/dev/null
	run_unit
	return $rc
}

# A start that did not help: the cause persists, the next cycle quarantines
# the job again for the same reason.
emu POST "/_emu/jobs/$BOX_JOB/next-cycle" \
	'{"outcome":"quarantine","reason":"EncounteredQuarantineException","error_code":"BoxInsufficientPermissions"}' >/dev/null
start_box
rc=$?
check "--start starts the Box job; its next cycle quarantines it again: the unit's commands exit 2 and 0" \
	test "$rc|$STATUSES|$OUTPUT" = "0|2 0 |"
[ -z "$OUTPUT" ] || diag "$OUTPUT"
box_fires EntraSyncRepairDidNotHelp "entra_sync_job_last_start_futile 1"
check "the two alerts of the Box job fire, and nothing else" \
	test "$(firing | tr '\n' ';')" = "EntraSyncJobQuarantined $BOX_JOB;EntraSyncRepairDidNotHelp $BOX_JOB;"

said=$(python3 "$E2E_ROOT/tests/e2e/dashboards_check.py" grafana-prometheus "$DASHBOARD" --url "$PROM" 2>&1)
if [ $? -eq 0 ]; then
	ok "every variable and every target of the Grafana dashboard finds data in Prometheus"
else
	not_ok "every variable and every target of the Grafana dashboard finds data in Prometheus"
	diag "$said"
fi

# The repair: the cause fixed, the operator's start (forced past the
# backoff), the job's next cycle succeeds, the unit again.
emu POST "/_emu/jobs/$BOX_JOB/next-cycle" '{"outcome":"succeed"}' >/dev/null
start_box --force
rc=$?
check "--start --force starts the Box job; its next cycle succeeds: the unit's commands exit 0 and 0" \
	test "$rc|$STATUSES|$OUTPUT" = "0|0 0 |"
[ -z "$OUTPUT" ] || diag "$OUTPUT"
box_quiet() { ! firing | grep -qE "^(EntraSyncJobQuarantined|EntraSyncRepairDidNotHelp) "; }
if [ "$FIRED" = "EntraSyncJobQuarantined;EntraSyncRepairDidNotHelp;" ] && wait_for 30 box_quiet; then
	ok "EntraSyncJobQuarantined and EntraSyncRepairDidNotHelp clear once the repaired job is checked again"
else
	not_ok "EntraSyncJobQuarantined and EntraSyncRepairDidNotHelp clear once the repaired job is checked again"
	diag "$(firing)"
fi
check "the textfile directory holds the two files and no temporary one" \
	test "$(ls -A "$T/textfile" | tr '\n' ' ')" = "entra_sync.prom entra_sync_directory.prom "
e2e_done
