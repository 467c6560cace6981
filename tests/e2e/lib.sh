# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash disable=SC2034
# Shared helpers for the end-to-end tests (sourced, not run).
# Each test declares its plan first ("plan N" prints "1..N"), prints TAP lines
# "ok N - name" / "not ok N - name" and "# " diagnostics, starts its daemons
# from a private temp dir, and kills everything it started on exit (trap),
# whether it passed or not. tests/run-all.sh compares the plan with the tests
# reported, so a script that stops early fails even when nothing said "not ok".

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLUGIN=${TEST_PLUGIN:-$E2E_ROOT/plugin/check_entra_sync}
EMULATOR="$E2E_ROOT/tests/emulator/emulator.py"

# Identities and objects of the emulator's default fixture (PROTOCOL.md).
TENANT=11111111-2222-3333-4444-555555555555
READER_ID=aaaaaaaa-0000-0000-0000-000000000001
READER_SECRET='reader-secret-Q8~xVALUE'
WRITER_ID=aaaaaaaa-0000-0000-0000-000000000002
WRITER_SECRET='writer-secret-Z3~yVALUE'
# Read.All plus Organization.Read.All, OnPremDirectorySynchronization.Read.All
# and Application.Read.All: directory sync and the secret's end.
AUDITOR_ID=aaaaaaaa-0000-0000-0000-000000000004
AUDITOR_SECRET='auditor-secret-D4~wVALUE'
SP_ID=5a1f0c2e-0000-4000-8000-000000000001
BOX_JOB=Box.fedcba9876543210fedcba9876543210
SCIM_JOB=scim.0123456789abcdef0123456789abcdef

_tap_n=0
_pids=()
_cleanups=()
T=""
EMU_URL=""

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}
not_ok() {
	_tap_n=$((_tap_n + 1))
	echo "not ok $_tap_n - $*"
}
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}
# check NAME CMD...: ok when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# plan N: the number of tests this script will report.
plan() {
	echo "1..$1"
}
# skip_all REASON: the script cannot run here (a daemon is not installed);
# one skipped test says why. Call it before plan.
skip_all() {
	echo "1..1"
	echo "ok 1 - ${0##*/} # SKIP $*"
	exit 0
}
# bail NAME: report one failure and stop (cleanup runs from the trap); the
# tests not reached make the run short of its plan.
bail() {
	not_ok "$*"
	exit 1
}

# The user daemons run as: the current one, or 'nagios' when we are root
# (the daemons refuse or drop root).
if [ "$(id -u)" -eq 0 ]; then
	RUN_USER=nagios
	RUN_GROUP=$(id -gn nagios 2>/dev/null || echo nagios)
else
	RUN_USER=$(id -un)
	RUN_GROUP=$(id -gn)
fi

# as_run_user CMD...: run CMD as RUN_USER (env kept).
as_run_user() {
	if [ "$(id -u)" -eq 0 ] && [ "$RUN_USER" != root ]; then
		setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups -- "$@"
	else
		"$@"
	fi
}

# track PID: killed on exit. Daemons are started with setsid, so the
# whole process group (workers, plugins in flight) goes with them.
track() {
	_pids+=("$1")
}
# spawn LOG CMD...: start CMD in its own session in the background, tracked;
# its pid is in SPAWNED.
spawn() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
	SPAWNED=$!
	disown "$SPAWNED"
	track "$SPAWNED"
}
on_exit() {
	_cleanups+=("$1")
}
_cleanup() {
	local p i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	for p in "${_pids[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${_pids[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL -- "-$p" 2>/dev/null || true
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$T" ] && [ -d "$T" ] && [ -z "${E2E_KEEP:-}" ]; then
		rm -rf "$T"
	elif [ -n "$T" ]; then
		echo "# kept $T"
	fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# e2e_setup NAME: temp dir $T reachable by RUN_USER, a private copy of the
# plugin in $T/bin (PLUGIN_DIR), immune to a rebuild while daemons run, and
# of contrib/ in $T/contrib (CONTRIB), which the daemons read as RUN_USER
# however the clone's own directories are (/root is 0700).
e2e_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/e2e-$1.XXXXXX")
	chmod 0755 "$T"
	[ -x "$PLUGIN" ] || bail "plugin binary $PLUGIN is built (run make)"
	PLUGIN_DIR="$T/bin"
	mkdir -p "$PLUGIN_DIR"
	cp "$PLUGIN" "$PLUGIN_DIR/check_entra_sync"
	chmod 0755 "$PLUGIN_DIR" "$PLUGIN_DIR/check_entra_sync"
	CONTRIB="$T/contrib"
	cp -R "$E2E_ROOT/contrib" "$CONTRIB"
	chmod -R a+rX "$CONTRIB"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$RUN_USER:$RUN_GROUP" "$T"
	fi
}

# secret_file PATH VALUE: a 0400 file owned by RUN_USER.
secret_file() {
	(umask 077 && printf '%s\n' "$2" >"$1")
	chmod 0400 "$1"
	if [ "$(id -u)" -eq 0 ]; then chown "$RUN_USER:$RUN_GROUP" "$1"; fi
}

# example_ini PATH: contrib/check_entra_sync.ini with the emulator's URLs and
# the secret files $T/reader.secret and $T/writer.secret put in (the
# example's tenant and client ids are the emulator's own), nothing else
# changed; 0644, ours. Returns 1 unless exactly those six lines changed.
example_ini() {
	sed -e "s|/etc/check-entra-sync/entra-sync.secret|$T/reader.secret|" \
		-e "s|/etc/check-entra-sync/entra-sync-repair.secret|$T/writer.secret|" \
		-e "s|https://login.microsoftonline.com|$EMU_URL|" \
		-e "s|https://graph.microsoft.com|$EMU_URL|" \
		"$E2E_ROOT/contrib/check_entra_sync.ini" >"$1"
	chmod 0644 "$1"
	[ "$(diff "$E2E_ROOT/contrib/check_entra_sync.ini" "$1" | grep -c '^>')" = 6 ]
}

