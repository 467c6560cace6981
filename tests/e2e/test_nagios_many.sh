#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# 40 jobs in one check, through Nagios Core 4 and NRPE: the plugin checks
# every job of the 40-job service principal (one quarantined) without
# --job, as a Nagios service (contrib/nagios/commands.cfg, services.cfg,
# included unchanged) and as the check_entra_sync_all command of
# nrpe.cfg.example (only ports, paths, URLs and the service principal
# substituted). Nagios keeps at most 8 KiB of plugin output; the plugin's
# budget (--max-output, default 8192) must make the whole first line and
# parseable perfdata arrive: status.dat's plugin_output, performance_data and
# long_plugin_output, and check_nrpe's output, against the plugin run
# directly. Perfdata is held to a strict grammar ('label'=value[UOM];warn;
# crit;min;max, units s, % or none, unique labels) and to the label rule.
set -u
export PATH="/usr/bin:$PATH"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
NRPE=${NRPE:-/usr/sbin/nrpe}
CHECK_NRPE=${CHECK_NRPE:-/usr/lib/nagios/plugins/check_nrpe}
HOST=entra-emulator
SVC="Entra sync all jobs"

plan 16
e2e_setup nagios-many
emu_start || bail "emulator starts"
emu_put_stack --quarantined || bail "emulator takes the 40-job service principal"
SP_50=5a1f0c2e-0000-4000-8000-0000000000e5
emu POST "/_emu/servicePrincipals/$SP_50/generate-jobs" \
	'{"count":50,"mix":{"healthy":45,"quarantined":3,"failed":2}}' >/dev/null ||
	bail "emulator takes the 50-job service principal"
secret_file "$T/reader.secret" "$READER_SECRET"
# Its own token cache and state directory: the default ones are the
# machine's, shared with whatever else runs there.
mkdir -p "$T/cache" "$T/state"
if [ "$(id -u)" -eq 0 ]; then chown "$RUN_USER:$RUN_GROUP" "$T/cache" "$T/state"; fi

# The plugin run directly, as the daemons run it.
direct_cmd=("$PLUGIN_DIR/check_entra_sync" --tenant "$TENANT" --client-id "$READER_ID"
	--client-secret-file "$T/reader.secret" --service-principal "$SP_MANY"
	--timeout 20 --token-cache "$T/cache" --state-dir "$T/state" --login-url "$EMU_URL" --graph-url "$EMU_URL")
(cd / && as_run_user "${direct_cmd[@]}") >"$T/direct.out" 2>/dev/null
direct_rc=$?
pc() { python3 "$PERFDATA_CHECK" "$@"; }
# mask: ages and times tick between runs ("1m ago", "1m 2s ago", 601s);
# everything else must match.
mask() { sed -E 's/[0-9]+[dhms]\b( [0-9]+[dhms]\b)*/D/g; s/[0-9]+/N/g'; }
summary_of() { head -n 1 | sed 's/ | .*//; s/|.*//'; }
labels_of() { pc labels "$@" | sort; }

diag "direct: exit $direct_rc, $(wc -c <"$T/direct.out") bytes, $(wc -l <"$T/direct.out") lines, first line $(head -n 1 "$T/direct.out" | wc -c) bytes"
check "direct run: exit 2 (one job quarantined)" test "$direct_rc" = 2
if out=$(pc grammar <"$T/direct.out"); then ok "direct run: perfdata strict grammar"; else
	not_ok "direct run: perfdata strict grammar"
	diag "$(printf '%s\n' "$out" | head -5)"
fi
if out=$(pc rule --jobs "$T/sp-many.json" <"$T/direct.out"); then ok "direct run: labels by the rule (prefix per job, [A-Za-z0-9_]{1,60}, unique, units)"; else
	not_ok "direct run: labels by the rule (prefix per job, [A-Za-z0-9_]{1,60}, unique, units)"
	diag "$(printf '%s\n' "$out" | head -5)"
fi
if out=$(pc budget --jobs "$T/sp-many.json" --max-output 8192 <"$T/direct.out"); then
	ok "direct run: within 8192 bytes, summary under 200 characters, the three kept metrics of every job"
else
	not_ok "direct run: within 8192 bytes, summary under 200 characters, the three kept metrics of every job"
	diag "$(printf '%s\n' "$out" | head -5)"
fi

# --- Nagios ------------------------------------------------------------------
if [ ! -x "$NAGIOS" ]; then
	# as many skips as the tests below, so that the plan still holds
	for n in 1 2 3 4 5 6 7; do skip "Nagios 4 keeps the 40-job output ($n/7)" "nagios4 is not installed"; done
