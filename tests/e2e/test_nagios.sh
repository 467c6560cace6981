#!/usr/bin/env bash
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
# check_entra_sync_directory as the auditor, the secret's end included.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
HOST=entra-emulator
SVC="Entra sync Box"
SVC_LEGACY="Entra sync Box legacy"
SVC_DIR="Entra directory sync"

[ -x "$NAGIOS" ] || skip_all "nagios4 is not installed ($NAGIOS)"
plan 17
e2e_setup nagios
emu_start || bail "emulator starts"
emu_add_legacy || bail "emulator takes the one-identity client and job"

N="$T/nagios"
mkdir -p "$N/checkresults" "$T/state"
secret_file "$T/reader.secret" "$READER_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
secret_file "$T/legacy.secret" "$LEGACY_SECRET"
secret_file "$T/auditor.secret" "$AUDITOR_SECRET"

cat >"$N/resource.cfg" <<EOF
\$USER1\$=$PLUGIN_DIR
EOF

cat >"$N/objects.cfg" <<EOF
define timeperiod {
	timeperiod_name	24x7
	alias		always
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
}

define contact {
	contact_name			e2e
	alias				e2e
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	24x7
	service_notification_period	24x7
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	e2e-none
	service_notification_commands	e2e-none
}

define command {
	command_name	e2e-none
	command_line	/bin/true
}

define host {
	host_name		$HOST
	alias			Graph emulator
	address			127.0.0.1
	max_check_attempts	1
	check_period		24x7
	active_checks_enabled	0
	notifications_enabled	0
	contacts		e2e
}

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
EOF

cat >"$N/nagios.cfg" <<EOF
cfg_file=$E2E_ROOT/contrib/nagios/commands.cfg
cfg_file=$E2E_ROOT/contrib/nagios/services.cfg
cfg_file=$N/objects.cfg
resource_file=$N/resource.cfg
log_file=$N/nagios.log
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
status_file=$N/status.dat
status_update_interval=1
temp_file=$N/nagios.tmp
temp_path=$N
lock_file=$N/nagios.lock
check_result_path=$N/checkresults
command_file=$N/nagios.cmd
query_socket=$N/nagios.qh
state_retention_file=$N/retention.dat
retain_state_information=0
debug_file=$N/debug.log
debug_level=0
nagios_user=$RUN_USER
nagios_group=$RUN_GROUP
check_external_commands=1
use_syslog=0
log_notifications=0
log_event_handlers=1
log_initial_states=1
log_passive_checks=0
enable_notifications=0
enable_event_handlers=1
enable_flap_detection=0
execute_service_checks=1
execute_host_checks=0
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
service_interleave_factor=1
max_service_check_spread=1
check_result_reaper_frequency=1
max_check_result_reaper_time=1
service_check_timeout=60
event_handler_timeout=30
enable_environment_macros=0
check_for_updates=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF
if [ "$(id -u)" -eq 0 ]; then chown -R "$RUN_USER:$RUN_GROUP" "$N" "$T/state"; fi

# 1: the configuration, contrib files included, validates.
if "$NAGIOS" -v "$N/nagios.cfg" >"$T/verify.log" 2>&1; then
	ok "nagios4 -v accepts the contrib definitions"
else
	not_ok "nagios4 -v accepts the contrib definitions"
	diag "$(grep -iE 'error|warning' "$T/verify.log" | head -20)"
	exit 0
fi

spawn "$T/nagios.out" "$NAGIOS" "$N/nagios.cfg"
NAGIOS_PID=$SPAWNED

# svc_field KEY [SERVICE]: a field of a service's block in status.dat.
svc_field() {
	awk -v svc="${2:-$SVC}" -v key="$1" '
		/^servicestatus \{/ { inblk = 1; mine = 0; val = ""; next }
		inblk && /^\t*\}/ { if (mine) { print val; exit } inblk = 0; next }
		inblk {
			line = $0; sub(/^[ \t]+/, "", line)
			k = line; sub(/=.*/, "", k); v = line; sub(/^[^=]*=/, "", v)
			if (k == "service_description" && v == svc) mine = 1
			if (k == key) val = v
		}' "$N/status.dat" 2>/dev/null
}
svc_listed() { [ -n "$(svc_field current_state)" ]; }
svc_ok() { [ "$(svc_field current_state "${1:-$SVC}")" = 0 ]; }
log_has() { grep -qE -- "$1" "$N/nagios.log" 2>/dev/null; }
alive() { kill -0 "$NAGIOS_PID" 2>/dev/null; }