# emu_start: starts the emulator (default fixture), sets EMU_URL. A started
# job runs its next cycle EMU_CYCLE_DELAY seconds later (default 3), not the
# emulator's default of one schedule interval, so that the daemons see the
# repaired job come back OK within a test.
emu_start() {
	local pf="$T/emu.port" i
	spawn "$T/emu.log" python3 "$EMULATOR" --port 0 --port-file "$pf"
	for ((i = 0; i < 100; i++)); do
		[ -s "$pf" ] && break
		sleep 0.1
	done
	[ -s "$pf" ] || { diag "emulator did not start:" "$(tail -5 "$T/emu.log")"; return 1; }
	EMU_URL="http://127.0.0.1:$(cat "$pf")"
	emu POST /_emu/settings "{\"cycle_delay\": ${EMU_CYCLE_DELAY:-3}}" >/dev/null
}

# emu GET|POST PATH [JSON]: control API call, body on stdout (python3, no
# curl binary needed).
emu() {
	python3 - "$EMU_URL$2" "$1" "${3:-}" <<'PY'
import sys, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"} if body else {})
with urllib.request.urlopen(req, timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
}

# emu_starts JOB / emu_restarts JOB: how often the job was started/restarted.
emu_count() {
	emu GET /_emu/counters | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c.get(sys.argv[1], {}).get(sys.argv[2], 0))' "$1" "$2"
}
emu_starts() { emu_count starts "$1"; }
emu_restarts() { emu_count restarts "$1"; }

# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds.
wait_for() {
	local limit=$1 start=$SECONDS
	shift
	while ((SECONDS - start < limit)); do
		"$@" && return 0
		sleep 0.5
	done
	"$@"
}

# checked_twice_more CMD...: CMD prints a service's last check time; it
# moves on twice, each within 15 s (two more check results).
checked_twice_more() {
	local t
	for _ in 1 2; do
		t=$("$@")
		[ -n "$t" ] && wait_for 15 _checked_after "$t" "$@" || return 1
	done
}
_checked_after() {
	local t=$1
	shift
	awk -v a="$("$@")" -v b="$t" 'BEGIN { exit !(a + 0 > b + 0) }'
}

# first_line_norm: first line with the run-dependent 'time=' perfdata value blanked.
first_line_norm() {
	head -n 1 | sed -E 's/(^| )time=[0-9.]+s?/\1time=X/'
}

# Elapsed seconds since the test started, for the final diagnostic.
e2e_done() {
	diag "duration ${SECONDS}s"
}

# emu_sign_ins CLIENT_ID: tokens issued to that client so far.
emu_sign_ins() { emu_count sign_ins "$1"; }

# emu_requests METHOD PATH_SUFFIX STATUS: how many logged requests match
# (STATUS "*" = any).
emu_requests() {
	emu GET /_emu/counters | python3 -c '
import json, sys
m, suffix, st = sys.argv[1:4]
print(sum(1 for r in json.load(sys.stdin)["requests"]
          if r["method"] == m and r["path"].split("?")[0].endswith(suffix)
          and (st == "*" or str(r["status"]) == st)))' "$1" "$2" "$3"
}

# A second tenant setup for the one-identity (backward compatible) event
# handler: its own client with Read.All + ReadWrite.All, and its own service
# principal holding a copy of the quarantined Box job.
LEGACY_ID=aaaaaaaa-0000-0000-0000-0000000000c1
LEGACY_SECRET='legacy-secret-K7~wVALUE'
LEGACY_SP=5a1f0c2e-0000-4000-8000-0000000000c1
LEGACY_JOB=Box.0000000000000000000000000000c1c1

# emu_add_legacy: registers LEGACY_ID and LEGACY_SP/LEGACY_JOB.
emu_add_legacy() {
	emu POST /_emu/clients "{\"client_id\":\"$LEGACY_ID\",\"secret\":\"$LEGACY_SECRET\",
		\"permissions\":[\"Synchronization.Read.All\",\"Synchronization.ReadWrite.All\"]}" >/dev/null &&
		emu_put_copy "$LEGACY_SP" bbbbbbbb-0000-0000-0000-0000000000c1 "$BOX_JOB" "$LEGACY_JOB"
}

# emu_put_copy SP APP_ID JOB NEW_ID: service principal SP (application APP_ID)
# holding a copy of the default fixture's JOB named NEW_ID.
emu_put_copy() {
	emu PUT "/_emu/servicePrincipals/$1" "$(python3 - "$E2E_ROOT/tests/emulator/fixtures/default.json" "$2" "$3" "$4" <<'PY'
import json, sys
fixture, app, src, dst = sys.argv[1:5]
job = next(j for sp in json.load(open(fixture))["servicePrincipals"] for j in sp["jobs"] if j["id"] == src)
job["id"] = dst
print(json.dumps({"appId": app, "jobs": [job]}))
PY
)" >/dev/null
}

# A third service principal whose job breaks for good once the other stories
# are told (futile_begin): quarantined, and every cycle after a start
# quarantines it again (the cause persists, as the emulator's next-cycle
# "quarantine" says), for the futile start story. Until then it is a healthy
# copy of the scim job, so its volatile service stays quiet.
FUTILE_SP=5a1f0c2e-0000-4000-8000-0000000000f1
FUTILE_JOB=scim.0000000000000000000000000000f1f1
FUTILE_COOLDOWN=4

# emu_add_futile: puts FUTILE_SP/FUTILE_JOB, healthy.
emu_add_futile() {
	emu_put_copy "$FUTILE_SP" bbbbbbbb-0000-0000-0000-0000000000f1 "$SCIM_JOB" "$FUTILE_JOB"
}

# futile_begin: FUTILE_JOB quarantined, its cause persisting.
futile_begin() {
	emu POST "/_emu/jobs/$FUTILE_JOB/next-cycle" \
		'{"outcome":"quarantine","reason":"EncounteredQuarantineException","error_code":"ScimEndpointUnreachable"}' >/dev/null &&
		emu POST "/_emu/jobs/$FUTILE_JOB/quarantine" '{"reason":"EncounteredQuarantineException"}' >/dev/null
}

