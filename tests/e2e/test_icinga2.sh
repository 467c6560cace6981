#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end with the Icinga 2 daemon: CheckCommand "entra_sync" and
# EventCommand "entra_sync_repair" from contrib/icinga2/entra_sync.conf
# (included unchanged) and the apply rule of example-services.conf (only its
# intervals shortened) run the plugin against the emulator. The quarantined
# Box job must go CRITICAL HARD, the event handler must start it exactly
# once, and the service must come back OK, as Icinga 2 itself reports it
# (its REST API, with the state history from its compat log).
# As recommended, the check signs in as the read-only reader and the handler
# as the writer (entra_sync_repair_client_id, entra_sync_repair_client_secret),
# both secrets in the environment (AZURE_CLIENT_SECRET), which the emulator's
# sign-in counters and Icinga's debug log must show. A second host with one identity
# for both (no entra_sync_repair_*) repairs its own quarantined job: the
# handler falls back to the check's identity.
# The tenant's directory synchronization runs through CheckCommand
# "entra_sync_directory" as the auditor, with the client secret's end
# (entra_sync_secret_expiry) and its own threshold variable. A third host
# takes its identity and URLs from the example ini file through
# entra_sync_extra_opts (--extra-opts), as an Icinga Director user would.
# Every host names its own state directory and token cache: the default
# directories are the machine's, shared with whatever else runs there.
# A volatile service (its handler runs on every CRITICAL check) watches a job
# that breaks for good once the others are done: each start clears the
# quarantine, the next cycle brings it back, and the handler backs off, twice
# the gap each time, as the handler's records, the emulator and Icinga 2's
# log of state changes show.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
HOST=entra-emulator
HOST_LEGACY=entra-legacy
HOST_INI=entra-ini
SVC="entra-sync-Box"
SVC_MI="entra-sync-SCIM-mi"
SVC_DIR="entra-directory-sync"
SVC_FUTILE="entra-sync-futile"
MI_USER_ID=aaaaaaaa-0000-0000-0000-00000000000b

