#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end through a real Zabbix 6.0 from Debian: zabbix_server on a
# private PostgreSQL database (Debian's schema), the frontend's API
# (zabbix-frontend-php, a private copy served by PHP's built-in server) and
# Zabbix agent 2 with contrib/zabbix/check_entra_sync.conf, all on loopback.
# The template imports through the API; a host linked to it polls the agent,
# the discovery makes the fixture's two jobs, the quarantined job's items
# take their values and its trigger fires; after the job is started its
# trigger resolves. Nothing is left unsupported.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/pg.sh
. "$(dirname "$0")/pg.sh"
# shellcheck source=tests/e2e/zabbix.sh
. "$(dirname "$0")/zabbix.sh"

ZABBIX_SERVER=${ZABBIX_SERVER:-/usr/sbin/zabbix_server}
SCHEMA=/usr/share/zabbix-server-pgsql
FRONTEND=/usr/share/zabbix
ZAPI="$E2E_ROOT/tests/e2e/zabbix_api.py"
TEMPLATE_NAME=$(sed -n 's/^    template: //p' "$ZABBIX_TEMPLATE")
HOST=entra-zabbix

[ -x "$ZABBIX_SERVER" ] && [ -f "$SCHEMA/schema.sql.gz" ] || skip_all "zabbix-server-pgsql is not installed"
[ -f "$FRONTEND/api_jsonrpc.php" ] || skip_all "zabbix-frontend-php is not installed"
[ -x "$ZABBIX_AGENT2" ] || skip_all "zabbix_agent2 is not installed ($ZABBIX_AGENT2)"
command -v php >/dev/null || skip_all "php-cli is not installed"
pg_bin >/dev/null || skip_all "the PostgreSQL server is not installed"
plan 9
e2e_setup zabbix-server
emu_start || bail "emulator starts"
zabbix_etc || bail "the example ini file takes the emulator's URLs and the test's secret files"
zabbix_userparams || bail "check_entra_sync.conf substitutes cleanly"
zabbix_agent_start || bail "zabbix_agent2 answers"

# The database: Debian's schema, images and data, as its README.Debian says.
t0=$SECONDS
pg_start || bail "PostgreSQL starts"
psql_e2e postgres -c "create database zabbix encoding 'UTF8'" &&
	for f in schema images data; do zcat "$SCHEMA/$f.sql.gz"; done | psql_e2e zabbix >"$T/schema.log" 2>&1 ||
	bail "the Zabbix schema imports: $(tail -3 "$T/schema.log")"
diag "database made in $((SECONDS - t0)) s"

# The server: passive polls with the largest Timeout, as the contrib file
# says; a configuration cache refreshed every 2 s, so the test needs no
# reload between steps.
mkdir -p "$T/server"
cat >"$T/server/zabbix_server.conf" <<EOF
ListenIP=127.0.0.1
ListenPort=$(zabbix_port)
LogFile=$T/server/server.log
LogFileSize=0
PidFile=$T/server/server.pid
SocketDir=$T/server
DBHost=$PG_SOCK
DBPort=$PG_PORT
DBName=zabbix
DBUser=e2e
CacheUpdateFrequency=2
StartPollers=2
StartPollersUnreachable=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartTimers=1
StartEscalators=1
StartAlerters=1
StartPreprocessors=2
StartLLDProcessors=1
StartODBCPollers=0
StartReportWriters=0
Timeout=30
EOF
own_by_run_user "$T/server"
spawn "$T/server/server.out" "${RUN_AS[@]}" "$ZABBIX_SERVER" -c "$T/server/zabbix_server.conf" -f

# The frontend: a private copy whose configuration file is the test's own
# (Debian's reads /etc/zabbix/zabbix.conf.php), served on a loopback port.
cp -r "$FRONTEND" "$T/web"
sed -i "s|'/etc/zabbix/zabbix.conf.php'|'$T/web/conf/zabbix.conf.php'|" "$T/web/include/classes/core/CConfigFile.php"
cat >"$T/web/conf/zabbix.conf.php" <<EOF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '$PG_SOCK';
\$DB['PORT'] = '$PG_PORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'e2e';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER_NAME = 'e2e';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
own_by_run_user "$T/web"
WEB="http://127.0.0.1:$(free_port)"
spawn "$T/php.out" "${RUN_AS[@]}" php -S "${WEB#http://}" -t "$T/web"
api() { python3 "$ZAPI" "$WEB" "$@"; }
api_up() { api apiinfo.version '{}' >/dev/null 2>&1; }
# apiinfo.version needs no login; the first real call waits for the database.
wait_for 20 api_up || bail "the frontend's API answers: $(tail -3 "$T/php.out")"
diag "server, database and frontend up $((SECONDS - t0)) s after the database started"

# 1, 2: the template imports, and again over itself.
if out=$(api import "$ZABBIX_TEMPLATE" 2>&1) && [ "$out" = true ] && out=$(api import "$ZABBIX_TEMPLATE" 2>&1); then
	ok "configuration.import takes the template, a second time over itself too"
else
	not_ok "configuration.import takes the template, a second time over itself too"
	diag "$out"
	exit 1
fi
want=$(python3 -c '
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))["zabbix_export"]["templates"][0]
r = t["discovery_rules"][0]
print(len(t["items"]), sum(len(i.get("triggers", [])) for i in t["items"]), len(t["discovery_rules"]),
      len(r["item_prototypes"]), len(r["trigger_prototypes"]), len(t["macros"]), len(t["valuemaps"]))' "$ZABBIX_TEMPLATE")