# futile_gaps: the seconds between the starts of FUTILE_JOB as the handler
# recorded them (whole seconds, what its rules compare), space separated (""
# before the second start).
futile_gaps() {
	python3 -c '
import sys
try:
    t = [int(l.split()[0]) for l in open(sys.argv[1]) if l[:1].isdigit()]
except OSError:
    t = []
print(" ".join(str(b - a) for a, b in zip(t, t[1:])))' "$T/state/$FUTILE_JOB.state"
}
futile_three_starts() { [ "$(futile_gaps | wc -w)" -ge 2 ]; }

# futile_story STATES OUTPUTS: the tests both daemons run on the volatile
# service of FUTILE_JOB (the event handler runs on every CRITICAL check,
# --cooldown FUTILE_COOLDOWN). STATES is a command printing the service's
# state changes as the daemon logged them, one state a line; OUTPUTS one
# printing its current plugin output. Four tests.
futile_story() {
	local states=$1 outputs=$2 gaps seq said=""
	if wait_for 90 futile_three_starts; then
		gaps=$(futile_gaps)
		# each start after one that did not help waits twice the gap before
		# (twice the cooldown after the first), between the starts the
		# handler records: bounds it keeps exactly, whatever the timing.
		# Without the backoff the gaps are about the cooldown. Every
		# recorded start reached Graph.
		if python3 -c '
import sys
g = [int(x) for x in sys.argv[2].split()]
sys.exit(0 if g[0] >= 2 * int(sys.argv[1]) and all(b >= 2 * a for a, b in zip(g, g[1:])) else 1)' "$FUTILE_COOLDOWN" "$gaps" &&
			wait_for 5 _futile_graph_saw "$(($(wc -w <<<"$gaps") + 1))"; then
			ok "a start that did not help backs off: gaps ${gaps}s (cooldown ${FUTILE_COOLDOWN}s, then twice the gap before)"
		else
			not_ok "a start that did not help backs off: gaps ${gaps}s (cooldown ${FUTILE_COOLDOWN}s, then twice the gap before)"
			diag "starts Graph saw: $(emu_starts "$FUTILE_JOB")"
		fi
	else
		not_ok "a start that did not help backs off (three starts within 90 s)"
		diag "gaps: $(futile_gaps)"
	fi
	# the start clears the quarantine (WARNING, waiting for the next cycle),
	# the next cycle brings it back (CRITICAL): the state changes the daemon saw
	seq=$("$states" | uniq | tr '\n' ' ')
	case "$seq" in
	*"CRITICAL WARNING CRITICAL WARNING CRITICAL"*) ok "state changes CRITICAL -> WARNING (started) -> CRITICAL (cause persists), twice" ;;
	*) not_ok "state changes CRITICAL -> WARNING (started) -> CRITICAL (cause persists), twice"
		diag "states: $seq" ;;
	esac
	if wait_for 30 _futile_said "$outputs"; then said=yes; fi
	check "the check says the starts did not help" test -n "$said"
	check "the state file keeps the episode and its starts" _futile_episode "$T/state/$FUTILE_JOB.state"
}
# _futile_graph_saw N: Graph saw N starts of FUTILE_JOB (a start is recorded
# just before it is sent).
_futile_graph_saw() { [ "$(emu_starts "$FUTILE_JOB")" -eq "$1" ]; }
# _futile_said OUTPUTS: the service's output says the starts did not help.
_futile_said() { "$1" | grep -q "starts by this plugin did not help"; }
# _futile_episode FILE: an episode line, and at least three starts for the reason.
_futile_episode() {
	grep -q "^episode [0-9]" "$1" && [ "$(grep -c " handler EncounteredQuarantineException$" "$1")" -ge 3 ]
}

# The story both daemons must tell with split identities: exactly one start
# per job, the reader signed in for the checks, the writer for the handler's
# start, the one-identity client for both, and no request refused.
check_identity_split() {
	local r w l
	check "one identity: exactly one start of its job, no restart" \
		test "$(emu_starts "$LEGACY_JOB") $(emu_restarts "$LEGACY_JOB")" = "1 0"

	# Who signed in: the reader for the checks (the token cache keeps it to one
	# sign-in), the writer only for the handler's start, and no request was
	# refused, so the reader never tried to start and the writer did.
	r=$(emu_sign_ins "$READER_ID")
	w=$(emu_sign_ins "$WRITER_ID")
	l=$(emu_sign_ins "$LEGACY_ID")
	if [ "$r" -ge 1 ] && [ "$w" -ge 1 ] && [ "$l" -ge 1 ]; then
		ok "reader signed in for the check, writer for the handler, one-identity client for both"
	else
		not_ok "reader signed in for the check, writer for the handler, one-identity client for both"
	fi
	diag "sign-ins: reader=$r writer=$w one-identity=$l"
	check "each start answered 204, no Graph request refused (401/403)" \
		test "$(emu_requests POST "/$BOX_JOB/start" 204) $(emu_requests POST "/$LEGACY_JOB/start" '*') $(emu_requests GET '' 401) $(emu_requests POST '' 401) $(emu_requests GET '' 403)" = "1 1 0 0 0"
}

# ---------------------------------------------------------------------------
# Private Nagios 4 and Icinga 2 instances: test_nagios.sh, test_nagios_many.sh,
# test_icinga2.sh, test_tenant_services.sh, test_discovery_config.sh and the
# metric writer tests below. The Nagios functions work on the instance in N
# (a directory under $T) and run $NAGIOS, the Icinga 2 ones on I and $ICINGA2.

# own_by_run_user PATH...: PATH (recursively) owned by RUN_USER when we are root.
own_by_run_user() {
	if [ "$(id -u)" -eq 0 ]; then chown -R "$RUN_USER:$RUN_GROUP" "$@"; fi
}

# nagios_objects HOST ALIAS and nagios_files (nagios_files.sh, shared with
# the package test).
# shellcheck source=tests/e2e/nagios_files.sh
. "$E2E_ROOT/tests/e2e/nagios_files.sh"

# nagios_conf [LINE...]: $N/resource.cfg (\$USER1\$ is PLUGIN_DIR) and
# $N/nagios.cfg (nagios_files) with the contrib commands.cfg and
# services.cfg, run as RUN_USER, then each LINE; N ends up owned by RUN_USER.
nagios_conf() {
	nagios_files "$N" "$PLUGIN_DIR" "$CONTRIB/nagios" "$RUN_USER" "$RUN_GROUP" "$@"
	own_by_run_user "$N"
}

