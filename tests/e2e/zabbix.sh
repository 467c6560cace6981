# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# Debian's Zabbix agent 2 with contrib/zabbix/check_entra_sync.conf, for
# test_zabbix_agent.sh and test_zabbix_server.sh (sourced after lib.sh, not
# run).

ZABBIX_AGENT2=${ZABBIX_AGENT2:-/usr/sbin/zabbix_agent2}
ZABBIX_GET=${ZABBIX_GET:-/usr/bin/zabbix_get}
USERPARAMS="$E2E_ROOT/contrib/zabbix/check_entra_sync.conf"
ZABBIX_TEMPLATE="$E2E_ROOT/contrib/zabbix/template_entra_sync.yaml"

# zabbix_port: a free TCP port on 127.0.0.1 that Zabbix takes (its ListenPort
# is 1024-32767, below Linux's ephemeral range that free_port draws from).
zabbix_port() {
	python3 -c '
import random, socket
while True:
    p = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break'
}

# zabbix_etc: $T/etc as /etc/check-entra-sync: the example ini file (the
# emulator's URLs, the secret files) and the service principals file.
zabbix_etc() {
	mkdir -p "$T/etc"
	secret_file "$T/reader.secret" "$READER_SECRET"
	secret_file "$T/writer.secret" "$WRITER_SECRET"
	example_ini "$T/etc/check_entra_sync.ini" || return 1
	printf '# the default fixture\n%s Demo provisioning\n' "$SP_ID" >"$T/etc/entra-sync-service-principals"
	chmod 0644 "$T/etc/entra-sync-service-principals"
}

# zabbix_userparams: $T/userparams.conf, the contrib file with the plugin's
# path (plus the test's own token cache and state directory, as the other
# daemons' tests do: the defaults are the machine's) and /etc/check-entra-sync
# put in; returns 1 unless exactly those changed on every UserParameter line.
zabbix_userparams() {
	local want n
	sed -e "s|^\(UserParameter=[^,]*,\)/usr/lib/nagios/plugins/check_entra_sync |\1$PLUGIN_DIR/check_entra_sync --token-cache $T/tokens --state-dir $T/state |" \
		-e "/^UserParameter=/s|/etc/check-entra-sync/|$T/etc/|g" \
		"$USERPARAMS" >"$T/userparams.conf"
	n=$(grep -c '^UserParameter=' "$USERPARAMS")
	want=$(grep '^UserParameter=' "$USERPARAMS" | sed -e "s|,/usr/lib/nagios/plugins/check_entra_sync |,$PLUGIN_DIR/check_entra_sync --token-cache $T/tokens --state-dir $T/state |" \
		-e "s|/etc/check-entra-sync/|$T/etc/|g")
	mkdir -p "$T/state"
	chmod 0700 "$T/state"
	own_by_run_user "$T/state"
	[ "$n" -ge 1 ] && [ "$(grep '^UserParameter=' "$T/userparams.conf")" = "$want" ] &&
		! grep '^UserParameter=' "$T/userparams.conf" | grep -q '/etc/check-entra-sync\|/usr/lib/nagios'
}

# zabbix_agent_start: Zabbix agent 2 as RUN_USER on 127.0.0.1:AGENT_PORT,
# passive checks only, from 127.0.0.1, with the test's UserParameters and
# Timeout=30 (the largest, as the contrib file says to set); its files under
# $T/agent. Returns 1 when it does not answer agent.ping within 20 s.
zabbix_agent_start() {
	local i
	AGENT_PORT=$(zabbix_port)
	mkdir -p "$T/agent"
	cat >"$T/agent/zabbix_agent2.conf" <<EOF
Server=127.0.0.1
ListenIP=127.0.0.1
ListenPort=$AGENT_PORT
Hostname=e2e-entra
LogType=file
LogFile=$T/agent/agent2.log
PidFile=$T/agent/agent2.pid
ControlSocket=$T/agent/agent2.sock
PluginSocket=$T/agent/plugin.sock
Timeout=30
Include=$T/userparams.conf
EOF
	own_by_run_user "$T/agent"
	spawn "$T/agent/agent2.out" "${RUN_AS[@]}" "$ZABBIX_AGENT2" -c "$T/agent/zabbix_agent2.conf" -f
	AGENT_PID=$SPAWNED
	for ((i = 0; i < 80; i++)); do
		[ "$(zget agent.ping 2>/dev/null)" = 1 ] && return 0
		sleep 0.25
	done
	diag "zabbix_agent2 did not answer:" "$(tail -5 "$T/agent/agent2.log" 2>/dev/null)" "$(tail -3 "$T/agent/agent2.out")"
	return 1
}

# zget KEY: the agent's answer to KEY, through zabbix_get.
zget() {
	"$ZABBIX_GET" -s 127.0.0.1 -p "$AGENT_PORT" -t 30 -k "$1"
}
