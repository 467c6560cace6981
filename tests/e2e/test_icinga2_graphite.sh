#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Perfdata through Icinga 2's GraphiteWriter into Debian's carbon-cache, read
# back from the whisper files and through graphite-web's render API.
# Icinga 2 runs the contrib CheckCommand "entra_sync" and EventCommand
# "entra_sync_repair" (entra_sync.conf, included unchanged) against the
# emulator for a one-job service principal (--job) and a 40-job one (all
# jobs); one job of each is quarantined, repaired by the event handler and
# healthy again. A PerfdataWriter records what Icinga 2 received, so every
# expected series comes from the plugin's own output of this run:
# every metric of every job stored with its thresholds at the check's
# second, quarantine_age rising then 0, no perfdata warning in Icinga 2's
# log. Then contrib/grafana/entra-sync-graphite.json and
# contrib/icingaweb2/entra_sync.ini are run against graphite-web, and the
# repaired job's quarantine graph is rendered to a PNG
# (E2E_PNG_OUT=path keeps a copy, e.g. doc/img/quarantine-age.png).
set -u
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
NAME="Icinga 2 GraphiteWriter -> carbon-cache"

[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed"
command -v carbon-cache >/dev/null || skip_all "carbon-cache is not installed (graphite-carbon)"
/usr/bin/python3 -c 'import whisper' 2>/dev/null || skip_all "python3-whisper is not installed"

plan 26
e2e_setup graphite
emu_start || bail "emulator starts"
emu_put_stack || bail "emulator takes the 1-job and the 40-job service principals"
carbon_start || bail "carbon-cache listens on 127.0.0.1:$CARBON_PORT"
ok "carbon-cache listens on 127.0.0.1:$CARBON_PORT, whisper files below the test's directory"

icinga2_stack_conf "object GraphiteWriter \"graphite\" {
	host = \"127.0.0.1\"
	port = $CARBON_PORT
	enable_send_thresholds = true
	enable_send_metadata = true
}"
# Icinga 2 2.13's GraphiteWriter connects on its 10 s reconnect timer and
# silently drops every metric before that; the jobs are quarantined after.
graphite_connected() { grep -q 'information/GraphiteWriter: Finished reconnecting to Graphite' "$I/log/icinga2.log" 2>/dev/null; }
icinga2_stack_run GraphiteWriter graphite_connected || exit 0
alive() { kill -0 "$ICINGA_PID" 2>/dev/null; }

icinga2_stack_received

# What carbon stored, against what Icinga 2 received.
out=$(python3 "$SERIES_CHECK" graphite "$I/spool/perfdata" --whisper "$CARBON_WHISPER" --since "$STACK_SINCE" --wait 30)
for kind in presence values gap quarantine; do
	case $kind in
	presence) what="every metric of every job in whisper (value, warn, crit, min as printed)" ;;
	values) what="whisper holds each check's value and thresholds at its second" ;;
	gap) what="a value Icinga 2 cannot parse (U) is a gap in whisper, not a point" ;;
	quarantine) what="quarantine_age of both repaired jobs rises, then drops to 0 (whisper)" ;;
	esac
	if printf '%s\n' "$out" | grep -q "^$kind: "; then
		not_ok "$what"
		diag "$(printf '%s\n' "$out" | grep "^$kind: " | head -6)"
	else
		ok "$what"
	fi
done
diag "whisper files: $(find "$CARBON_WHISPER" -name '*.wsp' | wc -l); $(python3 "$SERIES_CHECK" labels "$I/spool/perfdata" --service "$SVC_MANY" | wc -l) labels from $SVC_MANY"

icinga2_stack_log_quiet GraphiteWriter

# The templates as Icinga Web 2 reads them (PHP's parse_ini_string).
out=$(python3 "$DASHBOARDS_CHECK" icingaweb2-php "$E2E_ROOT/contrib/icingaweb2/entra_sync.ini")
case $? in
0) ok "Icinga Web 2 graphite templates: PHP's parse_ini_string reads them as the checks below do" ;;
77) skip "Icinga Web 2 graphite templates: PHP's parse_ini_string reads them as the checks below do" "php-cli is not installed" ;;
*) not_ok "Icinga Web 2 graphite templates: PHP's parse_ini_string reads them as the checks below do"
	diag "$(printf '%s\n' "$out" | head -5 | cut -c1-300)" ;;
esac

# graphite-web: the dashboards and templates query the stored series.
if ! /usr/bin/python3 -c 'import graphite.render' 2>/dev/null; then
	for n in "graphite-web serves the whisper files" "Grafana dashboard (Graphite)" "Icinga Web 2 graphite templates" "quarantine graph PNG"; do
		skip "$n" "graphite-web is not installed"
	done
elif ! graphite_web_start "$CARBON_WHISPER" "$CARBON_QUERY"; then
	not_ok "graphite-web serves the whisper files"
else
	ok "graphite-web serves the whisper files on $GRAPHITE_URL"
	if out=$(python3 "$DASHBOARDS_CHECK" grafana-graphite "$E2E_ROOT/contrib/grafana/entra-sync-graphite.json" --render "$GRAPHITE_URL"); then
		ok "Grafana dashboard (Graphite): every variable and every panel target finds stored series"
	else
		not_ok "Grafana dashboard (Graphite): every variable and every panel target finds stored series"
		diag "$(printf '%s\n' "$out" | head -8 | cut -c1-300)"
	fi
	if out=$(python3 "$DASHBOARDS_CHECK" icingaweb2 "$E2E_ROOT/contrib/icingaweb2/entra_sync.ini" --render "$GRAPHITE_URL" --host "$STACK_HOST"); then
		ok "Icinga Web 2 graphite templates: load, draw every stored metric, data behind every target"
	else
		not_ok "Icinga Web 2 graphite templates: load, draw every stored metric, data behind every target"
		diag "$(printf '%s\n' "$out" | head -8 | cut -c1-300)"
	fi
	# The graph Icinga Web 2 shows for the repaired job, as a PNG.
	out=$(python3 "$DASHBOARDS_CHECK" png "$E2E_ROOT/contrib/icingaweb2/entra_sync.ini" --render "$GRAPHITE_URL" \
		--host "$STACK_HOST" --service "$SVC_ONE" --template entra_sync-quarantine_age --out "$T/quarantine-age.png" \
		--from "$STACK_SINCE" --until "$(($(date +%s) + 2))")
	rc=$?
	values=$(printf '%s\n' "$out" | head -n 1)
	if [ "$rc" = 0 ] && printf '%s\n' "$values" | python3 -c '
import sys
v = [float(x) for x in sys.stdin.read().split()]
sys.path.insert(0, sys.argv[1])
import series_check
sys.exit(0 if series_check.rising_then_zero(v) else 1)' "$E2E_ROOT/tests/e2e"; then
		ok "quarantine graph rendered by graphite-web (800x300 PNG) shows the age rising, then 0"
	else
		not_ok "quarantine graph rendered by graphite-web (800x300 PNG) shows the age rising, then 0"
		diag "$(printf '%s\n' "$out" | head -5 | cut -c1-300)"
	fi
	diag "PNG $(stat -c %s "$T/quarantine-age.png" 2>/dev/null) bytes; series: $values"
	if [ -n "${E2E_PNG_OUT:-}" ] && [ -s "$T/quarantine-age.png" ]; then
		cp "$T/quarantine-age.png" "$E2E_PNG_OUT" && diag "copied to $E2E_PNG_OUT"
	fi
fi

check "icinga2 still running at the end" alive
e2e_done
