#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end: all provisioning jobs of a tenant in one service, in Icinga 2
# and then in Nagios Core 4, from the contrib definitions (included
# unchanged; only the template's intervals shortened). The emulated tenant
# has 25 service principals with one job each, more than one $batch of 20;
# the job of the 23rd (in the second batch) is quarantined with a reason the
# handler starts by default. For each daemon:
#   - the plugin writes the service principals file itself
#     (--list --all-service-principals --format=ids, as the auditor identity
#     with Application.Read.All, run as the daemon's user);
#   - the tenant service (Icinga 2: apply Service "entra-sync-tenant" on a
#     host with vars.entra_sync_service_principals_file; Nagios: the example
#     in the comments of services.cfg, check_entra_sync_tenant and
#     entra_sync_repair_tenant_own_identity) goes CRITICAL HARD, its event
#     handler starts exactly that job exactly once, the service turns WARNING
#     ("waiting for its next cycle") and stays so until the test runs the
#     job's cycle (the emulator's own cycle is a day away), then OK with all
#     25 jobs;
#   - every run of the check cost 2 $batch requests of 25 items, counted by
#     the emulator against the runs the daemon logged.
# Icinga 2's tenant host also has a per-job service and one with an array of
# two service principals (repeat_key), as a real tenant host would: the
# file named on the host must not reach them.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
TENANT25="$E2E_ROOT/tests/e2e/tenant25.py"
AUDITOR_ID=aaaaaaaa-0000-0000-0000-000000000004
AUDITOR_SECRET='auditor-secret-D4~wVALUE'
HOST=entra-contoso
# tests per daemon (the skips of a missing one keep the plan)
ICINGA_TESTS=18
NAGIOS_TESTS=14

[ -x "$ICINGA2" ] || [ -x "$NAGIOS" ] || skip_all "neither icinga2 ($ICINGA2) nor nagios4 ($NAGIOS) is installed"
plan $((ICINGA_TESTS + NAGIOS_TESTS))
e2e_setup tenant
# The emulator runs a started job's next cycle a day later: the test runs it
# itself (POST /_emu/jobs/{id}/cycle), once it has seen the WARNING.
EMU_CYCLE_DELAY=86400 emu_start || bail "emulator starts"
mapfile -t SPS < <(python3 "$TENANT25" list | cut -d' ' -f1)
mapfile -t JOBS < <(python3 "$TENANT25" list | cut -d' ' -f2)
QJOB=$(python3 "$TENANT25" quarantined)

# tenant_setup DIR: the emulator back to its default fixture and counters,
# the 25 service principals in, the job cycle a day away; DIR (owned by
# RUN_USER) with the secrets of the reader, the writer and the auditor.
tenant_setup() {
	mkdir -p "$1"
	if [ "$(id -u)" -eq 0 ]; then chown "$RUN_USER:$RUN_GROUP" "$1"; fi
	secret_file "$1/reader.secret" "$READER_SECRET"
	secret_file "$1/writer.secret" "$WRITER_SECRET"
	secret_file "$1/auditor.secret" "$AUDITOR_SECRET"
	emu POST /_emu/reset >/dev/null &&
		emu POST /_emu/settings '{"cycle_delay": 86400}' >/dev/null &&
		python3 "$TENANT25" put "$EMU_URL"
}

# discover DIR NAME: DIR/service-principals written by the plugin's listing,
# run as RUN_USER with the auditor identity, as a daily cron job would.
discover() {
	local out="$1/service-principals" listed want
	(cd / && as_run_user "$PLUGIN_DIR/check_entra_sync" --list --all-service-principals --format=ids \
		--tenant "$TENANT" --client-id "$AUDITOR_ID" --client-secret-file "$1/auditor.secret" \
		--token-cache "$1/cache" --login-url "$EMU_URL" --graph-url "$EMU_URL") >"$out" 2>"$1/discover.err"
	local rc=$?
	if [ "$(id -u)" -eq 0 ]; then chown "$RUN_USER:$RUN_GROUP" "$out"; fi
	chmod 0644 "$out"
	listed=$(grep -v '^#' "$out" | cut -f1 | sort)
	want=$(printf '%s\n' "${SPS[@]}" | sort)
	if [ "$rc" = 0 ] && [ "$listed" = "$want" ] && as_run_user test -r "$out"; then
		ok "$2: --list --all-service-principals --format=ids wrote the 25 service principals with jobs, readable by $RUN_USER"
	else
		not_ok "$2: --list --all-service-principals --format=ids wrote the 25 service principals with jobs, readable by $RUN_USER"
		diag "exit $rc, $(grep -vc '^#' "$out") lines" "$(head -c 400 "$1/discover.err")"
	fi
}