# 2: Nagios runs and lists the service.
if wait_for 15 svc_listed && alive; then
	ok "nagios4 runs and reports the service in status.dat"
else
	not_ok "nagios4 runs and reports the service in status.dat"
	diag "$(tail -20 "$T/nagios.out" "$N/nagios.log" 2>/dev/null)"
	exit 0
fi

# Check at once instead of waiting for the first scheduled slot.
now=$(date +%s)
timeout 5 sh -c "printf '[%s] SCHEDULE_FORCED_SVC_CHECK;%s;%s;%s\n' $now '$HOST' '$SVC' $now $now '$HOST' '$SVC_LEGACY' $now >'$N/nagios.cmd'" ||
	diag "could not write to the external command file"

# 3: CRITICAL HARD, as Nagios logs it.
if wait_for 30 log_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL"; then
	ok "service reaches CRITICAL HARD (nagios.log)"
else
	not_ok "service reaches CRITICAL HARD (nagios.log)"
	diag "$(grep -E 'SERVICE|Warning|Error' "$N/nagios.log" | tail -10)"
fi

# 4: the event handler ran for that hard state.
check "event handler entra_sync_repair_own_identity runs on CRITICAL HARD" \
	wait_for 5 log_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair_own_identity!"

# 5: the service returns to OK (log, then status.dat).
if wait_for 25 log_has "SERVICE ALERT: $HOST;$SVC;OK;HARD;"; then
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

# The one-identity service: the same cycle with entra_sync_repair.
if wait_for 20 log_has "SERVICE EVENT HANDLER: $HOST;$SVC_LEGACY;CRITICAL;HARD;[0-9]+;entra_sync_repair!" &&
	wait_for 25 log_has "SERVICE ALERT: $HOST;$SVC_LEGACY;OK;HARD;" && wait_for 5 svc_ok "$SVC_LEGACY"; then
	ok "one identity (entra_sync_repair): CRITICAL HARD, handler, back to OK"
else
	not_ok "one identity (entra_sync_repair): CRITICAL HARD, handler, back to OK"
	diag "$(grep -F "$SVC_LEGACY" "$N/nagios.log" | tail -5)"
fi

# Let a few more checks run: a healthy job must not be started again.
sleep 4

# 6-7: exactly one start, never a restart.
starts=$(emu_starts "$BOX_JOB")
restarts=$(emu_restarts "$BOX_JOB")
if [ "$starts" = 1 ]; then ok "emulator recorded exactly one start"; else
	not_ok "emulator recorded exactly one start"
	diag "starts=$starts"
fi
check "emulator recorded no restart" test "$restarts" = 0
check_identity_split

# 8: the handler kept its record in --state-dir, the token cache is private.
check "event handler wrote its state below --state-dir" test -n "$(ls -A "$T/state" 2>/dev/null)"
check "token cache directory is 0700" test "$(stat -c %a "$T/cache" 2>/dev/null)" = 700
if grep -rqF -e "$WRITER_SECRET" -e "$READER_SECRET" -e "$LEGACY_SECRET" -e "$AUDITOR_SECRET" "$N" "$T/state" "$T/nagios.out" 2>/dev/null; then
	not_ok "no secret in Nagios' files, logs or the state dir"
else
	ok "no secret in Nagios' files, logs or the state dir"
fi

check "nagios4 still running at the end" alive
diag "$(grep -E 'SERVICE (ALERT|EVENT HANDLER)' "$N/nagios.log" | sed -E 's/^\[[0-9]+\] //' | cut -c1-160)"
e2e_done