else
	N="$T/nagios"
	mkdir -p "$N"
	{
		nagios_objects "$HOST" "Graph emulator"
		cat <<EOF
define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC
	contacts		e2e
	notifications_enabled	0
	event_handler_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$READER_ID
	_ENTRA_SECRET_FILE	$T/reader.secret
	_ENTRA_SP		$SP_MANY
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --state-dir $T/state --login-url $EMU_URL --graph-url $EMU_URL
	check_command		check_entra_sync
}
EOF
	} >"$N/objects.cfg"
	nagios_conf enable_event_handlers=0
	nagios_verify "nagios4 -v accepts the contrib definitions and the all-jobs service"
	nagios_spawn

	# svc_field KEY: a field of the service's block in status.dat (as written).
	svc_field() { nagios_field "$1" "$SVC"; }
	checked() { [ "$(svc_field has_been_checked)" = 1 ] && [ -n "$(svc_field plugin_output)" ]; }
	wait_for 15 test -p "$N/nagios.cmd" || true
	nagios_command "SCHEDULE_FORCED_SVC_CHECK;$HOST;$SVC;$(date +%s)"
	if wait_for 40 checked; then
		ok "nagios4 ran the all-jobs check (status.dat)"
		svc_field plugin_output >"$T/nagios.output"
		svc_field performance_data >"$T/nagios.perfdata"
		# status.dat escapes the long output's newlines as \n.
		svc_field long_plugin_output | sed 's/\\n/\n/g' >"$T/nagios.long"
		diag "status.dat: plugin_output $(wc -c <"$T/nagios.output") bytes, performance_data $(wc -c <"$T/nagios.perfdata") bytes, long_plugin_output $(wc -l <"$T/nagios.long") lines"
		check "status.dat: current_state 2 (CRITICAL)" test "$(svc_field current_state)" = 2
		# Nagios 4 turns ';' in plugin output into ':' (it delimits its log and commands).
		summary_of <"$T/direct.out" | grep -q ';' && diag "Nagios shows the summary's ';' as ':'"
		if [ "$(mask <"$T/nagios.output")" = "$(summary_of <"$T/direct.out" | tr ';' ':' | mask)" ]; then
			ok "status.dat plugin_output: the whole summary of the first line"
		else
			not_ok "status.dat plugin_output: the whole summary of the first line"
			diag "nagios: $(cut -c1-200 "$T/nagios.output")" "direct: $(summary_of <"$T/direct.out" | cut -c1-200)"
		fi
		if out=$(pc grammar --perfdata <"$T/nagios.perfdata") &&
			[ "$(labels_of --perfdata <"$T/nagios.perfdata")" = "$(labels_of <"$T/direct.out")" ]; then
			ok "status.dat performance_data: strict grammar, the same labels as the direct run"
		else
			not_ok "status.dat performance_data: strict grammar, the same labels as the direct run"
			diag "$(printf '%s\n' "$out" | head -3)" "labels: $(labels_of --perfdata <"$T/nagios.perfdata" | wc -l) in status.dat, $(labels_of <"$T/direct.out" | wc -l) direct; status.dat ends: $(tail -c 80 "$T/nagios.perfdata")"
		fi
		if [ "$(mask <"$T/nagios.long")" = "$(tail -n +2 "$T/direct.out" | mask)" ]; then
			ok "status.dat long_plugin_output: every long output line"
		else
			not_ok "status.dat long_plugin_output: every long output line"
			diag "$(wc -l <"$T/nagios.long") lines in status.dat, $(tail -n +2 "$T/direct.out" | wc -l) direct"
		fi
	else
		not_ok "nagios4 ran the all-jobs check (status.dat)"
		diag "$(tail -5 "$N/nagios.log" "$T/nagios.out" 2>/dev/null)"
	fi
	check "nagios4 still running" nagios_alive
fi

# --- NRPE --------------------------------------------------------------------
if [ ! -x "$NRPE" ] || [ ! -x "$CHECK_NRPE" ]; then
	for n in 1 2 3 4 5; do skip "check_nrpe keeps the 40- and 50-job output ($n/5)" "nagios-nrpe-server or nagios-nrpe-plugin is not installed"; done
