#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# End to end through Icinga Director: Debian's icingaweb2-module-director,
# with a configuration directory of its own (ICINGAWEB_CONFIGDIR) and a
# private PostgreSQL database, restores contrib/icinga2/director-basket.json
# with icingacli as an administrator would, twice (the second changes
# nothing). A service is then made in Director from the basket's repair
# template, as a user would in the web form; Director renders the commands,
# templates, host and service, and Icinga 2 runs that configuration against
# the emulator: the quarantined job goes CRITICAL HARD, the basket's
# EventCommand starts it exactly once, and the service comes back OK. The
# identity comes from the ini file through --extra-opts (the check's section
# and the repair's own), as Director cannot give a command an environment.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/pg.sh
. "$(dirname "$0")/pg.sh"

ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
ICINGACLI=${ICINGACLI:-/usr/bin/icingacli}
DIRECTOR=/usr/share/icingaweb2/modules/director
BASKET="$E2E_ROOT/contrib/icinga2/director-basket.json"
HOST=entra-director
SVC=Box

[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed ($ICINGA2)"
[ -x "$ICINGACLI" ] || skip_all "icingacli is not installed ($ICINGACLI)"
[ -d "$DIRECTOR" ] || skip_all "icingaweb2-module-director is not installed ($DIRECTOR)"
pg_bin >/dev/null || skip_all "the PostgreSQL server is not installed"
plan 10
e2e_setup director
emu_start || bail "emulator starts"
pg_start || bail "PostgreSQL starts"
psql_e2e postgres -c "create database director encoding 'UTF8'" || bail "the Director database is created"

# Icinga Web 2's configuration: the Director module and the two it needs,
# its database, no log.
C="$T/icingaweb2"
mkdir -p "$C/modules/director" "$C/enabledModules"
for m in director incubator reactbundle; do ln -s "/usr/share/icingaweb2/modules/$m" "$C/enabledModules/$m"; done
printf '[logging]\nlog = "none"\n' >"$C/config.ini"
cat >"$C/resources.ini" <<EOF
[director_db]
type = "db"
db = "pgsql"
host = "$PG_SOCK"
port = "$PG_PORT"
dbname = "director"
username = "e2e"
password = ""
charset = "utf8"
EOF
printf '[db]\nresource = "director_db"\n' >"$C/modules/director/config.ini"
director() { ICINGAWEB_CONFIGDIR="$C" "$ICINGACLI" director "$@"; }
director migration run >"$T/migration.log" 2>&1 || bail "Director makes its schema: $(tail -3 "$T/migration.log")"

# counts: objects and data fields Director holds, and the links between them.
counts() {
	psql_e2e director -At -c "select (select count(*) from icinga_command) || ' ' ||
		(select count(*) from icinga_service) || ' ' || (select count(*) from director_datafield) || ' ' ||
		(select count(*) from icinga_command_field) || ' ' || (select count(*) from icinga_service_field)"
}

# 1: the basket restores.
if director basket restore <"$BASKET" >"$T/restore.log" 2>&1; then
	ok "icingacli director basket restore takes the basket"
else
	not_ok "icingacli director basket restore takes the basket"
	diag "$(head -5 "$T/restore.log")"
	exit 1
fi
first=$(counts)
want=$(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
print(len(b["Command"]), len(b["ServiceTemplate"]), len(b["Datafield"]),
      sum(len(c["fields"]) for c in b["Command"].values()),
      sum(len(t["fields"]) for t in b["ServiceTemplate"].values()))' "$BASKET")
check "Director holds the basket's commands, templates, data fields and their links ($want)" test "$first" = "$want"

# 2: restored again, nothing changes (no second copy of a field).
director basket restore <"$BASKET" >>"$T/restore.log" 2>&1
check "a second restore changes nothing" test "$(counts)" = "$first"

# 3: each object as Director stores it is the basket's, and every field is
# linked to the variable the basket names.
psql_e2e director -At -F ' ' -c 'select id, varname from director_datafield' >"$T/fields.txt"
if out=$(python3 - "$BASKET" "$C" "$T/fields.txt" <<'PY' 2>&1
import json, os, subprocess, sys
basket, conf = json.load(open(sys.argv[1])), sys.argv[2]
env = dict(os.environ, ICINGAWEB_CONFIGDIR=conf)
names = {fid: f["varname"] for fid, f in basket["Datafield"].items()}
stored = dict(line.split() for line in open(sys.argv[3]))
bad = []
for kind, cli in (("Command", "command"), ("ServiceTemplate", "service")):
    for name, want in basket[kind].items():
        got = json.loads(subprocess.run(["icingacli", "director", cli, "show", name, "--json"],
                                        env=env, capture_output=True, check=True).stdout)
        for key, value in want.items():
            if key == "fields":
                continue
            if got.get(key) != value:
                bad.append("%s %s: %s is %r, not %r" % (kind, name, key, got.get(key), value))
        linked = sorted(stored[str(f["datafield_id"])] for f in got.get("fields", []))
        want_fields = sorted(names[str(f["datafield_id"])] for f in want["fields"])
        if linked != want_fields:
            bad.append("%s %s: fields %s, not %s" % (kind, name, linked, want_fields))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
); then
	ok "Director stores each command and template as the basket says, its fields linked by name"
else
	not_ok "Director stores each command and template as the basket says, its fields linked by name"
	diag "$out"
fi

# A user's objects, as made in Director's forms: the host (with the dummy
# command kickstart would import from Icinga 2) and the service from the
# repair template, the test's ini file, cache and state directory, and
# short intervals.
mkdir -p "$T/state" "$T/cache"
secret_file "$T/reader.secret" "$READER_SECRET"
secret_file "$T/writer.secret" "$WRITER_SECRET"
example_ini "$T/check_entra_sync.ini" || bail "the example ini file takes the emulator's URLs and the test's secret files"
director command create --json '{"object_name": "dummy", "object_type": "external_object", "command": "/bin/true"}' >/dev/null &&
	director host create "$HOST" --json "{\"object_type\": \"object\", \"check_command\": \"dummy\",
		\"vars\": {\"entra_sync_extra_opts\": \"@$T/check_entra_sync.ini\",
			\"entra_sync_repair_extra_opts\": \"entra_sync_repair@$T/check_entra_sync.ini\"}}" >/dev/null &&
	director service create --json "{\"object_name\": \"$SVC\", \"object_type\": \"object\", \"host\": \"$HOST\",
		\"imports\": [\"entra-sync-repair\"], \"max_check_attempts\": \"2\", \"check_interval\": \"2\",
		\"retry_interval\": \"1\", \"vars\": {\"entra_sync_service_principal\": [\"$SP_ID\"],
		\"entra_sync_job\": \"$BOX_JOB\", \"entra_sync_token_cache\": \"$T/cache\",
		\"entra_sync_state_dir\": \"$T/state\", \"entra_sync_timeout\": \"20\"}}" >/dev/null ||
	bail "Director takes a host and a service from the basket's template"

I="$T/icinga2"
mkdir -p "$I/data" "$I/log/compat" "$I/cache" "$I/spool" "$I/run"
{
	icinga2_constants e2e-director.local
	for c in check_entra_sync check_entra_sync_repair; do director command show "$c"; done
	for s in entra-sync entra-sync-repair; do director service show "$s"; done
	director host show "$HOST"
	director service show "$SVC" --host "$HOST"
	icinga2_loggers
} >"$I/icinga2.conf"
# 4: what Director renders passes no environment and names no secret.
if grep -q 'env\b\|AZURE_\|-secret-[A-Z0-9]' "$I/icinga2.conf"; then
	not_ok "the rendered configuration sets no environment and holds no secret"
	diag "$(grep -n 'env\b\|AZURE_\|-secret-[A-Z0-9]' "$I/icinga2.conf" | head -5)"
else
	ok "the rendered configuration sets no environment and holds no secret"
fi
icinga2_defs
own_by_run_user "$I" "$T/state" "$T/cache"

# 5: Icinga 2 accepts what Director rendered.
icinga2_validate "icinga2 daemon -C accepts the configuration Director rendered from the basket" || exit 1
icinga2_spawn

# 6..8: CRITICAL HARD, the handler, one start, back to OK.
if wait_for 40 icinga2_compat_has "SERVICE ALERT: $HOST;$SVC;CRITICAL;HARD;[0-9]+;ENTRA SYNC CRITICAL"; then
	ok "the quarantined job goes CRITICAL HARD (the identity from the ini file)"
else
	not_ok "the quarantined job goes CRITICAL HARD (the identity from the ini file)"
	diag "$(grep -F "$SVC" "$I"/log/compat/icinga.log 2>/dev/null | tail -3)" "$(grep -E 'critical/' "$I/log/icinga2.log" | tail -3)"
fi
check "the basket's EventCommand runs on CRITICAL HARD" \
	wait_for 10 icinga2_compat_has "SERVICE EVENT HANDLER: $HOST;$SVC;CRITICAL;HARD;[0-9]+;check_entra_sync_repair"
check "the service comes back OK after the repair" \
	wait_for 30 icinga2_compat_has "SERVICE ALERT: $HOST;$SVC;OK;HARD;[0-9]+;ENTRA SYNC OK"
# 9: one start, by the repair identity of the ini file's own section.
starts=$(emu_starts "$BOX_JOB")
writer=$(emu_sign_ins "$WRITER_ID")
check "exactly one start, signed in as the repair section's identity" test "$starts $writer" = "1 1"
diag "starts $starts, writer sign-ins $writer, reader sign-ins $(emu_sign_ins "$READER_ID")"
e2e_done
