#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end through NRPE: the nrpe daemon runs the commands of the
# top-level nrpe.cfg.example (only port, pid file, user, allowed hosts, the
# plugin and /etc/check-entra-sync paths and the Graph/sign-in URLs
# substituted) and check_nrpe queries them over TLS on a loopback port. Exit
# code, first line and perfdata must arrive as the plugin printed them when
# run directly. The plugin's path gains --token-cache and --state-dir: the
# example relies on the default directories, which are the machine's,
# shared with whatever else runs there. The ini command reads the example
# ini file, its URLs and secret file substituted.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NRPE=${NRPE:-/usr/sbin/nrpe}
CHECK_NRPE=${CHECK_NRPE:-/usr/lib/nagios/plugins/check_nrpe}
EXAMPLE="$E2E_ROOT/nrpe.cfg.example"

[ -x "$NRPE" ] || skip_all "nrpe is not installed ($NRPE)"
[ -x "$CHECK_NRPE" ] || skip_all "check_nrpe is not installed ($CHECK_NRPE)"
# Eleven checks of their own and one comparison per command of the example.
plan $((11 + $(grep -c '^command\[' "$EXAMPLE")))
e2e_setup nrpe
emu_start || bail "emulator starts"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$T/etc" "$T/state"
secret_file "$T/etc/entra-sync.secret" "$READER_SECRET"
secret_file "$T/etc/entra-directory.secret" "$AUDITOR_SECRET"
printf '# the default fixture\n%s Demo provisioning\n' "$SP_ID" >"$T/etc/entra-sync-service-principals"
chmod 644 "$T/etc/entra-sync-service-principals"
secret_file "$T/reader.secret" "$READER_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
example_ini "$T/etc/check_entra_sync.ini" || bail "the example ini file takes the emulator's URLs and the test's secret files"
own_by_run_user "$T/state"

sed -e "s|^server_port=.*|server_port=$PORT\nserver_address=127.0.0.1|" \
	-e "s|^pid_file=.*|pid_file=$T/nrpe.pid\nlog_file=$T/nrpe.log|" \
	-e "s|^nrpe_user=.*|nrpe_user=$RUN_USER|" \
	-e "s|^nrpe_group=.*|nrpe_group=$RUN_GROUP|" \
	-e "s|^allowed_hosts=.*|allowed_hosts=127.0.0.1|" \
	-e "s|^\(command\[[^]]*\]=\)/usr/lib/nagios/plugins/check_entra_sync |\1$PLUGIN_DIR/check_entra_sync --token-cache $T/tokens --state-dir $T/state |" \
	-e "/^command\[/s|/etc/check-entra-sync/|$T/etc/|g" \
	-e "s|https://login.microsoftonline.com|$EMU_URL|" \
	-e "s|https://graph.microsoft.com|$EMU_URL|" \
	"$EXAMPLE" >"$T/nrpe.cfg"

# 1: the example is a clean substitution: every command line changed in
# exactly those places, nothing else in them; each has --timeout 9, below
# check_nrpe's 10 s.
mapfile -t CMDS < <(sed -n 's/^command\[\([^]]*\)\]=.*/\1/p' "$T/nrpe.cfg")
bad=""
for c in "${CMDS[@]}"; do
	line=$(grep "^command\[$c\]=" "$T/nrpe.cfg")
	case "$line" in
	"command[$c]=$PLUGIN_DIR/check_entra_sync --token-cache $T/tokens --state-dir $T/state --timeout 9 "*"--client-secret-file $T/etc/entra-"*".secret --login-url $EMU_URL --graph-url $EMU_URL"*) ;;
	"command[$c]=$PLUGIN_DIR/check_entra_sync --token-cache $T/tokens --state-dir $T/state --extra-opts=@$T/etc/check_entra_sync.ini --timeout 9 "*) ;;
	*) bad="$bad $c" ;;
	esac
	case "$line" in */etc/check-entra-sync*) bad="$bad $c" ;; esac
	# shellcheck disable=SC2016 # a literal $ARGn$ must not appear
	case "$line" in *'$ARG'* | *https://*) bad="$bad $c" ;; esac