# nagios_verify NAME: test NAME, that nagios4 -v accepts $N/nagios.cfg
# (its output in $T/nagios-verify.log); returns 1 when it does not.
nagios_verify() {
	if "$NAGIOS" -v "$N/nagios.cfg" >"$T/nagios-verify.log" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		diag "$(grep -iE 'error|warning' "$T/nagios-verify.log" | head -20)"
		return 1
	fi
}

# nagios_spawn: Nagios on $N/nagios.cfg (output in $T/nagios.out), its pid
# in NAGIOS_PID; nagios_alive: it still runs.
nagios_spawn() {
	spawn "$T/nagios.out" "$NAGIOS" "$N/nagios.cfg"
	NAGIOS_PID=$SPAWNED
}
nagios_alive() { kill -0 "$NAGIOS_PID" 2>/dev/null; }

# nagios_field KEY SERVICE: a field of SERVICE's block in $N/status.dat (as written).
nagios_field() {
	awk -v svc="$2" -v key="$1" '
		/^servicestatus \{/ { inblk = 1; mine = 0; val = ""; next }
		inblk && /^\t*\}/ { if (mine) { print val; exit } inblk = 0; next }
		inblk {
			line = $0; sub(/^[ \t]+/, "", line)
			k = line; sub(/=.*/, "", k); v = line; sub(/^[^=]*=/, "", v)
			if (k == "service_description" && v == svc) mine = 1
			if (k == key) val = v
		}' "$N/status.dat" 2>/dev/null
}

# nagios_log ERE: the lines of $N/nagios.log that match; nagios_log_has ERE: there is one.
nagios_log() { grep -E -- "$1" "$N/nagios.log" 2>/dev/null; }
nagios_log_has() { nagios_log "$1" >/dev/null; }

# nagios_command CMD...: external commands (each "[now] CMD") in one write
# to $N/nagios.cmd; a diagnostic when nobody reads it within 5 s.
nagios_command() {
	# shellcheck disable=SC2016 # expanded by that sh, from its arguments
	timeout 5 sh -c 'f=$1 now=$2; shift 2; for c do printf "[%s] %s\n" "$now" "$c"; done >"$f"' \
		sh "$N/nagios.cmd" "$(date +%s)" "$@" ||
		diag "could not write to the external command file"
}

# icinga2_defs: I2_DEFS, the -D options that keep Icinga 2's files under I
# and run it as RUN_USER.
icinga2_defs() {
	I2_DEFS=(-DDataDir="$I/data" -DLogDir="$I/log" -DCacheDir="$I/cache" -DSpoolDir="$I/spool"
		-DInitRunDir="$I/run" -DPidPath="$I/run/icinga2.pid" -DStatePath="$I/data/icinga2.state"
		-DObjectsPath="$I/cache/icinga2.debug" -DVarsPath="$I/cache/icinga2.vars"
		-DModAttrPath="$I/data/modified-attributes.conf"
		-DRunAsUser="$RUN_USER" -DRunAsGroup="$RUN_GROUP")
}

# icinga2_constants NODE: on stdout, the node's constants and the ITL.
icinga2_constants() {
	cat <<EOF
const PluginContribDir = "$PLUGIN_DIR"
const NodeName = "$1"
const ZoneName = NodeName
const TicketSalt = ""

include <itl>
EOF
}

# icinga2_prelude NODE: on stdout, the start of every test's icinga2.conf:
# icinga2_constants and the contrib entra_sync.conf (unchanged).
icinga2_prelude() {
	icinga2_constants "$1"
	echo "include \"$CONTRIB/icinga2/entra_sync.conf\""
}

# icinga2_loggers: on stdout, the main log, the debug log and the compat
# log under LogDir, and the checker.
icinga2_loggers() {
	cat <<'EOF'
object FileLogger "main-log" {
	severity = "information"
	path = LogDir + "/icinga2.log"
}
object FileLogger "debug-file" {
	severity = "debug"
	path = LogDir + "/debug.log"
}
object CompatLogger "compatlog" {
	log_dir = LogDir + "/compat"
}
object CheckerComponent "checker" { }
EOF
}

# icinga2_example_services: $I/example-services.conf, the contrib one with
# the intervals of a test (2 attempts, check every 2 s, retry 1 s); returns 1
# unless exactly those three lines changed (I2_CHANGED: what changed).
icinga2_example_services() {
	sed -e 's/^\(\s*max_check_attempts\s*=\s*\).*/\12/' \
		-e 's/^\(\s*check_interval\s*=\s*\).*/\12s/' \
		-e 's/^\(\s*retry_interval\s*=\s*\).*/\11s/' \
		"$E2E_ROOT/contrib/icinga2/example-services.conf" >"$I/example-services.conf"
	I2_CHANGED=$(diff "$E2E_ROOT/contrib/icinga2/example-services.conf" "$I/example-services.conf" |
		grep '^>' | tr -s ' \t' ' ' | tr '\n' '|')
	[ "$I2_CHANGED" = "> max_check_attempts = 2|> check_interval = 2s|> retry_interval = 1s|" ]
}

# icinga2_api_conf NODE PERMISSIONS: a self-signed certificate for NODE under
# $I/data/certs (acting as its CA), API_PORT and API_PASS, and the head of
# $I/icinga2.conf for a node with the REST API (the test appends its hosts):
# icinga2_prelude, $I/example-services.conf, the node's endpoint and zone,
# icinga2_loggers, the ApiListener on 127.0.0.1:API_PORT and ApiUser "e2e"
# (password API_PASS) with PERMISSIONS (the inside of an Icinga 2 array).
# Returns 1 when openssl fails.
icinga2_api_conf() {
	API_PORT=$(free_port)
	API_PASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	mkdir -p "$I/data/certs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$1" \
		-keyout "$I/data/certs/$1.key" -out "$I/data/certs/$1.crt" >/dev/null 2>&1 || return 1
	cp "$I/data/certs/$1.crt" "$I/data/certs/ca.crt"
	{
		icinga2_prelude "$1"
		cat <<EOF
include "$I/example-services.conf"

object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }

$(icinga2_loggers)
object ApiListener "api" {
	bind_host = "127.0.0.1"
	bind_port = $API_PORT
	accept_config = false
	accept_commands = false
}
object ApiUser "e2e" {
	password = "$API_PASS"
	permissions = [ $2 ]
}
EOF
	} >"$I/icinga2.conf"
}