[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed ($ICINGA2)"
plan 26
e2e_setup icinga2
emu_start || bail "emulator starts"
emu_add_legacy || bail "emulator takes the one-identity client and job"
emu_add_futile || bail "emulator takes the job whose cause will persist"

I="$T/icinga2"
mkdir -p "$I/data" "$I/log/compat" "$I/cache" "$I/spool" "$I/run" "$T/state"
secret_file "$T/reader.secret" "$READER_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
example_ini "$T/check_entra_sync.ini" || bail "the example ini file takes the emulator's URLs and the test's secret files"

icinga2_example_services ||
	bail "example-services.conf: exactly its three interval lines shortened (changed: $I2_CHANGED)"
# The API needs a certificate for the node; a self-signed one acting as CA.
icinga2_api_conf e2e-icinga2.local '"objects/query/Service", "objects/query/Host"' ||
	bail "openssl makes the API certificate"
cat >>"$I/icinga2.conf" <<EOF

object Host "$HOST" {
	check_command = "dummy"
	check_interval = 1h
	vars.dummy_text = "Graph emulator"

	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$READER_ID"
	vars.entra_sync_client_secret = "$READER_SECRET"
	vars.entra_sync_repair_client_id = "$WRITER_ID"
	vars.entra_sync_repair_client_secret = "$WRITER_SECRET"
	vars.entra_sync_login_url = "$EMU_URL"
	vars.entra_sync_graph_url = "$EMU_URL"
	vars.entra_sync_token_cache = "$T/cache"
	vars.entra_sync_state_dir = "$T/state"
	vars.entra_sync_timeout = 20

	vars.entra_sync_jobs["Box"] = {
		entra_sync_service_principal = "$SP_ID"
		entra_sync_job = "$BOX_JOB"
	}
	/* The healthy job through a user-assigned managed identity: exercises
	 * the --managed-identity=ID rendering and repeated --state. */
	vars.entra_sync_jobs["SCIM-mi"] = {
		entra_sync_service_principal = "$SP_ID"
		entra_sync_job = "$SCIM_JOB"
		entra_sync_managed_identity_client_id = "$MI_USER_ID"
		entra_sync_imds_url = "$EMU_URL"
		entra_sync_state = [ "Paused=ok", "NotConfigured=critical" ]
		entra_sync_warning = "2h"
		entra_sync_critical = "4h"
	}
}

object Service "$SVC_DIR" {
	host_name = "$HOST"
	check_command = "entra_sync_directory"
	max_check_attempts = 2
	check_interval = 2s
	retry_interval = 1s
	vars.entra_sync_client_id = "$AUDITOR_ID"
	vars.entra_sync_client_secret = "$AUDITOR_SECRET"
	vars.entra_sync_secret_expiry = true
	vars.entra_sync_directory_warning = "2h"
}

object Service "$SVC_FUTILE" {
	host_name = "$HOST"
	check_command = "entra_sync"
	event_command = "entra_sync_repair"
	volatile = true
	max_check_attempts = 1
	check_interval = 1s
	retry_interval = 1s
	vars.entra_sync_service_principal = "$FUTILE_SP"
	vars.entra_sync_job = "$FUTILE_JOB"
	vars.entra_sync_cooldown = $FUTILE_COOLDOWN
	vars.entra_sync_max_starts = 50
}

object Host "$HOST_LEGACY" {
	check_command = "dummy"
	check_interval = 1h

	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$LEGACY_ID"
	vars.entra_sync_client_secret = "$LEGACY_SECRET"
	vars.entra_sync_login_url = "$EMU_URL"
	vars.entra_sync_graph_url = "$EMU_URL"
	vars.entra_sync_token_cache = "$T/cache"
	vars.entra_sync_state_dir = "$T/state"

	vars.entra_sync_jobs["Box"] = {
		entra_sync_service_principal = "$LEGACY_SP"
		entra_sync_job = "$LEGACY_JOB"
	}
}

object Host "$HOST_INI" {
	check_command = "dummy"
	check_interval = 1h

	vars.entra_sync_extra_opts = "@$T/check_entra_sync.ini"
	vars.entra_sync_repair_extra_opts = "entra_sync_repair@$T/check_entra_sync.ini"
	vars.entra_sync_token_cache = "$T/cache"
	vars.entra_sync_state_dir = "$T/state"

	vars.entra_sync_jobs["SCIM"] = {
		entra_sync_service_principal = "$SP_ID"
		entra_sync_job = "$SCIM_JOB"
	}
}
EOF

icinga2_defs
own_by_run_user "$I" "$T/state"

# 1: the configuration validates with the contrib definitions.
icinga2_validate "icinga2 daemon -C accepts the contrib definitions" || exit 0
icinga2_spawn

# api_svc ATTR...: attributes of our service from the REST API, space separated.
api_svc() { api_svc_of "$SVC" "$@"; }
api_svc_of() { api_hostsvc_of "$HOST" "$@"; }
api_hostsvc_of() {
	python3 - "https://127.0.0.1:$API_PORT/v1/objects/services/$1!$2" "$API_PASS" "${@:3}" <<'PY' 2>/dev/null
import base64, json, ssl, sys, urllib.parse, urllib.request
url, password, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the daemon's throw-away self-signed certificate
auth = base64.b64encode(("e2e:" + password).encode()).decode()
req = urllib.request.Request(urllib.parse.quote(url, safe=":/!?="),
                             headers={"Accept": "application/json", "Authorization": "Basic " + auth})
try:
    with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
        a = json.load(r)["results"][0]["attrs"]
except Exception:
    sys.exit(1)
def show(v):
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
print(" ".join(show(a.get(k)) for k in keys))
PY
}
svc_listed() { api_svc state >/dev/null; }
# state 0 OK, state_type 1 HARD
svc_ok_hard() { [ "$(api_svc state state_type)" = "0 1" ]; }

# 2: Icinga 2 runs and its API shows the service created by the apply rule.
if wait_for 30 svc_listed && icinga2_alive; then
	ok "icinga2 runs and its API shows the applied service"
else
	not_ok "icinga2 runs and its API shows the applied service"
	diag "$(grep -E 'critical|warning' "$I/log/icinga2.log" 2>/dev/null | tail -10)" "$(tail -5 "$T/icinga2.out")"
	exit 0
fi

# 3: CRITICAL HARD, as Icinga 2 logs it.
if wait_for 30 icinga2_compat_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL"; then
	ok "service reaches CRITICAL HARD (icinga2 compat log)"
else
	not_ok "service reaches CRITICAL HARD (icinga2 compat log)"
	diag "$(grep -F "$SVC" "$I"/log/compat/icinga.log 2>/dev/null | tail -5)"
	diag "API: $(api_svc state state_type last_check_result)"
fi

# 4: the event handler ran on that hard state.
check "event handler runs on CRITICAL HARD" \
	wait_for 5 icinga2_compat_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair"

# 5: back to OK HARD, as the API reports it.
if wait_for 25 svc_ok_hard; then
	ok "service returns to OK after the repair (icinga2 API)"
else
	not_ok "service returns to OK after the repair (icinga2 API)"
	diag "API state/state_type: $(api_svc state state_type)"
	diag "$(grep -F "SERVICE ALERT: $HOST;$SVC" "$I"/log/compat/icinga.log 2>/dev/null | tail -3 | cut -c1-200)"
fi

# The one-identity host: the same cycle, the handler with the check's identity.
legacy_ok_hard() { [ "$(api_hostsvc_of "$HOST_LEGACY" "$SVC" state state_type)" = "0 1" ]; }
if wait_for 20 icinga2_compat_has "SERVICE EVENT HANDLER: $HOST_LEGACY;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair" &&
	wait_for 25 legacy_ok_hard; then
	ok "one identity (no entra_sync_repair_*): CRITICAL HARD, handler, back to OK"
else
	not_ok "one identity (no entra_sync_repair_*): CRITICAL HARD, handler, back to OK"
	diag "$(grep -F "$HOST_LEGACY;" "$I"/log/compat/icinga.log 2>/dev/null | tail -5 | cut -c1-200)"
fi

# The managed-identity service: OK, with the arguments rendered as meant.
mi_checked() { [ "$(api_svc_of "$SVC_MI" last_check)" != "-1" ] && [ -n "$(api_svc_of "$SVC_MI" last_check)" ]; }
wait_for 10 mi_checked >/dev/null
mi=$(api_svc_of "$SVC_MI" state last_check_result)
case "$mi" in
"0 "*"'--managed-identity=$MI_USER_ID'"*"'--state', 'Paused=ok', '--state', 'NotConfigured=critical'"*) ok "managed identity service OK, --managed-identity=ID and repeated --state rendered" ;;
*) not_ok "managed identity service OK, --managed-identity=ID and repeated --state rendered"
	diag "$(printf '%s' "$mi" | cut -c1-1200)" ;;
