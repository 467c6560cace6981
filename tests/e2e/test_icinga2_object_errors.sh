#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end with the Icinga 2 daemon: the CheckCommand "entra_sync" of
# contrib/icinga2/entra_sync.conf (included unchanged) with
# entra_sync_object_errors and entra_sync_object_errors_critical checks the
# quarantined Box job against the emulator, whose provisioning logs hold
# failed events of the job's last cycle (and of an older cycle, and of
# another job, which must not count). Icinga 2 itself must report (REST API)
# the top error code and the failed_objects metric in the service's output
# and perfdata, and, over many checks, the emulator must have served the
# logs once (one read per cycle, the cache in the daemon's context).
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
HOST=entra-logs
SVC=entra-sync-Box
LOGREADER_ID=aaaaaaaa-0000-0000-0000-000000000005
LOGREADER_SECRET='logreader-secret-L5~vVALUE'
TOP_CODE=SystemForCrossDomainIdentityManagementBadResponse

[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed ($ICINGA2)"
plan 5
e2e_setup icinga2-objerr
emu_start || bail "emulator starts"
# The Box job's last cycle began 3700 s and ended 3600 s before the fixture
# loaded: 12 objects fail with the top code (twice each), 4 with another;
# an older cycle and the healthy job have failures of their own.
add_events() {
	emu POST /_emu/provisioning/events "{\"jobId\":\"$BOX_JOB\",\"from\":3690,\"to\":3610,
	\"failures\":[{\"code\":\"$TOP_CODE\",\"objects\":12,\"repeat\":2,
	\"reason\":\"The SCIM endpoint answered 400 Bad Request.\"},
	{\"code\":\"AttributeMappingMissing\",\"objects\":4}]}" >/dev/null &&
	emu POST /_emu/provisioning/events "{\"jobId\":\"$BOX_JOB\",\"from\":90000,\"to\":80000,
	\"failures\":[{\"code\":\"OldCycleError\",\"objects\":50}]}" >/dev/null &&
	emu POST /_emu/provisioning/events "{\"jobId\":\"$SCIM_JOB\",\"from\":700,\"to\":600,
	\"failures\":[{\"code\":\"OtherJobError\",\"objects\":30}]}" >/dev/null
}
add_events || bail "emulator takes the provisioning events"

I="$T/icinga2"
mkdir -p "$I/data" "$I/log/compat" "$I/cache" "$I/spool" "$I/run" "$T/state"
icinga2_api_conf e2e-objerr.local '"objects/query/Service", "objects/query/Host"' ||
	bail "openssl makes the API certificate"
: >"$I/example-services.conf"   # the test defines its one service itself
cat >>"$I/icinga2.conf" <<EOF

object Host "$HOST" {
	check_command = "dummy"
	check_interval = 1h
	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$LOGREADER_ID"
	vars.entra_sync_client_secret = "$LOGREADER_SECRET"
	vars.entra_sync_login_url = "$EMU_URL"
	vars.entra_sync_graph_url = "$EMU_URL"
	vars.entra_sync_token_cache = "$T/cache"
	vars.entra_sync_state_dir = "$T/state"
}

object Service "$SVC" {
	host_name = "$HOST"
	check_command = "entra_sync"
	max_check_attempts = 2
	check_interval = 1s
	retry_interval = 1s
	enable_event_handler = false
	vars.entra_sync_service_principal = "$SP_ID"
	vars.entra_sync_job = "$BOX_JOB"
	vars.entra_sync_object_errors = true
	vars.entra_sync_object_errors_critical = "10"
}
EOF
icinga2_defs
own_by_run_user "$I" "$T/state"

# 1: the configuration validates with the contrib definitions.
icinga2_validate "icinga2 daemon -C accepts entra_sync_object_errors and its threshold" || exit 0
icinga2_spawn

api_svc() { icinga2_api_service "$HOST" "$SVC" "$@"; }

# 2: CRITICAL HARD, as Icinga 2 logs it.
if wait_for 40 icinga2_compat_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL"; then
	ok "service reaches CRITICAL HARD (icinga2 compat log)"
else
	not_ok "service reaches CRITICAL HARD (icinga2 compat log)"
	diag "$(grep -E 'critical|warning' "$I/log/icinga2.log" 2>/dev/null | tail -5)"
fi

# 3: the service output names the top error code, its objects, an example
# and Microsoft's reason, and the threshold passed on the first line.
out=$(api_svc last_check_result.output)
case "$out" in
*"16 failed objects in the last cycle (> 10), mostly $TOP_CODE"*"object errors of the last cycle (began "*"16 failed objects in 28 events, 2 error codes; $TOP_CODE (nonServiceFailure) 12 objects, e.g. User '"*"The SCIM endpoint answered 400 Bad Request."*)
	case "$out" in
	*OldCycleError* | *OtherJobError*) not_ok "Icinga 2 shows the top error code of the last cycle of this job only"
		diag "$(printf '%s' "$out" | cut -c1-1500)" ;;
	*) ok "Icinga 2 shows the top error code of the last cycle of this job only" ;;
	esac ;;
*) not_ok "Icinga 2 shows the top error code of the last cycle of this job only"
	diag "$(printf '%s' "$out" | cut -c1-1500)" ;;
esac

# 4: the metric, as Icinga 2 parsed it (bare label with -j, the threshold).
perf=$(api_svc last_check_result.performance_data)
case "$perf" in
*'"failed_objects=16;;10;0"'*) ok "Icinga 2 parsed failed_objects=16;;10;0 from the perfdata" ;;
*) not_ok "Icinga 2 parsed failed_objects=16;;10;0 from the perfdata"
	diag "$perf" ;;
esac

# 5: many checks later the emulator served the logs once.
sleep 4
n=$(emu GET /_emu/counters | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["audit_requests"], c["audit_throttled"])')
checks=$(emu_requests GET "/synchronization/jobs/$BOX_JOB" 200)
if [ "$n" = "1 0" ] && [ "$checks" -ge 4 ]; then
	ok "one provisioning log request for $checks checks of the cycle, no 429"
else
	not_ok "one provisioning log request for every check of the cycle, no 429"
	diag "audit requests and 429s: $n; checks: $checks"
fi
e2e_done