got=$(api template.get "{\"filter\": {\"host\": \"$TEMPLATE_NAME\"}, \"selectItems\": \"count\",
	\"selectTriggers\": \"count\", \"selectDiscoveries\": \"count\", \"selectMacros\": \"extend\", \"selectValueMaps\": \"extend\"}" |
	python3 -c 'import json,sys; (t,) = json.load(sys.stdin); print(t["items"], t["triggers"], t["discoveries"], len(t["macros"]), len(t["valuemaps"]), t["templateid"])')
TEMPLATE_ID=${got##* }
protos=$(api discoveryrule.get "{\"templateids\": \"$TEMPLATE_ID\", \"selectItems\": \"count\", \"selectTriggers\": \"count\"}" |
	python3 -c 'import json,sys; (r,) = json.load(sys.stdin); print(r["items"], r["triggers"])')
read -r gi gt gd gm gv _ <<<"$got"
read -r pi pt <<<"$protos"
check "the server holds the template's items, triggers, discovery, prototypes, macros and value map ($want)" \
	test "$gi $gt $gd $pi $pt $gm $gv" = "$want"

# The host: the agent's interface, the service principal, a 10 s interval.
hostid=$(api host.create "{\"host\": \"$HOST\", \"groups\": [{\"groupid\": \"2\"}],
	\"interfaces\": [{\"type\": 1, \"main\": 1, \"useip\": 1, \"ip\": \"127.0.0.1\", \"dns\": \"\", \"port\": \"$AGENT_PORT\"}],
	\"templates\": [{\"templateid\": \"$TEMPLATE_ID\"}],
	\"macros\": [{\"macro\": \"{\$ENTRA.SP}\", \"value\": \"$SP_ID\"}, {\"macro\": \"{\$ENTRA.SYNC.INTERVAL}\", \"value\": \"10s\"}]}" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["hostids"][0])') || bail "host.create"

# item KEY: the host's item's "lastvalue state" (state 1: unsupported).
item() {
	api item.get "{\"hostids\": \"$hostid\", \"filter\": {\"key_\": \"$1\"}, \"output\": [\"lastvalue\", \"state\", \"error\"]}" |
		python3 -c 'import json,sys; r = json.load(sys.stdin); print(" ".join([r[0]["lastvalue"], r[0]["state"]]) if r else "none")'
}
# problem NAME: the host's trigger NAME is in problem state.
trigger_value() {
	api trigger.get "{\"hostids\": \"$hostid\", \"filter\": {\"description\": \"$1\"}, \"output\": [\"value\"], \"expandDescription\": true}" |
		python3 -c 'import json,sys; r = json.load(sys.stdin); print(r[0]["value"] if r else "none")'
}
BOX_KEY="[$SP_ID,$BOX_JOB]"
SCIM_KEY="[$SP_ID,$SCIM_JOB]"
QUARANTINED="Entra sync job Box is quarantined"
box_state_is() { [ "$(item "entra.sync.job.state$BOX_KEY")" = "$1 0" ]; }
problem_is() { [ "$(trigger_value "$QUARANTINED")" = "$1" ]; }

# 3: the discovery makes both jobs' items.
discovered() {
	[ "$(item "entra.sync.job.state$BOX_KEY")" != none ] && [ "$(item "entra.sync.job.state$SCIM_KEY")" != none ]
}
check "the discovery makes the items of both jobs of the fixture" wait_for 60 discovered
# 4, 5: values arrive: the run CRITICAL, Box quarantined, scim OK.
if wait_for 40 box_state_is 2; then
	ok "the server polls the agent: Box's state item is 2 (CRITICAL)"
else
	not_ok "the server polls the agent: Box's state item is 2 (CRITICAL)"
	diag "$(item "entra.sync.job.state$BOX_KEY")" "$(grep -iE 'error|fail|not supported' "$T/server/server.log" | tail -5)"
fi
check "the items say Quarantine, EncounteredQuarantineException; scim OK; the run CRITICAL" test \
	"$(item "entra.sync.job.status$BOX_KEY")|$(item "entra.sync.job.quarantine_reason$BOX_KEY")|$(item "entra.sync.job.state$SCIM_KEY")|$(item entra.sync.state)" = \
	"Quarantine 0|EncounteredQuarantineException 0|0 0|2 0"
# 6: the quarantine trigger fires.
check "the trigger \"$QUARANTINED\" fires" wait_for 20 problem_is 1

# 7: nothing unsupported on the host.
unsupported=$(api item.get "{\"hostids\": \"$hostid\", \"filter\": {\"state\": 1}, \"output\": [\"key_\", \"error\"]}")
check "no item of the host is unsupported" test "$unsupported" = "[]"
[ "$unsupported" = "[]" ] || diag "$unsupported"

# 8: after a start (the repair the event handler or --start makes), the
# job's next cycle (3 s later) succeeds and the trigger resolves: the next
# polls find Box OK, not merely no longer CRITICAL.
start_out=$(cd / && as_run_user "$PLUGIN_DIR/check_entra_sync" --start --extra-opts="entra_sync_repair@$T/etc/check_entra_sync.ini" \
	--token-cache "$T/tokens" --state-dir "$T/state" -s "$SP_ID" -j "$BOX_JOB" 2>&1)
diag "$(printf '%s\n' "$start_out" | head -n 1)"
if wait_for 60 problem_is 0 && wait_for 30 box_state_is 0; then
	ok "after the start and the job's next cycle the trigger resolves and Box's state item is 0 (OK)"
else
	not_ok "after the start and the job's next cycle the trigger resolves and Box's state item is 0 (OK)"
	diag "trigger $(trigger_value "$QUARANTINED"); Box $(item "entra.sync.job.status$BOX_KEY")"
fi
check "zabbix_agent2 still running" kill -0 "$AGENT_PID"
e2e_done
