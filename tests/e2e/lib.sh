# shellcheck shell=bash disable=SC2034
# Shared helpers for the end-to-end tests (sourced, not run).
# Each test declares its plan first ("plan N" prints "1..N"), prints TAP lines
# "ok N - name" / "not ok N - name" and "# " diagnostics, starts its daemons
# from a private temp dir, and kills everything it started on exit (trap),
# whether it passed or not. tests/run-all.sh compares the plan with the tests
# reported, so a script that stops early fails even when nothing said "not ok".

E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLUGIN="$E2E_ROOT/plugin/check_entra_sync"
EMULATOR="$E2E_ROOT/tests/emulator/emulator.py"

# Identities and objects of the emulator's default fixture (PROTOCOL.md).
TENANT=11111111-2222-3333-4444-555555555555
READER_ID=aaaaaaaa-0000-0000-0000-000000000001
READER_SECRET='reader-secret-Q8~xVALUE'
WRITER_ID=aaaaaaaa-0000-0000-0000-000000000002
WRITER_SECRET='writer-secret-Z3~yVALUE'
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

# e2e_setup NAME: temp dir $T reachable by RUN_USER, and a private copy of
# the plugin in $T/bin (PLUGIN_DIR), immune to a rebuild while daemons run.
e2e_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/e2e-$1.XXXXXX")
	chmod 0755 "$T"
	[ -x "$PLUGIN" ] || bail "plugin binary $PLUGIN is built (run make)"
	PLUGIN_DIR="$T/bin"
	mkdir -p "$PLUGIN_DIR"
	cp "$PLUGIN" "$PLUGIN_DIR/check_entra_sync"
	chmod 0755 "$PLUGIN_DIR" "$PLUGIN_DIR/check_entra_sync"
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
		emu PUT "/_emu/servicePrincipals/$LEGACY_SP" "$(python3 - "$E2E_ROOT/tests/emulator/fixtures/default.json" "$BOX_JOB" "$LEGACY_JOB" <<'PY'
import json, sys
fixture, src, dst = sys.argv[1:4]
job = next(j for sp in json.load(open(fixture))["servicePrincipals"] for j in sp["jobs"] if j["id"] == src)
job["id"] = dst
print(json.dumps({"appId": "bbbbbbbb-0000-0000-0000-0000000000c1", "jobs": [job]}))
PY
)" >/dev/null
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
		test "$(emu_requests POST "/$BOX_JOB/start" 204) $(emu_requests POST /start '*') $(emu_requests GET '' 401) $(emu_requests POST '' 401) $(emu_requests GET '' 403)" = "1 2 0 0 0"
}