# icinga2_validate NAME: test NAME, that icinga2 daemon -C accepts
# $I/icinga2.conf with I2_DEFS (its output in $T/icinga2-validate.log);
# returns 1 when it does not.
icinga2_validate() {
	if "$ICINGA2" daemon -C -c "$I/icinga2.conf" "${I2_DEFS[@]}" >"$T/icinga2-validate.log" 2>&1; then
		ok "$1"
	else
		not_ok "$1"
		diag "$(grep -iE 'critical|warning|error' "$T/icinga2-validate.log" | head -20)"
		return 1
	fi
}

# discovery_verify NAGIOS_CFG ICINGA2_CONF WHAT: two tests, that nagios4 -v
# and icinga2 daemon -C accept what --list printed in NAGIOS_CFG and
# ICINGA2_CONF (WHAT names it), with the contrib definitions unchanged and
# the host it names; the logs in $T/nagios-verify.log and
# $T/icinga2-validate.log.
discovery_verify() {
	local host
	N="$T/nagios"
	mkdir -p "$N"
	host=$(sed -n 's/^\thost_name\t*//p' "$1" | head -1)
	{
		nagios_objects "$host" "$host"
		cat <<'EOF'
define service {
	name			e2e-contacts
	contacts		e2e
	register		0
}
EOF
	} >"$N/objects.cfg"
	nagios_conf "cfg_file=$1"
	nagios_verify "nagios4 -v accepts $3 with the contrib definitions"
	I="$T/icinga2"
	mkdir -p "$I/data" "$I/log" "$I/cache" "$I/spool" "$I/run"
	host=$(sed -n 's/^\thost_name = "\(.*\)"$/\1/p' "$2" | head -1)
	{
		icinga2_prelude "e2e-$(basename "$T").local"
		cat <<EOF
object Host "$host" { check_command = "dummy" }
include "$2"
EOF
	} >"$I/icinga2.conf"
	icinga2_defs
	own_by_run_user "$I"
	icinga2_validate "icinga2 daemon -C accepts $3 with the contrib definitions"
}

# icinga2_spawn: Icinga 2 on $I/icinga2.conf with I2_DEFS (output in
# $T/icinga2.out), its pid in ICINGA_PID; icinga2_alive: it still runs.
icinga2_spawn() {
	spawn "$T/icinga2.out" "$ICINGA2" daemon -c "$I/icinga2.conf" "${I2_DEFS[@]}"
	ICINGA_PID=$SPAWNED
}
icinga2_alive() { kill -0 "$ICINGA_PID" 2>/dev/null; }

# icinga2_api_service HOST SERVICE ATTR...: the service's attributes from
# Icinga 2's REST API on API_PORT (user e2e, API_PASS; icinga2_api_conf),
# space separated as test_icinga2.sh's api_hostsvc_of prints them (a whole
# number as one, "2" not "2.0"); a dotted ATTR reaches inside
# (last_check_result.output), a newline is shown as \n, a list as JSON.
icinga2_api_service() {
	python3 - "https://127.0.0.1:$API_PORT/v1/objects/services/$1!$2" "$API_PASS" "${@:3}" <<'PY' 2>/dev/null
import base64, json, ssl, sys, urllib.parse, urllib.request
url, password, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the daemon's throw-away self-signed certificate
auth = base64.b64encode(("e2e:" + password).encode()).decode()
req = urllib.request.Request(urllib.parse.quote(url, safe=":/!?="),
                             headers={"Accept": "application/json", "Authorization": "Basic " + auth})
with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
    a = json.load(r)["results"][0]["attrs"]
def show(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, str):
        return v.replace("\n", "\\n")
    return json.dumps(v) if isinstance(v, (list, dict)) else str(v)
def attr(k):
    v = a
    for part in k.split("."):
        v = v.get(part) if isinstance(v, dict) else None
    return v
print(" ".join(show(attr(k)) for k in keys))
PY
}

# icinga2_compat ERE: the lines of Icinga 2's compat log that match;
# icinga2_compat_has ERE: there is one.
icinga2_compat() { grep -E -- "$1" "$I"/log/compat/icinga.log 2>/dev/null; }
icinga2_compat_has() { icinga2_compat "$1" >/dev/null; }

# ---------------------------------------------------------------------------
# Many jobs and dashboards: test_icinga2_graphite.sh, test_icinga2_influxdb.sh,
# test_nagios_many.sh.

# A service principal with one job (checked with -j) and one with 40 jobs
# (checked without -j); the tests put one job of each into quarantine
# (jobs40.py).
SP_ONE=5a1f0c2e-0000-4000-8000-0000000000e1
SP_MANY=5a1f0c2e-0000-4000-8000-0000000000e4
JOBS40="$E2E_ROOT/tests/e2e/jobs40.py"
PERFDATA_CHECK="$E2E_ROOT/tests/e2e/perfdata_check.py"
SERIES_CHECK="$E2E_ROOT/tests/e2e/series_check.py"
DASHBOARDS_CHECK="$E2E_ROOT/tests/e2e/dashboards_check.py"

# RUN_AS: command prefix that runs as RUN_USER, for daemons started by spawn.
if [ "$(id -u)" -eq 0 ] && [ "$RUN_USER" != root ]; then
	RUN_AS=(setpriv --reuid="$RUN_USER" --regid="$RUN_GROUP" --init-groups --)
else
	RUN_AS=()
fi

# skip NAME REASON: an assertion that cannot run on this machine.
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# emu_try METHOD PATH [JSON]: a control call that may be refused; prints
# "STATUS BODY" instead of failing.
emu_try() {
	python3 - "$EMU_URL$2" "$1" "${3:-}" <<'PY'
import sys, urllib.error, urllib.request
url, method, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                             headers={"Content-Type": "application/json"} if body else {})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}