esac

# The directory sync service: OK as Icinga 2 reports it, with the metrics
# of the directory, the credential's end, and the arguments rendered as meant.
dir_checked() { [ "$(api_svc_of "$SVC_DIR" state)" = 0 ] && api_svc_of "$SVC_DIR" last_check_result | grep -q last_sync_age; }
wait_for 15 dir_checked >/dev/null
dir=$(api_svc_of "$SVC_DIR" state last_check_result)
case "$dir" in
"0 "*"ENTRA SYNC OK - directory sync: last sync "*"last_sync_age"*"sync_interval"*"credential_expires_in"*) ok "directory sync service OK with last_sync_age, sync_interval and credential_expires_in" ;;
*) not_ok "directory sync service OK with last_sync_age, sync_interval and credential_expires_in"
	diag "$(printf '%s' "$dir" | cut -c1-1200)" ;;
esac
case "$dir" in
*"'--directory-sync'"*"'--secret-expiry'"*) case "$dir" in
	*"--service-principal"* | *"--job"*) not_ok "entra_sync_directory renders --directory-sync, --secret-expiry, --warning 2h and no -s/-j"
		diag "$(printf '%s' "$dir" | cut -c1-1200)" ;;
	*"'--warning', '2h'"*) ok "entra_sync_directory renders --directory-sync, --secret-expiry, --warning 2h and no -s/-j" ;;
	*) not_ok "entra_sync_directory renders --directory-sync, --secret-expiry, --warning 2h and no -s/-j"
		diag "$(printf '%s' "$dir" | cut -c1-1200)" ;;
	esac ;;
