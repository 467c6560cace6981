#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end with Nagios Core 4: contrib/nagios/commands.cfg and services.cfg
# (included unchanged) drive the plugin against the emulator. The quarantined
# Box job must go CRITICAL HARD, the event handler must start it exactly
# once, and the service must come back OK, all read from Nagios' own log
# and status.dat. As recommended, the check signs in as the read-only
# reader and the handler (entra_sync_repair_own_identity) as the writer,
# which the emulator's sign-in counters must show. A second service on a
# second quarantined job uses one identity for both with the plain
# entra_sync_repair (what --list --format=nagios prints). A third service
# checks the tenant's directory synchronization with
# check_entra_sync_directory as the auditor, the secret's end included. A
# fourth checks the healthy job with check_entra_sync_ini, its identity and
# URLs from the example ini file (--extra-opts), none in the service.
# Every service names its own --state-dir and --token-cache: the default
# directories are the machine's, shared with whatever else runs there.
# A fifth, volatile (its handler runs on every CRITICAL check), watches a
# job that breaks for good once the others are done: each start clears the
# quarantine, the next cycle brings it back, and the handler backs off,
# twice the gap each time, as the handler's records, the emulator and
# Nagios' log of state changes show.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
HOST=entra-emulator
SVC="Entra sync Box"
SVC_LEGACY="Entra sync Box legacy"
SVC_DIR="Entra directory sync"
SVC_INI="Entra sync SCIM ini"
SVC_FUTILE="Entra sync futile"

[ -x "$NAGIOS" ] || skip_all "nagios4 is not installed ($NAGIOS)"
plan 23
e2e_setup nagios
emu_start || bail "emulator starts"
emu_add_legacy || bail "emulator takes the one-identity client and job"
emu_add_futile || bail "emulator takes the job whose cause will persist"

N="$T/nagios"
mkdir -p "$N/checkresults" "$T/state"
secret_file "$T/reader.secret" "$READER_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
secret_file "$T/legacy.secret" "$LEGACY_SECRET"
secret_file "$T/auditor.secret" "$AUDITOR_SECRET"
example_ini "$T/check_entra_sync.ini" || bail "the example ini file takes the emulator's URLs and the test's secret files"

{
	nagios_objects "$HOST" "Graph emulator"
	cat <<EOF

define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC
	contacts		e2e
	notifications_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$READER_ID
	_ENTRA_SECRET_FILE	$T/reader.secret
	_ENTRA_REPAIR_CLIENT_ID	$WRITER_ID
	_ENTRA_REPAIR_SECRET_FILE	$T/writer.secret
	_ENTRA_SP		$SP_ID
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --state-dir $T/state --login-url $EMU_URL --graph-url $EMU_URL
	check_command		check_entra_sync!--job $BOX_JOB
	event_handler		entra_sync_repair_own_identity!--job $BOX_JOB
}

define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC_LEGACY
	contacts		e2e
	notifications_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$LEGACY_ID
	_ENTRA_SECRET_FILE	$T/legacy.secret
	_ENTRA_SP		$LEGACY_SP
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --state-dir $T/state --login-url $EMU_URL --graph-url $EMU_URL
	check_command		check_entra_sync!--job $LEGACY_JOB
	event_handler		entra_sync_repair!--job $LEGACY_JOB
}

define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC_DIR
	contacts		e2e
	notifications_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$AUDITOR_ID
	_ENTRA_SECRET_FILE	$T/auditor.secret
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --login-url $EMU_URL --graph-url $EMU_URL --secret-expiry
	check_command		check_entra_sync_directory
	event_handler_enabled	0
}

define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC_INI
	contacts		e2e
	notifications_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_EXTRA_OPTS	@$T/check_entra_sync.ini
	_ENTRA_REPAIR_EXTRA_OPTS	entra_sync_repair@$T/check_entra_sync.ini
	_ENTRA_SP		$SP_ID
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --state-dir $T/state
	check_command		check_entra_sync_ini!--job $SCIM_JOB
	event_handler		entra_sync_repair_ini!--job $SCIM_JOB
}

define service {
	use			entra-sync-service
	host_name		$HOST
	service_description	$SVC_FUTILE
	contacts		e2e
	notifications_enabled	0
	is_volatile		1
	check_interval		1
	retry_interval		1
	max_check_attempts	1
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$READER_ID
	_ENTRA_SECRET_FILE	$T/reader.secret
	_ENTRA_REPAIR_CLIENT_ID	$WRITER_ID
	_ENTRA_REPAIR_SECRET_FILE	$T/writer.secret
	_ENTRA_SP		$FUTILE_SP
	_ENTRA_OPTIONS		--timeout 20 --token-cache $T/cache --state-dir $T/state --login-url $EMU_URL --graph-url $EMU_URL
	check_command		check_entra_sync!--job $FUTILE_JOB
	event_handler		entra_sync_repair_own_identity!--job $FUTILE_JOB --cooldown $FUTILE_COOLDOWN --max-starts 50
}
EOF
} >"$N/objects.cfg"
# shellcheck disable=SC2119 # no settings beyond the shared ones
nagios_conf
own_by_run_user "$T/state"

# 1: the configuration, contrib files included, validates.
nagios_verify "nagios4 -v accepts the contrib definitions" || exit 0
nagios_spawn

# svc_field KEY [SERVICE]: a field of a service's block in status.dat.
svc_field() { nagios_field "$1" "${2:-$SVC}"; }
svc_listed() { [ -n "$(svc_field current_state)" ]; }
svc_ok() { [ "$(svc_field current_state "${1:-$SVC}")" = 0 ]; }