# emu_put_file PATH FILE: PUT a JSON file (too big for an argument).
emu_put_file() {
	python3 - "$EMU_URL$1" "$2" <<'PY'
import sys, urllib.request
url, path = sys.argv[1:3]
with open(path, "rb") as f:
    req = urllib.request.Request(url, method="PUT", data=f.read(),
                                 headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as r:
    r.read()
PY
}

# emu_put_stack [--quarantined]: SP_ONE and SP_MANY into the emulator (with
# --quarantined, one job of each in quarantine), their JSON kept in
# $T/sp-one.json and $T/sp-many.json; the jobs to be quarantined in ONE_JOB
# and MANY_Q_JOB.
emu_put_stack() {
	python3 "$JOBS40" one "$@" >"$T/sp-one.json" &&
		python3 "$JOBS40" many "$@" >"$T/sp-many.json" &&
		emu_put_file "/_emu/servicePrincipals/$SP_ONE" "$T/sp-one.json" &&
		emu_put_file "/_emu/servicePrincipals/$SP_MANY" "$T/sp-many.json" || return 1
	ONE_JOB=$(python3 "$JOBS40" ids one)
	MANY_Q_JOB=$(python3 "$JOBS40" ids many)
	ONE_JOB=${ONE_JOB%%$'\n'*} MANY_Q_JOB=${MANY_Q_JOB%%$'\n'*}
}

# emu_cycle JOB: runs the job's next synchronization cycle now (POST
# /_emu/jobs/{id}/cycle); fails, saying the emulator's answer, when it did not.
emu_cycle() {
	local out
	out=$(emu_try POST "/_emu/jobs/$1/cycle" '{}')
	case "$out" in
	2[0-9][0-9]" "*) return 0 ;;
	*) diag "cycle $1: $out"; return 1 ;;
	esac
}

# --- Icinga 2 with a metric writer -----------------------------------------
STACK_HOST=entra-stack
SVC_ONE=entra-sync-Box
SVC_MANY=entra-sync-all

# icinga2_stack_conf WRITER_OBJECT: $I/icinga2.conf and I2_DEFS for a private
# Icinga 2 under $T/icinga2 (I): the contrib CheckCommand and EventCommand
# (entra_sync.conf, included unchanged), WRITER_OBJECT (a GraphiteWriter or
# InfluxdbWriter), a PerfdataWriter recording every perfdata string Icinga 2
# received with the check's execution end (the timestamp the writers use),
# the compat log, and host STACK_HOST with SVC_ONE (SP_ONE, --job) and
# SVC_MANY (SP_MANY, all jobs). Both services check every 2 s (retry 1 s)
# and go HARD at the 6th attempt, so quarantine_age is stored a few times
# before the event handler repairs the job.
icinga2_stack_conf() {
	I="$T/icinga2"
	mkdir -p "$I/data" "$I/log/compat" "$I/cache" "$I/spool/perfdata" "$I/spool/tmp" "$I/run" "$T/state"
	cat >"$I/icinga2.conf" <<CONF
const PluginContribDir = "$PLUGIN_DIR"

include <itl>
include "$CONTRIB/icinga2/entra_sync.conf"

$(icinga2_loggers)

$1

object PerfdataWriter "received" {
	service_perfdata_path = SpoolDir + "/perfdata/service-perfdata"
	service_temp_path = SpoolDir + "/tmp/service-perfdata"
	host_perfdata_path = SpoolDir + "/perfdata/host-perfdata"
	host_temp_path = SpoolDir + "/tmp/host-perfdata"
	rotation_interval = 1s
	service_format_template = "EXEC::\$service.last_check_result.execution_end\$\tHOSTNAME::\$host.name\$\tSERVICEDESC::\$service.name\$\tSERVICESTATE::\$service.state\$\tSERVICESTATETYPE::\$service.state_type\$\tSERVICEPERFDATA::\$service.perfdata\$"
}

object Host "$STACK_HOST" {
	check_command = "dummy"
	check_interval = 1h
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
}

template Service "stack-service" {
	host_name = "$STACK_HOST"
	check_command = "entra_sync"
	event_command = "entra_sync_repair"
	enable_event_handler = true
	max_check_attempts = 6
	check_interval = 2s
	retry_interval = 1s
}
object Service "$SVC_ONE" {
	import "stack-service"
	vars.entra_sync_service_principal = "$SP_ONE"
	vars.entra_sync_job = "$ONE_JOB"
}
object Service "$SVC_MANY" {
	import "stack-service"
	vars.entra_sync_service_principal = "$SP_MANY"
}
CONF
	icinga2_defs
	own_by_run_user "$I" "$T/state"
}

_stack_started() { [ "$(emu_starts "$1")" -ge 1 ]; }
# _stack_episode_seen SERVICE: a check result of SERVICE with episode_age recorded.
_stack_episode_seen() {
	cat "$I"/spool/perfdata/service-perfdata.* 2>/dev/null |
		awk -F'\t' -v s="SERVICEDESC::$1" '$3 == s && /episode_age=/ { n++ } END { exit n ? 0 : 1 }'
}
# _stack_records_after SERVICE TS N: N check results of SERVICE at or after TS recorded.
_stack_records_after() {
	[ "$(cat "$I"/spool/perfdata/service-perfdata.* 2>/dev/null |
		awk -F'\t' -v s="SERVICEDESC::$1" -v t="$2" '$3 == s { sub(/^EXEC::/, "", $1); if ($1 + 0 >= t + 0) n++ } END { print n + 0 }')" -ge "$3" ]
}

# _stack_both_recorded_after TS N SECONDS: within SECONDS, N check results
# of each service at or after TS recorded; says which service fell short.
_stack_both_recorded_after() {
	local svc short=""
	for svc in "$SVC_ONE" "$SVC_MANY"; do
		wait_for "$3" _stack_records_after "$svc" "$1" "$2" || short+=" $svc"
	done
	[ -z "$short" ] || diag "fewer than $2 check results recorded after $1 by:$short"
	[ -z "$short" ]
}