done
if [ ${#CMDS[@]} -ge 1 ] && [ -z "$bad" ] && grep -q '^dont_blame_nrpe=0' "$T/nrpe.cfg"; then
	ok "nrpe.cfg.example: ${#CMDS[@]} fixed commands, paths and URLs substitute cleanly"
else
	not_ok "nrpe.cfg.example: fixed commands, paths and URLs substitute cleanly"
	diag "commands: ${CMDS[*]:-none}; not substituted:$bad"
fi

spawn "$T/nrpe.out" "$NRPE" -c "$T/nrpe.cfg" -f
NRPE_PID=$SPAWNED
# nrpe -f acts on SIGTERM only once accept() returns: poke it after the signal.
on_exit "kill -TERM $NRPE_PID; sleep 0.2; '$CHECK_NRPE' -H 127.0.0.1 -p $PORT -t 2"
alive() { kill -0 "$NRPE_PID" 2>/dev/null; }

# 2: the daemon answers check_nrpe (TLS, Debian's defaults on both sides).
nrpe_up() { "$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 5 >/dev/null 2>&1; }
if wait_for 10 nrpe_up && alive; then
	ok "nrpe answers check_nrpe over TLS on 127.0.0.1:$PORT"
else
	not_ok "nrpe answers check_nrpe over TLS on 127.0.0.1:$PORT"
	diag "$("$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 5 2>&1)" "$(tail -5 "$T/nrpe.out")"
	exit 0
fi

# Ages tick between the two runs: mask seconds counts and the time left
# before the automatic disable (the default fixture's quarantine began
# exactly 3 days before the emulator started, so "25d" turns into
# "24d 23h" a second later), keep everything else.
mask_seconds() { sed -E -e 's/\b[0-9]+s\b/Ns/g' -e 's/automatic disable in [0-9dhm ]+/automatic disable in T/g'; }

# direct NAME: run the command line of NAME from nrpe.cfg as nrpe would.
direct() {
	local line
	line=$(sed -n "s/^command\[$1\]=//p" "$T/nrpe.cfg")
	(cd / && as_run_user /bin/sh -c "$line")
}

# 3..: each command: same exit code, first line and perfdata via NRPE as direct.
for c in "${CMDS[@]}"; do
	via=$("$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 30 -c "$c" 2>&1)
	via_rc=$?
	dir=$(direct "$c" 2>/dev/null)
	dir_rc=$?
	a=$(printf '%s\n' "$via" | first_line_norm | mask_seconds)
	b=$(printf '%s\n' "$dir" | first_line_norm | mask_seconds)
	if [ "$via_rc" = "$dir_rc" ] && [ "$a" = "$b" ] && printf '%s\n' "$via" | head -n 1 | grep -q ' | ' &&
		[ "$(printf '%s\n' "$via" | wc -l)" = "$(printf '%s\n' "$dir" | wc -l)" ]; then
		ok "$c via NRPE: exit $via_rc, first line and perfdata as run directly"
	else
		not_ok "$c via NRPE: exit code, first line and perfdata as run directly"
		diag "via nrpe (exit $via_rc): $a" "direct   (exit $dir_rc): $b"
	fi
	diag "$c: exit $via_rc: $(printf '%s\n' "$via" | head -n 1 | cut -c1-150)"
done

# The expected states of the default fixture.
rc_of() { "$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 30 -c "$1" >/dev/null 2>&1; echo $?; }
check "check_entra_sync_box is CRITICAL (quarantined job)" test "$(rc_of check_entra_sync_box)" = 2
check "check_entra_sync_scim is OK (healthy job)" test "$(rc_of check_entra_sync_scim)" = 0
check "check_entra_sync_directory is OK (the tenant syncs)" test "$(rc_of check_entra_sync_directory)" = 0
check "check_entra_sync_tenant (ids from a file) is CRITICAL (the quarantined job among them)" \
	test "$(rc_of check_entra_sync_tenant)" = 2
check "check_entra_sync_scim_ini (identity from the ini file) is OK (healthy job)" \
	test "$(rc_of check_entra_sync_scim_ini)" = 0

check "token cache below the substituted --token-cache, 0700" test "$(stat -c %a "$T/tokens" 2>/dev/null)" = 700

# Arguments from the network are refused; the plugin does not run.
before=$(emu GET /_emu/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["graph_requests"])')
out=$("$CHECK_NRPE" -H 127.0.0.1 -p "$PORT" -t 10 -c check_entra_sync_box -a --graph-url http://127.0.0.2:1 2>&1)
rc=$?
after=$(emu GET /_emu/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["graph_requests"])')
if [ "$rc" != 0 ] && [ "$before" = "$after" ]; then
	ok "nrpe refuses command arguments (dont_blame_nrpe=0)"
else
	not_ok "nrpe refuses command arguments (dont_blame_nrpe=0)"
	diag "exit $rc: $out" "graph requests $before -> $after"
fi

# Tokens are cached, not fetched per check: one sign-in for the reader.
signins=$(emu GET /_emu/counters | python3 -c 'import json,sys; print(json.load(sys.stdin)["sign_ins"].get(sys.argv[1], 0))' "$READER_ID")
check "one sign-in for all NRPE and direct runs (token cache shared)" test "$signins" = 1
[ "$signins" = 1 ] || diag "sign-ins: $signins"

check "nrpe still running at the end" alive
e2e_done
