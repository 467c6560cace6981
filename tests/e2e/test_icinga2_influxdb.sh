#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Perfdata through Icinga 2's InfluxdbWriter into Debian's InfluxDB 1.x,
# read back with InfluxQL over HTTP. The same story as
# test_icinga2_graphite.sh: the contrib CheckCommand "entra_sync" and
# EventCommand "entra_sync_repair" (entra_sync.conf, included unchanged)
# against the emulator for a one-job service principal (--job) and a 40-job
# one (all jobs); one job of each is quarantined, repaired by the event
# handler and healthy again. A PerfdataWriter records what Icinga 2
# received, so the expected points come from the plugin's own output:
# measurement entra_sync, tags hostname/service/metric, fields value, warn,
# crit, min, max and unit at the check's second; quarantine_age rising then
# 0; no perfdata warning in Icinga 2's log. Then
# contrib/grafana/entra-sync-influxdb.json is run against the stored data.
set -u
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
NAME="Icinga 2 InfluxdbWriter -> InfluxDB"

[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed"
command -v influxd >/dev/null || skip_all "influxd is not installed (influxdb)"

plan 22
e2e_setup influxdb
emu_start || bail "emulator starts"
emu_put_stack || bail "emulator takes the 1-job and the 40-job service principals"
influx_start || bail "influxd answers on its loopback port"
ok "influxd answers on $INFLUX_URL, database icinga2 created, data below the test's directory"

icinga2_stack_conf "object InfluxdbWriter \"influxdb\" {
	host = \"127.0.0.1\"
	port = ${INFLUX_URL##*:}
	database = \"icinga2\"
	flush_interval = 1s
	enable_send_thresholds = true
	enable_send_metadata = true
}"
# Ready once a first check result is in InfluxDB.
influx_has_points() { influx_q icinga2 'SHOW MEASUREMENTS' | grep -q '"entra_sync"'; }
icinga2_stack_run InfluxdbWriter influx_has_points || exit 0
alive() { kill -0 "$ICINGA_PID" 2>/dev/null; }

icinga2_stack_received

out=$(python3 "$SERIES_CHECK" influx "$I/spool/perfdata" --url "$INFLUX_URL" --db icinga2 --since "$STACK_SINCE" --wait 30)
for kind in presence values gap quarantine; do
	case $kind in
	presence) what="every metric of every job in InfluxDB (fields value, warn, crit, min as printed)" ;;
	values) what="InfluxDB holds each check's value, thresholds and unit at its second" ;;
	gap) what="a value Icinga 2 cannot parse (U) is a gap in InfluxDB, not a point" ;;
	quarantine) what="quarantine_age of both repaired jobs rises, then drops to 0 (InfluxDB)" ;;
	esac
	if printf '%s\n' "$out" | grep -q "^$kind: "; then
		not_ok "$what"
		diag "$(printf '%s\n' "$out" | grep "^$kind: " | head -6)"
	else
		ok "$what"
	fi
done

# The schema as InfluxdbWriter 2.13 writes it, for the record.
diag "tag keys: $(influx_q icinga2 'SHOW TAG KEYS FROM "entra_sync"' | python3 -c 'import json,sys; print(" ".join(v[0] for v in json.load(sys.stdin)["results"][0]["series"][0]["values"]))')"
diag "field keys: $(influx_q icinga2 'SHOW FIELD KEYS FROM "entra_sync"' | python3 -c 'import json,sys; print(" ".join("%s(%s)" % tuple(v) for v in json.load(sys.stdin)["results"][0]["series"][0]["values"]))')"

icinga2_stack_log_quiet InfluxdbWriter

if out=$(python3 "$DASHBOARDS_CHECK" grafana-influx "$E2E_ROOT/contrib/grafana/entra-sync-influxdb.json" --url "$INFLUX_URL" --db icinga2); then
	ok "Grafana dashboard (InfluxDB): every variable and every panel query finds stored series and fields"
else
	not_ok "Grafana dashboard (InfluxDB): every variable and every panel query finds stored series and fields"
	diag "$(printf '%s\n' "$out" | head -8 | cut -c1-300)"
fi

check "icinga2 still running at the end" alive
e2e_done