# icinga2_stack_run WRITER_NAME READY_CMD: validates and starts Icinga 2 (conf
# from icinga2_stack_conf) with both service principals healthy; once
# READY_CMD succeeds (the writer can store what it gets; STACK_SINCE is the
# next second, where the series checks start) and two healthy check results
# of each service are recorded, puts one job of each into quarantine. Then
# asserts, for SVC_ONE and SVC_MANY: CRITICAL HARD, the event handler,
# exactly one start of the quarantined job, a check result with episode_age
# before the job's next cycle (run by the test), OK HARD; and that each
# service has 3 more check results recorded: ten tests. Returns 1 when
# Icinga 2 does not run (the caller stops).
icinga2_stack_run() {
	local svc job pair
	icinga2_validate "icinga2 daemon -C accepts $1, PerfdataWriter and the contrib definitions" || return 1
	icinga2_spawn
	if ! wait_for 30 "$2"; then
		not_ok "icinga2 runs and its $1 is ready"
		diag "$(grep -E 'critical|warning' "$I/log/icinga2.log" 2>/dev/null | tail -5)" "$(tail -3 "$T/icinga2.out")"
		return 1
	fi
	# Two healthy check results of each service stored first, then the quarantine.
	STACK_SINCE=$(($(date +%s) + 1))
	check "two healthy check results of each service recorded before the quarantine" \
		_stack_both_recorded_after "$STACK_SINCE" 2 20
	# A started job's cycle waits for the test (emu_cycle below), so the
	# check results between the start and the cycle do not race a timer.
	emu POST /_emu/settings '{"cycle_delay": 86400}' >/dev/null &&
		emu_put_stack --quarantined || { not_ok "emulator quarantines one job of each service principal"; return 1; }

	for pair in "$SVC_ONE:$ONE_JOB" "$SVC_MANY:$MANY_Q_JOB"; do
		svc=${pair%%:*} job=${pair#*:}
		if wait_for 40 icinga2_compat_has "SERVICE ALERT: $STACK_HOST;$svc;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL" &&
			wait_for 10 icinga2_compat_has "SERVICE EVENT HANDLER: $STACK_HOST;$svc;CRITICAL;HARD;[0-9]+;entra_sync_repair" &&
			wait_for 15 _stack_started "$job"; then
			ok "$svc: CRITICAL HARD, event handler entra_sync_repair starts the quarantined job"
		else
			not_ok "$svc: CRITICAL HARD, event handler entra_sync_repair starts the quarantined job"
			diag "$(grep -F "$svc;" "$I"/log/compat/icinga.log 2>/dev/null | tail -5 | cut -c1-200)"
		fi
		# While the started job waits for its next cycle, the episode is
		# open: a check result with episode_age is stored before the cycle.
		check "$svc: a check result with episode_age while the started job waits for its cycle" \
			wait_for 15 _stack_episode_seen "$svc"
		emu_cycle "$job" || bail "the emulator runs the next cycle of $job"
	done
	for svc in "$SVC_ONE" "$SVC_MANY"; do
		if wait_for 30 icinga2_compat_has "SERVICE ALERT: $STACK_HOST;$svc;OK;HARD;"; then
			ok "$svc: back to OK HARD after the repair (compat log)"
		else
			not_ok "$svc: back to OK HARD after the repair (compat log)"
			diag "$(grep -F "$svc;" "$I"/log/compat/icinga.log 2>/dev/null | tail -3 | cut -c1-200)"
		fi
	done
	check "exactly one start of each quarantined job, no restart" \
		test "$(emu_starts "$ONE_JOB") $(emu_starts "$MANY_Q_JOB") $(emu_restarts "$ONE_JOB") $(emu_restarts "$MANY_Q_JOB")" = "1 1 0 0"
	# A few check results after the repair, recorded and rotated.
	check "three check results of each service recorded after the repair" \
		_stack_both_recorded_after "$(date +%s)" 3 30
	return 0
}

# icinga2_stack_received: the perfdata Icinga 2 received, service by service,
# against the rule (strict grammar, bare labels with -j, prefixed labels
# without, [A-Za-z0-9_]{1,60}, unique, units).
icinga2_stack_received() {
	local out
	if out=$(python3 "$SERIES_CHECK" received "$I/spool/perfdata" --service "$SVC_ONE" --single); then
		ok "$SVC_ONE (-j): every check result's perfdata well-formed, bare labels"
	else
		not_ok "$SVC_ONE (-j): every check result's perfdata well-formed, bare labels"
		diag "$(printf '%s\n' "$out" | head -8)"
	fi
	if out=$(python3 "$SERIES_CHECK" received "$I/spool/perfdata" --service "$SVC_MANY" --jobs "$T/sp-many.json"); then
		ok "$SVC_MANY (40 jobs): every check result's perfdata well-formed, prefixed labels by the rule"
	else
		not_ok "$SVC_MANY (40 jobs): every check result's perfdata well-formed, prefixed labels by the rule"
		diag "$(printf '%s\n' "$out" | head -8)"
	fi
}

# icinga2_stack_log_quiet WRITER_NAME: what Icinga 2 logged about perfdata.
# Two assertions: nothing but metrics printed as U (today's plugin prints U
# for a job that never succeeded or never ran: last_success_age, escrowed,
# exported, imported), and nothing at all.
icinga2_stack_log_quiet() {
	local log="$I/log/icinga2.log" all others
	# Connection trouble is not about perfdata; it is shown, not judged.
	grep -E '(warning|critical)/'"$1"'' "$log" | grep -i 'connect' | sed -E 's/^\[[^]]*\] //' | sort | uniq -c | head -3 | sed 's/^/# /'
	all=$(grep -E '(warning|critical)/('"$1"'|PerfdataValue)' "$log" | grep -vi 'connect' | sed -E 's/^\[[^]]*\] //')
	others=$(printf '%s\n' "$all" | grep -vE "Ignoring invalid perfdata .* with value: [^ =]+=U(;[^ ]*)?$" | grep -v '^$')
	if [ -z "$others" ]; then
		ok "icinga2.log: no $1 or perfdata warning but for metrics printed as U"
	else
		not_ok "icinga2.log: no $1 or perfdata warning but for metrics printed as U"
		diag "$(printf '%s\n' "$others" | sort | uniq -c | sort -rn | head -8)"
	fi
	if ! printf '%s\n' "$all" | grep -q .; then
		ok "icinga2.log: no $1 or perfdata warning at all"
	else
		not_ok "icinga2.log: no $1 or perfdata warning at all"
		diag "$(printf '%s\n' "$all" | sort | uniq -c | sort -rn | head -5)"
	fi
	# Debug level: thresholds or units Icinga 2 could not use (dropped silently).
	others=$(grep -E 'debug/PerfdataValue' "$I/log/debug.log" | sed -E 's/^\[[^]]*\] //' | sort | uniq -c)
	if [ -z "$others" ]; then
		ok "debug.log: PerfdataValue dropped no threshold and no unit"
	else
		not_ok "debug.log: PerfdataValue dropped no threshold and no unit"
		diag "$others"
	fi
}

# --- Graphite: carbon-cache and graphite-web ------------------------------------

# carbon_start: Debian's carbon-cache as RUN_USER on loopback, its whisper
# files under $T/carbon/whisper (CARBON_WHISPER) at 1 s resolution, no
# create/update throttling. Sets CARBON_PORT (line receiver) and
# CARBON_QUERY (cache query port, for graphite-web).
carbon_start() {
	local c="$T/carbon" i
	mkdir -p "$c/whisper" "$c/log" "$c/run"
	CARBON_WHISPER="$c/whisper"
	CARBON_PORT=$(free_port)
	CARBON_QUERY=$(free_port)
	cat >"$c/carbon.conf" <<CONF
[cache]
STORAGE_DIR = $c/
LOCAL_DATA_DIR = $c/whisper/
CONF_DIR = $c/
LOG_DIR = $c/log/
PID_DIR = $c/run/
DATABASE = whisper
USER =
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $CARBON_PORT
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $(free_port)
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $CARBON_QUERY
WHISPER_AUTOFLUSH = True
WHISPER_FALLOCATE_CREATE = False
CONF
	cat >"$c/storage-schemas.conf" <<CONF
[everything]
pattern = .*
retentions = 1s:2h
CONF
	if [ "$(id -u)" -eq 0 ]; then chown -R "$RUN_USER:$RUN_GROUP" "$c"; fi
	spawn "$T/carbon.out" "${RUN_AS[@]}" carbon-cache --config="$c/carbon.conf" --debug start
	for ((i = 0; i < 60; i++)); do
		port_open "$CARBON_PORT" && port_open "$CARBON_QUERY" && return 0
		sleep 0.25
	done
	diag "carbon-cache did not listen:" "$(tail -5 "$T/carbon.out")"
	return 1
}

# port_open PORT: something accepts connections on 127.0.0.1:PORT.
port_open() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null
}