*) not_ok "entra_sync_directory renders --directory-sync, --secret-expiry, --warning 2h and no -s/-j"
	diag "$(printf '%s' "$dir" | cut -c1-1200)" ;;
esac

# The ini host's service: OK, the identity from the file named by
# entra_sync_extra_opts, rendered as two words as Icinga 2 (and Director)
# render a key and its value, and no identity on the command line.
ini_checked() { [ "$(api_hostsvc_of "$HOST_INI" entra-sync-SCIM state)" = 0 ]; }
wait_for 15 ini_checked >/dev/null
ini=$(api_hostsvc_of "$HOST_INI" entra-sync-SCIM state last_check_result)
if [[ "$ini" == "0 "* && "$ini" == *"ENTRA SYNC OK - scim active"* &&
	"$ini" == *"'--extra-opts', '@$T/check_entra_sync.ini'"* &&
	"$ini" != *"--client-id"* && "$ini" != *"--tenant"* ]]; then
	ok "entra_sync_extra_opts: OK, --extra-opts @FILE rendered, no identity on the command line"
else
	not_ok "entra_sync_extra_opts: OK, --extra-opts @FILE rendered, no identity on the command line"
	diag "$(printf '%s' "$ini" | cut -c1-1200)"
fi

# Two more checks of the repaired Box job: a healthy job must not be started again.
check "two more check results of the repaired Box service" checked_twice_more api_svc last_check

starts=$(emu_starts "$BOX_JOB")
if [ "$starts" = 1 ]; then ok "emulator recorded exactly one start"; else
	not_ok "emulator recorded exactly one start"
	diag "starts=$starts"
fi
check "emulator recorded no restart" test "$(emu_restarts "$BOX_JOB")" = 0
check_identity_split

# The futile start story: the job breaks, the cause persists.
futile_begin || bail "emulator quarantines the futile job"
futile_states() { icinga2_compat "SERVICE ALERT: $HOST;$SVC_FUTILE;" | cut -d';' -f3; }
futile_output() { api_svc_of "$SVC_FUTILE" last_check_result | grep -o "ENTRA SYNC [^|]*"; }
futile_story futile_states futile_output

# The secret went through the environment: the command lines Icinga 2
# logs (debug log) carry the identity but never the secret.
check "debug log shows the plugin command line" grep -qF -- "--client-id" "$I/log/debug.log"
# Rendered identities: checks as the reader, the handler as the writer, and
# with entra_sync_repair_* the check's managed identity is not passed on.
runs() { grep -F "notice/Process: Running command '$PLUGIN_DIR/check_entra_sync'" "$I/log/debug.log"; }
check "debug log: Box check runs with --client-id reader" \
	sh -c 'grep -v -- "--event-handler" | grep -F -- "'"'--client-id' '$READER_ID'"'" | grep -qF "'"'$BOX_JOB'"'"' < <(runs)
check "debug log: Box handler runs with --client-id writer" \
	sh -c 'grep -F -- "--event-handler" | grep -F -- "'"'--client-id' '$WRITER_ID'"'" | grep -qF "'"'$BOX_JOB'"'"' < <(runs)
check "debug log: no handler gets the check's --managed-identity or the reader" \
	sh -c '! grep -F -- "--event-handler" | grep -qE -- "--managed-identity|'"$READER_ID"'"' < <(runs)
if grep -rqF -e "$WRITER_SECRET" -e "$READER_SECRET" -e "$LEGACY_SECRET" -e "$AUDITOR_SECRET" "$I/log" "$T/state" "$T/icinga2.out" 2>/dev/null; then
	not_ok "no secret in Icinga 2's logs, state or the state dir"
else
	ok "no secret in Icinga 2's logs, state or the state dir"
fi
check "icinga2 still running at the end" icinga2_alive
diag "$(icinga2_compat 'SERVICE (ALERT|EVENT HANDLER)' | sed -E 's/^\[[0-9]+\] //' | cut -c1-160)"
e2e_done
