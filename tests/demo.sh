#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: the plugin against the bundled Graph emulator. A service
# principal holds a healthy and a quarantined job; the check goes CRITICAL,
# the event handler starts the quarantined job, a check while the job waits
# for its next cycle, the cycle runs (in Entra minutes later; here on a
# control call), the check goes OK. Then the tenant's directory
# synchronization and the end of the client secret. Last, a start that does
# not help: the cause comes back with the next cycle, and the handler backs
# off instead of starting again after the cooldown (the emulator's clock
# moves hours forward; the plugin's follows through its test seam).
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"
BIN=plugin/check_entra_sync
work=$(mktemp -d "${TMPDIR:-/tmp}/entra-demo.XXXXXX")
chmod 700 "$work"
emu_pid=""
cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

python3 tests/emulator/emulator.py --port 0 --port-file "$work/port" 2>"$work/emulator.log" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "demo: the emulator did not start"; cat "$work/emulator.log"; exit 1; }
url="http://127.0.0.1:$(cat "$work/port")"

TENANT=11111111-2222-3333-4444-555555555555
SP=5a1f0c2e-0000-4000-8000-000000000001
BOX=Box.fedcba9876543210fedcba9876543210
printf '%s\n' 'reader-secret-Q8~xVALUE' >"$work/reader.secret"
printf '%s\n' 'writer-secret-Z3~yVALUE' >"$work/writer.secret"
printf '%s\n' 'auditor-secret-D4~wVALUE' >"$work/auditor.secret"
chmod 600 "$work"/*.secret

# A token cache and start history of the demo's own, whatever the machine has.
common=(-T "$TENANT" -s "$SP" --login-url "$url" --graph-url "$url" --token-cache "$work/cache"
	--state-dir "$work/state")
reader=(-C aaaaaaaa-0000-0000-0000-000000000001 --client-secret-file "$work/reader.secret")
writer=(-C aaaaaaaa-0000-0000-0000-000000000002 --client-secret-file "$work/writer.secret")
auditor=(-C aaaaaaaa-0000-0000-0000-000000000004 --client-secret-file "$work/auditor.secret")

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
# emu METHOD PATH [JSON]: a control call to the emulator, body on stdout.
emu() {
	python3 -c 'import sys, urllib.request
body = sys.argv[3].encode() if sys.argv[3] else (b"" if sys.argv[2] == "POST" else None)
req = urllib.request.Request(sys.argv[1], method=sys.argv[2], data=body,
                             headers={"Content-Type": "application/json"})
sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())' "$url$2" "$1" "${3:-}"
}

step "1. Check every job of the service principal (read-only identity)" \
	"check_entra_sync -T $TENANT -C <reader> --client-secret-file reader.secret -s $SP"
"$BIN" "${common[@]}" "${reader[@]}"
echo "(exit $?)"

step "2. Nagios/Icinga run the event handler: CRITICAL HARD (identity with write rights)" \
	"check_entra_sync --event-handler ... -C <writer> -s $SP CRITICAL HARD 3"
"$BIN" --event-handler "${common[@]}" "${writer[@]}" CRITICAL HARD 3
echo "(exit $?)"

step "3. A check right after the start" "check_entra_sync ... -s $SP"
echo "(a start only clears the quarantine: Graph still shows the failed runs until the next"
echo " cycle. The check reads the start the handler recorded in the state directory and says"
echo " WARNING, waiting for the next cycle, so the handler does not fire again meanwhile.)"
"$BIN" "${common[@]}" "${reader[@]}"
waiting=$?
echo "(exit $waiting)"

step "4. Entra runs the job's next cycle (the emulator on request; Entra within its interval)" \
	"POST /_emu/jobs/$BOX/cycle"
emu POST "/_emu/jobs/$BOX/cycle" >/dev/null || { echo "demo: the emulator did not run the cycle"; exit 1; }
echo "cycle done"

step "5. The next check" "check_entra_sync ... -s $SP"
"$BIN" "${common[@]}" "${reader[@]}"
rc=$?
echo "(exit $rc)"

step "6. What the emulator saw" "GET /_emu/counters"
emu GET /_emu/counters | python3 -c '
import json, sys
box = sys.argv[1]
c = json.load(sys.stdin)
print("sign-ins: %d   Graph requests: %d   starts of %s: %d   cycles: %d   restarts: %d" % (
    c["sign_ins_total"], c["graph_requests"], box, c["starts"].get(box, 0),
    c["cycles"].get(box, 0), sum(c.get("restarts", {}).values())))' "$BOX"
[ "$waiting" -eq 1 ] || { echo "demo: the check after the start did not say WARNING (waiting)"; exit 1; }
[ "$rc" -eq 0 ] || { echo "demo: the last check did not come back OK"; exit 1; }

step "7. The tenant's directory synchronization and the client secret's end (an identity with
   Organization.Read.All, OnPremDirectorySynchronization.Read.All, Application.Read.All)" \
	"check_entra_sync --directory-sync --secret-expiry -T $TENANT -C <auditor> --client-secret-file auditor.secret"
"$BIN" --directory-sync --secret-expiry -T "$TENANT" --login-url "$url" --graph-url "$url" \
	--token-cache "$work/cache" "${auditor[@]}"
dir=$?
echo "(exit $dir)"
[ "$dir" -eq 0 ] || { echo "demo: the directory sync check did not say OK"; exit 1; }

# later HOURS: moves the emulator's clock and the plugin's with it.
later() {
	emu POST /_emu/clock "{\"advance\": $1}" >/dev/null || { echo "demo: the emulator's clock did not move"; exit 1; }
	CHECK_ENTRA_SYNC_CLOCK_OFFSET=$(emu GET /_emu/clock | python3 -c 'import json, sys; print(json.load(sys.stdin)["offset"])')
	export CHECK_ENTRA_SYNC_CLOCK_OFFSET
}

step "8. The cause comes back and stays (a start cannot fix credentials); two hours later
   the event handler starts the job again" \
	"POST /_emu/jobs/$BOX/quarantine; check_entra_sync --event-handler ... CRITICAL HARD 3"
if ! emu POST "/_emu/jobs/$BOX/next-cycle" '{"outcome":"quarantine","error_code":"BoxInsufficientPermissions"}' >/dev/null ||
	! emu POST "/_emu/jobs/$BOX/quarantine" '{}' >/dev/null; then
	echo "demo: the emulator did not quarantine"
	exit 1
fi
later 7200
"$BIN" --event-handler "${common[@]}" "${writer[@]}" -j "$BOX" CRITICAL HARD 3
echo "(exit $?)"

step "9. 41 minutes later: the next cycle quarantined it again; the check says so" \
	"check_entra_sync ... -s $SP -j $BOX"
later 2460
"$BIN" "${common[@]}" "${reader[@]}" -j "$BOX"
again=$?
echo "(exit $again)"

step "10. The event handler backs off: twice the gap instead of the cooldown" \
	"check_entra_sync --event-handler ... CRITICAL HARD 3"
out=$("$BIN" --event-handler "${common[@]}" "${writer[@]}" -j "$BOX" CRITICAL HARD 3)
backoff=$?
printf '%s\n(exit %d)\n' "$out" "$backoff"
if [ "$again" -ne 2 ] || [ "$backoff" -ne 1 ] || ! printf '%s' "$out" | grep -q "did not help"; then
	echo "demo: the start that did not help was not said and backed off"
	exit 1
fi