# graphite_web_start WHISPER_DIR CARBON_QUERY_PORT: Debian's graphite-web
# (its Django WSGI application in the standard library's WSGI server) as
# RUN_USER on a loopback port, with a private settings module, database and
# logs under $T/graphite-web. Sets GRAPHITE_URL.
graphite_web_start() {
	local g="$T/graphite-web" i
	mkdir -p "$g/log"
	cat >"$g/e2e_graphite_settings.py" <<PY
SECRET_KEY = "e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TIME_ZONE = "UTC"
STORAGE_DIR = "$g"
WHISPER_DIR = "$1"
STANDARD_DIRS = ["$1"]
LOG_DIR = "$g/log"
INDEX_FILE = "$g/index"
CARBONLINK_HOSTS = ["127.0.0.1:$2:a"]
DATABASES = {"default": {"NAME": "$g/graphite.db", "ENGINE": "django.db.backends.sqlite3",
                         "USER": "", "PASSWORD": "", "HOST": "", "PORT": ""}}
PY
	cat >"$g/serve.py" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
os.environ["GRAPHITE_SETTINGS_MODULE"] = "e2e_graphite_settings"
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.management import call_command
from graphite.wsgi import application
call_command("migrate", verbosity=0, interactive=False)  # the private sqlite database
class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass
srv = make_server("127.0.0.1", 0, application, handler_class=Quiet)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_port))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
	if [ "$(id -u)" -eq 0 ]; then chown -R "$RUN_USER:$RUN_GROUP" "$g"; fi
	spawn "$T/graphite-web.out" "${RUN_AS[@]}" /usr/bin/python3 "$g/serve.py" "$g" "$g/port"
	for ((i = 0; i < 120; i++)); do
		[ -s "$g/port" ] && break
		sleep 0.25
	done
	[ -s "$g/port" ] || { diag "graphite-web did not start:" "$(tail -5 "$T/graphite-web.out")"; return 1; }
	GRAPHITE_URL="http://127.0.0.1:$(cat "$g/port")"
}

# --- InfluxDB 1.x ----------------------------------------------------------------

# influx_start: Debian's influxd as RUN_USER with a private configuration,
# meta/data/wal under $T/influxdb, HTTP and RPC on loopback ports, no
# reporting, no _internal monitor; creates the database icinga2. Sets
# INFLUX_URL.
influx_start() {
	local d="$T/influxdb" i
	mkdir -p "$d/meta" "$d/data" "$d/wal"
	INFLUX_URL="http://127.0.0.1:$(free_port)"
	cat >"$d/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$(free_port)"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "${INFLUX_URL#http://}"
  log-enabled = false
  pprof-enabled = false
[logging]
  level = "warn"
  suppress-logo = true
CONF
	if [ "$(id -u)" -eq 0 ]; then chown -R "$RUN_USER:$RUN_GROUP" "$d"; fi
	spawn "$T/influxd.out" "${RUN_AS[@]}" influxd run -config "$d/influxdb.conf"
	for ((i = 0; i < 80; i++)); do
		influx_q "" "CREATE DATABASE icinga2" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	diag "influxd did not answer:" "$(tail -5 "$T/influxd.out")"
	return 1
}

# influx_q DB QUERY: InfluxQL over HTTP (POST /query), JSON on stdout.
influx_q() {
	python3 - "$INFLUX_URL" "$1" "$2" <<'PY'
import sys, urllib.parse, urllib.request
url, db, q = sys.argv[1:4]
params = {"q": q, "epoch": "s"}
if db:
    params["db"] = db
with urllib.request.urlopen(url + "/query", data=urllib.parse.urlencode(params).encode(), timeout=10) as r:
    sys.stdout.write(r.read().decode())
PY
}