# 2: Nagios runs and lists the service.
if wait_for 15 svc_listed && nagios_alive; then
	ok "nagios4 runs and reports the service in status.dat"
else
	not_ok "nagios4 runs and reports the service in status.dat"
	diag "$(tail -20 "$T/nagios.out" "$N/nagios.log" 2>/dev/null)"
	exit 0
fi

# Check at once instead of waiting for the first scheduled slot.
now=$(date +%s)
nagios_command "SCHEDULE_FORCED_SVC_CHECK;$HOST;$SVC;$now" "SCHEDULE_FORCED_SVC_CHECK;$HOST;$SVC_LEGACY;$now"

# 3: CRITICAL HARD, as Nagios logs it.
if wait_for 30 nagios_log_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL"; then
	ok "service reaches CRITICAL HARD (nagios.log)"
else
	not_ok "service reaches CRITICAL HARD (nagios.log)"
	diag "$(grep -E 'SERVICE|Warning|Error' "$N/nagios.log" | tail -10)"
fi

# 4: the event handler ran for that hard state.
check "event handler entra_sync_repair_own_identity runs on CRITICAL HARD" \
	wait_for 5 nagios_log_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair_own_identity!"

# 5: the service returns to OK (log, then status.dat).
if wait_for 25 nagios_log_has "SERVICE ALERT: $HOST;$SVC;OK;HARD;"; then
	ok "service returns to OK after the repair (nagios.log)"
else
	not_ok "service returns to OK after the repair (nagios.log)"
	diag "$(grep -E 'SERVICE ALERT' "$N/nagios.log" | tail -5)"
	diag "status.dat: state=$(svc_field current_state) output=$(svc_field plugin_output)"
fi
check "status.dat shows the service OK" wait_for 5 svc_ok

# The directory sync service: OK, with the directory's and the credential's metrics.
dir_ok() { svc_ok "$SVC_DIR" && svc_field performance_data "$SVC_DIR" | grep -q 'last_sync_age=.*sync_interval=.*credential_expires_in='; }
if wait_for 20 dir_ok; then
	ok "check_entra_sync_directory: OK with last_sync_age, sync_interval, credential_expires_in (status.dat)"
else
	not_ok "check_entra_sync_directory: OK with last_sync_age, sync_interval, credential_expires_in (status.dat)"
	diag "status.dat: state=$(svc_field current_state "$SVC_DIR") output=$(svc_field plugin_output "$SVC_DIR") perfdata=$(svc_field performance_data "$SVC_DIR")"
fi

# The ini service: OK, its identity from the file alone.
ini_ok() { svc_ok "$SVC_INI" && svc_field plugin_output "$SVC_INI" | grep -q "^ENTRA SYNC OK - scim active"; }
if wait_for 20 ini_ok; then
	ok "check_entra_sync_ini (identity from the example ini file via --extra-opts): OK, scim active"
else
	not_ok "check_entra_sync_ini (identity from the example ini file via --extra-opts): OK, scim active"
	diag "status.dat: state=$(svc_field current_state "$SVC_INI") output=$(svc_field plugin_output "$SVC_INI")"
fi

# The one-identity service: the same cycle with entra_sync_repair.
if wait_for 20 nagios_log_has "SERVICE EVENT HANDLER: $HOST;$SVC_LEGACY;CRITICAL;HARD;[0-9]+;entra_sync_repair!" &&
	wait_for 25 nagios_log_has "SERVICE ALERT: $HOST;$SVC_LEGACY;OK;HARD;" && wait_for 5 svc_ok "$SVC_LEGACY"; then
	ok "one identity (entra_sync_repair): CRITICAL HARD, handler, back to OK"
else
	not_ok "one identity (entra_sync_repair): CRITICAL HARD, handler, back to OK"
	diag "$(grep -F "$SVC_LEGACY" "$N/nagios.log" | tail -5)"
fi

# Two more checks of the repaired Box job: a healthy job must not be started again.
check "two more check results of the repaired Box service (status.dat)" checked_twice_more svc_field last_check

# 6-7: exactly one start, never a restart.
starts=$(emu_starts "$BOX_JOB")
restarts=$(emu_restarts "$BOX_JOB")
if [ "$starts" = 1 ]; then ok "emulator recorded exactly one start"; else
	not_ok "emulator recorded exactly one start"
	diag "starts=$starts"
fi
check "emulator recorded no restart" test "$restarts" = 0
check_identity_split

# The futile start story: the job breaks, the cause persists.
futile_begin || bail "emulator quarantines the futile job"
futile_states() { nagios_log "SERVICE ALERT: $HOST;$SVC_FUTILE;" | cut -d';' -f3; }
futile_output() { svc_field plugin_output "$SVC_FUTILE"; }
futile_story futile_states futile_output

# 8: the handler kept its record in --state-dir, the token cache is private.
check "event handler wrote its state below --state-dir" test -n "$(ls -A "$T/state" 2>/dev/null)"
check "token cache directory is 0700" test "$(stat -c %a "$T/cache" 2>/dev/null)" = 700
if grep -rqF -e "$WRITER_SECRET" -e "$READER_SECRET" -e "$LEGACY_SECRET" -e "$AUDITOR_SECRET" "$N" "$T/state" "$T/nagios.out" 2>/dev/null; then
	not_ok "no secret in Nagios' files, logs or the state dir"
else
	ok "no secret in Nagios' files, logs or the state dir"
fi

check "nagios4 still running at the end" nagios_alive
diag "$(grep -E 'SERVICE (ALERT|EVENT HANDLER)' "$N/nagios.log" | sed -E 's/^\[[0-9]+\] //' | cut -c1-160)"
e2e_done