else
	PORT=$(free_port)
	sed -e "s|^server_port=.*|server_port=$PORT\nserver_address=127.0.0.1|" \
		-e "s|^pid_file=.*|pid_file=$T/nrpe.pid\nlog_file=$T/nrpe.log|" \
		-e "s|^nrpe_user=.*|nrpe_user=$RUN_USER|" \
		-e "s|^nrpe_group=.*|nrpe_group=$RUN_GROUP|" \
		-e "s|^allowed_hosts=.*|allowed_hosts=127.0.0.1|" \
		-e "s|^\(command\[[^]]*\]=\)/usr/lib/nagios/plugins/check_entra_sync |\1$PLUGIN_DIR/check_entra_sync --token-cache $T/cache --state-dir $T/state |" \
		-e "s|/etc/check-entra-sync/entra-sync.secret|$T/reader.secret|" \
		-e "s|https://login.microsoftonline.com|$EMU_URL|" \
		-e "s|https://graph.microsoft.com|$EMU_URL|" \
		-e "/^command\[check_entra_sync_all\]=/ s|--service-principal [^ ]*|--service-principal $SP_MANY|" \
		-e "/^command\[check_entra_sync_all_v2\]=/ s|--service-principal [^ ]*|--service-principal $SP_50|" \
		"$E2E_ROOT/nrpe.cfg.example" >"$T/nrpe.cfg"
	if grep -q "^command\[check_entra_sync_all\]=.*--service-principal $SP_MANY" "$T/nrpe.cfg"; then
		spawn "$T/nrpe.out" "$NRPE" -c "$T/nrpe.cfg" -f
		NRPE_PID=$SPAWNED
		on_exit "kill -TERM $NRPE_PID; sleep 0.2; '$CHECK_NRPE' -H 127.0.0.1 -p $PORT -t 2"
		nrpe_up() { "$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 5 >/dev/null 2>&1; }
		if wait_for 10 nrpe_up; then
			"$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 30 -c check_entra_sync_all >"$T/nrpe.out.txt" 2>&1
			nrpe_rc=$?
			diag "check_nrpe: exit $nrpe_rc, $(wc -c <"$T/nrpe.out.txt") bytes, $(wc -l <"$T/nrpe.out.txt") lines"
			check "check_nrpe check_entra_sync_all: exit code as run directly" test "$nrpe_rc" = "$direct_rc"
			if [ "$(head -n 1 "$T/nrpe.out.txt" | mask)" = "$(head -n 1 "$T/direct.out" | mask)" ] &&
				pc grammar <"$T/nrpe.out.txt" >/dev/null &&
				[ "$(labels_of <"$T/nrpe.out.txt")" = "$(labels_of <"$T/direct.out")" ]; then
				ok "check_nrpe: the whole first line, perfdata strict and with the same labels as direct"
			else
				not_ok "check_nrpe: the whole first line, perfdata strict and with the same labels as direct"
				diag "first line: $(head -n 1 "$T/nrpe.out.txt" | wc -c) bytes via NRPE, $(head -n 1 "$T/direct.out" | wc -c) direct; ends: $(head -n 1 "$T/nrpe.out.txt" | tail -c 80)"
			fi
			if [ "$(mask <"$T/nrpe.out.txt")" = "$(mask <"$T/direct.out")" ]; then
				ok "check_nrpe: the whole output as run directly"
			else
				not_ok "check_nrpe: the whole output as run directly"
				diag "$(wc -l <"$T/nrpe.out.txt") lines via NRPE, $(wc -l <"$T/direct.out") direct"
			fi
			# 50 jobs through version 2 packets (1 KiB) with --max-output 1023.
			v2_cmd=("${direct_cmd[@]/$SP_MANY/$SP_50}" --max-output 1023)
			(cd / && as_run_user "${v2_cmd[@]}") >"$T/direct50.out" 2>/dev/null
			"$CHECK_NRPE" -2 -H 127.0.0.1 -p "$PORT" -t 30 -c check_entra_sync_all_v2 >"$T/nrpe50.out" 2>&1
			v2_rc=$?
			diag "50 jobs: direct $(wc -c <"$T/direct50.out") bytes, check_nrpe -2 $(wc -c <"$T/nrpe50.out") bytes, exit $v2_rc"
			v2_fits() { [ "$(wc -c <"$T/direct50.out")" -le 1023 ] && pc grammar <"$T/direct50.out" >/dev/null; }
			v2_same() { [ "$v2_rc" = 2 ] && [ "$(mask <"$T/nrpe50.out")" = "$(mask <"$T/direct50.out")" ]; }
			check "check_nrpe -2, 50 jobs: the output fits 1023 bytes, whole lines and metrics" v2_fits
			check "check_nrpe -2, 50 jobs: exit code, whole output and perfdata as run directly" v2_same
		else
			not_ok "nrpe answers check_nrpe on 127.0.0.1:$PORT"
			diag "$(tail -5 "$T/nrpe.out")"
		fi
	else
		not_ok "nrpe.cfg.example has a check_entra_sync_all command to point at the 40-job service principal"
	fi
fi
e2e_done