# counters: "batch_requests batch_items" of the emulator.
counters() {
	emu GET /_emu/counters | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["batch_requests"], c["batch_items"])'
}
starts_are_one_of_qjob() {
	[ "$(emu GET /_emu/counters | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(json.dumps(c["starts"], sort_keys=True), json.dumps(c["restarts"]))')" = "{\"$QJOB\": 1} {}" ]
}
# perfdata_jobs: how many distinct jobs the perfdata on stdin names
# (labels ending _successive_failures).
perfdata_jobs() {
	tr ' ' '\n' | grep -oE "^'?[A-Za-z0-9_]+_successive_failures=" | sort -u | wc -l
}

# ===========================================================================
# Icinga 2
# ===========================================================================
icinga2_part() {
	local I="$T/icinga2" API_PORT API_PASS
	local SVC=entra-sync-tenant SVC_ONE=entra-sync-one SVC_PAIR=entra-sync-pair
	tenant_setup "$I" || bail "Icinga 2: the emulator takes the tenant"
	discover "$I" "Icinga 2"
	mkdir -p "$I/data/certs" "$I/log/compat" "$I/cache" "$I/spool" "$I/run" "$I/state"

	icinga2_example_services ||
		bail "example-services.conf: exactly its three interval lines shortened (changed: $I2_CHANGED)"
	icinga2_api_conf e2e-tenant.local '"objects/query/Service", "objects/query/Host", "objects/modify/Service"' ||
		bail "openssl makes the API certificate"
	cat >>"$I/icinga2.conf" <<EOF

object Host "$HOST" {
	check_command = "dummy"
	check_interval = 1h
	vars.dummy_text = "Microsoft Entra tenant (emulator)"

	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$READER_ID"
	vars.entra_sync_client_secret_file = "$I/reader.secret"
	vars.entra_sync_repair_client_id = "$WRITER_ID"
	vars.entra_sync_repair_client_secret_file = "$I/writer.secret"
	vars.entra_sync_login_url = "$EMU_URL"
	vars.entra_sync_graph_url = "$EMU_URL"
	vars.entra_sync_token_cache = "$I/cache"
	vars.entra_sync_state_dir = "$I/state"
	vars.entra_sync_timeout = 20

	vars.entra_sync_service_principals_file = "$I/service-principals"

	vars.entra_sync_jobs["one"] = {
		entra_sync_service_principal = "${SPS[2]}"
		entra_sync_job = "${JOBS[2]}"
	}
	vars.entra_sync_jobs["pair"] = {
		entra_sync_service_principal = [ "${SPS[0]}", "${SPS[1]}" ]
	}
}
EOF

	icinga2_defs
	own_by_run_user "$I"
	icinga2_validate "Icinga 2: daemon -C accepts the contrib definitions and the tenant host" || exit 1

	local base
	base=$(counters)
	icinga2_spawn

	# i2 services | i2 SERVICE ATTR... | i2 modify JSON: the REST API (the
	# services of HOST; attributes of one; POST /v1/objects/services).
	i2() {
		python3 - "https://127.0.0.1:$API_PORT" "$API_PASS" "$HOST" "$@" <<'PY' 2>/dev/null
import base64, json, ssl, sys, urllib.parse, urllib.request
base, password, host, what, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the daemon's throw-away self-signed certificate
auth = base64.b64encode(("e2e:" + password).encode()).decode()
headers = {"Accept": "application/json", "Authorization": "Basic " + auth}
body = None
if what == "services":
    url = base + "/v1/objects/services?filter=" + urllib.parse.quote('service.host_name=="%s"' % host)
elif what == "modify":
    url, body = base + "/v1/objects/services", keys[0].encode()
    headers["Content-Type"] = "application/json"
else:
    url = base + "/v1/objects/services/" + urllib.parse.quote(host + "!" + what)
req = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
try:
    with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
        res = json.load(r)["results"]
except Exception:
    sys.exit(1)
if what == "modify":
    sys.exit(0 if res and all(x.get("code") == 200 for x in res) else 1)
if what == "services":
    print(" ".join(sorted(s["attrs"]["name"] for s in res)))
    sys.exit(0)
a = res[0]["attrs"]
def get(k):
    v = a
    for p in k.split("."):
        v = v.get(p) if isinstance(v, dict) else None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return str(v)
print("\n".join(get(k) for k in keys))
PY
	}
	i2_listed() { [ -n "$(i2 services)" ]; }
	# i2_is SERVICE STATE: the service is in STATE (0..3), HARD.
	i2_is() { [ "$(i2 "$1" state state_type | tr '\n' ' ')" = "$2 1 " ]; }

	if wait_for 30 i2_listed && icinga2_alive; then
		check "Icinga 2: the apply rules give the tenant host the services one, pair and tenant" \
			test "$(i2 services)" = "$SVC_ONE $SVC_PAIR $SVC"
	else
		not_ok "Icinga 2: the apply rules give the tenant host the services one, pair and tenant"
		diag "$(grep -E 'critical|warning' "$I/log/icinga2.log" 2>/dev/null | tail -10)" "$(tail -5 "$T/icinga2.out")"
		exit 1
	fi

	if wait_for 30 icinga2_compat_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL - 1 of 25 jobs not OK: $QJOB quarantined"; then
		ok "Icinga 2: tenant service CRITICAL HARD, 1 of 25 jobs, naming the quarantined one (compat log)"
	else
		not_ok "Icinga 2: tenant service CRITICAL HARD, 1 of 25 jobs, naming the quarantined one (compat log)"
		diag "$(icinga2_compat "$HOST;$SVC;" | tail -5 | cut -c1-300)"
	fi
	check "Icinga 2: event handler entra_sync_repair runs on CRITICAL HARD" \
		wait_for 10 icinga2_compat_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair"

	if wait_for 20 i2_is "$SVC" 1 && i2 "$SVC" last_check_result.output | grep -qF "$QJOB started by this plugin" &&
		i2 "$SVC" last_check_result.output | grep -qF "waiting for its next cycle"; then
		ok "Icinga 2: after the start the tenant service is WARNING, the job waiting for its next cycle"
	else
		not_ok "Icinga 2: after the start the tenant service is WARNING, the job waiting for its next cycle"
		diag "API: $(i2 "$SVC" state state_type last_check_result.output | head -3 | cut -c1-300)"
	fi
	check "Icinga 2: the handler started the quarantined job exactly once, nothing else, no restart" \
		starts_are_one_of_qjob

	emu_cycle "$QJOB" || bail "the emulator runs the next cycle of $QJOB"
	if wait_for 20 i2_is "$SVC" 0 && i2 "$SVC" last_check_result.output | head -n 1 | grep -qx "ENTRA SYNC OK - all 25 jobs OK *"; then
		ok "Icinga 2: after the job's cycle the tenant service is OK, all 25 jobs OK (API)"
	else
		not_ok "Icinga 2: after the job's cycle the tenant service is OK, all 25 jobs OK (API)"
		diag "API: $(i2 "$SVC" state state_type last_check_result.output | head -3 | cut -c1-300)"
	fi
	local perf
	perf=$(i2 "$SVC" last_check_result.performance_data | perfdata_jobs)
	check "Icinga 2: the tenant service's perfdata has the metrics of 25 jobs (got $perf)" test "$perf" = 25

	local seq
	seq=$(icinga2_compat "SERVICE ALERT: $HOST;$SVC;" | cut -d';' -f3,4 | tr '\n' ' ')
	check "Icinga 2: tenant service state changes CRITICAL HARD, WARNING HARD, OK HARD (got: $seq)" \
		test "$seq" = "CRITICAL;HARD WARNING;HARD OK;HARD "

	check "Icinga 2: per-job service on the tenant's host OK (the host's file does not reach it)" \
		wait_for 10 i2_is "$SVC_ONE" 0
	if wait_for 10 i2_is "$SVC_PAIR" 0 && i2 "$SVC_PAIR" last_check_result.output | head -n 1 | grep -qx "ENTRA SYNC OK - all 2 jobs OK *"; then
		ok "Icinga 2: service with an array of two service principals OK, all 2 jobs"
	else
		not_ok "Icinga 2: service with an array of two service principals OK, all 2 jobs"
		diag "API: $(i2 "$SVC_PAIR" state last_check_result.output | head -2 | cut -c1-300)"
	fi

	# i2_ran STRING...: the plugin command lines Icinga 2 logged (debug log)
	# that hold every STRING.
	i2_ran() {
		local lines
		lines=$(grep -F "notice/Process: Running command '$PLUGIN_DIR/check_entra_sync'" "$I/log/debug.log")
		while [ $# -gt 0 ]; do
			lines=$(printf '%s\n' "$lines" | grep -F -- "$1")
			shift
		done
		[ -n "$lines" ] && printf '%s\n' "$lines"
	}
	i2_has_run() { i2_ran "$@" >/dev/null; }
	local pair_args="'--service-principal' '${SPS[0]}' '--service-principal' '${SPS[1]}'"
	local file_arg="'--service-principals-file' '$I/service-principals'"
	if i2_has_run "$pair_args" && ! i2_has_run "$pair_args" "--service-principals-file"; then
		ok "Icinga 2: the pair service runs with --service-principal twice (repeat_key), never with the host's file"
	else
		not_ok "Icinga 2: the pair service runs with --service-principal twice (repeat_key), never with the host's file"
		diag "$(i2_ran "'--service-principal'" | head -2 | cut -c1-600)"
	fi
	check "Icinga 2: the tenant check runs as the reader with --service-principals-file" \
		i2_has_run "$file_arg" "'--client-id' '$READER_ID'"
	check "Icinga 2: the tenant handler runs as the writer with --service-principals-file" \
		i2_has_run "$file_arg" "'--event-handler'" "'--client-id' '$WRITER_ID'"

	# What the runs cost. Icinga 2 flushes its logs once a second, so the
	# active checks are switched off first (API), and the counters are read
	# between two marker requests (an API call with a nonce, logged by
	# Icinga 2 after everything logged before it) in whose logs the same
	# plugin processes ran and every one of them ended: then the counters
	# hold exactly the requests of the runs logged.
	i2_marked() {
		local nonce="marker-$RANDOM$RANDOM"
		i2 "$nonce" state >/dev/null
		wait_for 5 grep -qF "$nonce" "$I/log/debug.log"
	}
	i2_cost() {
		local before after now
		i2_marked && before=$(i2_processes) || return 1
		now=$(counters)
		i2_marked && after=$(i2_processes) || return 1
		[ "$before" = "$after" ] && [ "${after%% *}" = "done" ] || return 1
		I2_COST="$after $now"
	}
	i2_processes() {
		python3 - "$I/log/debug.log" "$PLUGIN_DIR/check_entra_sync" <<'PY'
import re, sys
log, plugin = sys.argv[1:3]
started, ended = {}, set()
for line in open(log, errors="replace"):
    m = re.search(r"notice/Process: Running command '%s'(.*): PID (\d+)$" % re.escape(plugin), line)
    if m:
        started[m.group(2)] = m.group(1)
        continue
    m = re.search(r"notice/Process: PID (\d+) \('%s'.* terminated with exit code" % re.escape(plugin), line)
    if m:
        ended.add(m.group(1))
kinds = {"tenant": 0, "pair": 0, "one": 0, "acting": 0}
for pid, args in started.items():
    if "'--event-handler'" in args:
        kinds["acting"] += "'--service-state' 'CRITICAL'" in args and "'--state-type' 'HARD'" in args
    elif "'--service-principals-file'" in args:
        kinds["tenant"] += 1
    elif "'--job'" in args:
        kinds["one"] += 1
    else:
        kinds["pair"] += 1
print("done" if set(started) == ended else "running", kinds["tenant"], kinds["acting"], kinds["pair"])
PY
	}
	i2 modify '{"filter": "host.name == \"'"$HOST"'\"", "attrs": {"enable_active_checks": false}}' ||
		diag "the API did not switch the active checks off"
	I2_COST=""
	if wait_for 20 i2_cost; then
		local _d tenant acting pair b i b0=${base% *} i0=${base#* }
		read -r _d tenant acting pair b i <<<"$I2_COST"
		diag "runs: tenant checks $tenant, acting handlers $acting, pair checks $pair; \$batch $((b - b0)), items $((i - i0))"
		check "Icinga 2: every tenant check and the acting handler cost 2 \$batch requests of 25 items (a pair check 1 of 2)" \
			test "$((b - b0)) $((i - i0)) $acting" = "$((2 * (tenant + acting) + pair)) $((25 * (tenant + acting) + 2 * pair)) 1"
	else
		not_ok "Icinga 2: every tenant check and the acting handler cost 2 \$batch requests of 25 items (a pair check 1 of 2)"
		diag "processes: $(i2_processes)"
	fi

	if grep -rqF -e "$WRITER_SECRET" -e "$READER_SECRET" -e "$AUDITOR_SECRET" "$I/log" "$I/state" "$T/icinga2.out" 2>/dev/null; then
		not_ok "Icinga 2: no secret in its logs or the state dir"
	else
		ok "Icinga 2: no secret in its logs or the state dir"
	fi
	check "Icinga 2: still running at the end" icinga2_alive
	diag "$(icinga2_compat 'SERVICE (ALERT|EVENT HANDLER)' | sed -E 's/^\[[0-9]+\] //' | cut -c1-160)"
	kill -TERM -- "-$ICINGA_PID" 2>/dev/null
}

# ===========================================================================
# Nagios 4
# ===========================================================================
nagios_part() {
	local N="$T/nagios" SVC="Entra sync all jobs" n
	tenant_setup "$N" || bail "Nagios: the emulator takes the tenant"
	discover "$N" "Nagios"
	# The tenant service exactly as the comment of services.cfg shows it, but
	# for the paths of its three files; then the test's own lines.
	awk '/All provisioning jobs of the tenant in one service/ { f = 1 }
		f && /^# define service/ { p = 1 }
		p { sub(/^#/, ""); print }
		p && /^ }/ { exit }' "$E2E_ROOT/contrib/nagios/services.cfg" >"$N/example.cfg"
	sed -e "s|/etc/check-entra-sync/entra-sync.secret|$N/reader.secret|" \
		-e "s|/etc/check-entra-sync/entra-sync-repair.secret|$N/writer.secret|" \
		-e "s|/etc/check-entra-sync/entra-sync-service-principals|$N/service-principals|" \
		-e '/^ }/d' "$N/example.cfg" >"$N/tenant-service.cfg"
	n=$(diff "$N/example.cfg" "$N/tenant-service.cfg" | grep -c '^>')
	if ! grep -q "service_description	$SVC\$" "$N/example.cfg" || [ "$n" != 3 ]; then
		bail "Nagios: the example tenant service in services.cfg, its three paths replaced (changed $n)"
	fi
	cat >>"$N/tenant-service.cfg" <<CFG
	contacts		e2e
	notifications_enabled	0
	check_interval		2
	retry_interval		1
	max_check_attempts	2
	_ENTRA_OPTIONS		--timeout 20 --token-cache $N/cache --state-dir $N/state --login-url $EMU_URL --graph-url $EMU_URL
}
CFG
	nagios_objects "$HOST" "Microsoft Entra tenant (emulator)" >"$N/objects.cfg"
	nagios_conf "cfg_file=$N/tenant-service.cfg" debug_level=16 debug_verbosity=0 log_service_retries=1
	nagios_verify "Nagios: nagios4 -v accepts the contrib definitions and the example tenant service" || exit 1

	local base
	base=$(counters)
	nagios_spawn
	ng_field() { nagios_field "$1" "$SVC"; }
	ng_listed() { [ -n "$(ng_field current_state)" ]; }
	ng_is() { [ "$(ng_field current_state)" = "$1" ]; }

	if wait_for 15 ng_listed && nagios_alive; then
		ok "Nagios: nagios4 runs and reports the tenant service in status.dat"
	else
		not_ok "Nagios: nagios4 runs and reports the tenant service in status.dat"
		diag "$(tail -20 "$T/nagios.out" "$N/nagios.log" 2>/dev/null)"
		exit 1
	fi
	nagios_command "SCHEDULE_FORCED_SVC_CHECK;$HOST;$SVC;$(date +%s)"

	if wait_for 30 nagios_log_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL - 1 of 25 jobs not OK: $QJOB quarantined"; then
		ok "Nagios: tenant service CRITICAL HARD, 1 of 25 jobs, naming the quarantined one (nagios.log)"
	else
		not_ok "Nagios: tenant service CRITICAL HARD, 1 of 25 jobs, naming the quarantined one (nagios.log)"
		diag "$(nagios_log 'SERVICE|Warning|Error' | tail -5 | cut -c1-300)"
	fi
	check "Nagios: event handler entra_sync_repair_tenant_own_identity runs on CRITICAL HARD" \
		wait_for 10 nagios_log_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;entra_sync_repair_tenant_own_identity\$"

	if wait_for 20 ng_is 1 && ng_field plugin_output | grep -qF "$QJOB started by this plugin" &&
		ng_field plugin_output | grep -qF "waiting for its next cycle"; then
		ok "Nagios: after the start the tenant service is WARNING, the job waiting for its next cycle"
	else
		not_ok "Nagios: after the start the tenant service is WARNING, the job waiting for its next cycle"
		diag "status.dat: state=$(ng_field current_state) output=$(ng_field plugin_output | cut -c1-300)"
	fi
	check "Nagios: the handler started the quarantined job exactly once, nothing else, no restart" \
		starts_are_one_of_qjob

	emu_cycle "$QJOB" || bail "the emulator runs the next cycle of $QJOB"
	if wait_for 20 ng_is 0 && ng_field plugin_output | grep -qx "ENTRA SYNC OK - all 25 jobs OK *"; then
		ok "Nagios: after the job's cycle the tenant service is OK, all 25 jobs OK (status.dat)"
	else
		not_ok "Nagios: after the job's cycle the tenant service is OK, all 25 jobs OK (status.dat)"
		diag "status.dat: state=$(ng_field current_state) output=$(ng_field plugin_output | cut -c1-300)"
	fi
	local perf
	perf=$(ng_field performance_data | perfdata_jobs)
	check "Nagios: the tenant service's perfdata has the metrics of 25 jobs (got $perf)" test "$perf" = 25

	local seq
	seq=$(nagios_log "SERVICE ALERT: $HOST;$SVC;" | cut -d';' -f3,4 | tr '\n' ' ')
	check "Nagios: tenant service state changes CRITICAL SOFT, CRITICAL HARD, WARNING HARD, OK HARD (got: $seq)" \
		test "$seq" = "CRITICAL;SOFT CRITICAL;HARD WARNING;HARD OK;HARD "

	local who
	who="$(emu_sign_ins "$READER_ID") $(emu_sign_ins "$WRITER_ID") $(emu_requests GET '' 401) $(emu_requests POST '' 401) $(emu_requests GET '' 403)"
	check "Nagios: the reader signed in once for every check (token cache), the writer once for the start, nothing refused (got $who)" \
		test "$who" = "1 1 0 0 0"

	# What the runs cost: the service's active checks switched off, the
	# counters read between two identical readings of Nagios' debug log
	# (written at once) in which every check begun has its result handled.
	nagios_command "DISABLE_SVC_CHECK;$HOST;$SVC"
	ng_runs() {
		echo "$(grep -cF "Checking service '$SVC' on host '$HOST'..." "$N/debug.log")" \
			"$(grep -cF "Handling ACTIVE async check result for service '$SVC' on host '$HOST'" "$N/debug.log")"
	}
	ng_cost() {
		local before after now
		[ "$(ng_field active_checks_enabled)" = 0 ] || return 1
		before=$(ng_runs)
		now=$(counters)
		after=$(ng_runs)
		[ "$before" = "$after" ] && [ "${after% *}" = "${after#* }" ] || return 1
		NG_COST="${after% *} $now"
	}
	NG_COST=""
	if wait_for 20 ng_cost; then
		local runs acting b i b0=${base% *} i0=${base#* }
		read -r runs b i <<<"$NG_COST"
		acting=$(nagios_log "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;" | wc -l)
		diag "runs: checks $runs, acting handlers $acting; \$batch $((b - b0)), items $((i - i0))"
		check "Nagios: every check and the acting handler cost 2 \$batch requests of 25 items" \
			test "$((b - b0)) $((i - i0)) $acting" = "$((2 * (runs + acting))) $((25 * (runs + acting))) 1"
	else
		not_ok "Nagios: every check and the acting handler cost 2 \$batch requests of 25 items"
		diag "checks begun, handled: $(ng_runs); active checks enabled: $(ng_field active_checks_enabled)"
	fi
	if grep -rqF -e "$WRITER_SECRET" -e "$READER_SECRET" -e "$AUDITOR_SECRET" "$N"/*.log "$N"/*.dat "$N/cache-state" "$T/nagios.out" 2>/dev/null; then
		not_ok "Nagios: no secret in its logs, status or the state dir"
	else
		ok "Nagios: no secret in its logs, status or the state dir"
	fi
	check "Nagios: still running at the end" nagios_alive
	diag "$(nagios_log 'SERVICE (ALERT|EVENT HANDLER)' | sed -E 's/^\[[0-9]+\] //' | cut -c1-160)"
	kill -TERM -- "-$NAGIOS_PID" 2>/dev/null
}

if [ -x "$ICINGA2" ]; then
	icinga2_part
else
	for ((n = 1; n <= ICINGA_TESTS; n++)); do skip "Icinga 2 tenant service ($n/$ICINGA_TESTS)" "icinga2 is not installed"; done
fi
if [ -x "$NAGIOS" ]; then
	nagios_part
else
	for ((n = 1; n <= NAGIOS_TESTS; n++)); do skip "Nagios tenant service ($n/$NAGIOS_TESTS)" "nagios4 is not installed"; done
fi

e2e_done
