#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Discovery output is configuration a daemon executes. A service principal
# holds two good jobs and hostile ones (ids with an argument, a shell command,
# an Icinga 2 runtime macro, quotes, dot segments; a template id with spaces
# and parentheses). --list --format=nagios and --format=icinga2 must leave the
# hostile ones out (a comment line each), and what they print must be a
# configuration the real daemons accept: nagios4 -v and icinga2 daemon -C,
# with the contrib definitions included unchanged.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
[ -x "$NAGIOS" ] || skip_all "nagios4 is not installed ($NAGIOS)"
[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed ($ICINGA2)"
plan 8
e2e_setup discovery
emu_start || bail "emulator starts"

SP=5a1f0c2e-0000-4000-8000-0000000000d1
# The hostile ids, one a line: what must never reach a definition.
HOSTILE=('scim.1 --state Quarantine=ok' 'x.2&touch /tmp/PWNED&' 'y.3$entra_sync_client_secret$'
	'z.4"; rm -rf /; "' '..' '.')
python3 - "$SP" "${HOSTILE[@]}" >"$T/sp.json" <<'PY'
import json, sys
sp, hostile = sys.argv[1], sys.argv[2:]
def job(jid, tpl):
    return {"id": jid, "templateId": tpl,
            "schedule": {"expiration": None, "interval": "PT40M", "state": "Active"},
            "status": {"code": "Active", "countSuccessiveCompleteFailures": 0,
                       "lastExecution": None, "quarantine": None}}
jobs = [job("good.%032x" % 1, "good"), job("other.%032x" % 2, "other")]
jobs += [job(h, "bad%d" % i) for i, h in enumerate(hostile)]
jobs.append(job("tpl.%032x" % 3, "My App (prod)"))
print(json.dumps({"appId": "bbbbbbbb-0000-0000-0000-0000000000d1", "jobs": jobs}))
PY
emu PUT "/_emu/servicePrincipals/$SP" "$(cat "$T/sp.json")" >/dev/null || bail "emulator takes the hostile jobs"
secret_file "$T/reader.secret" "$READER_SECRET"

list() {
	"$PLUGIN" --list --format="$1" -T "$TENANT" -C "$READER_ID" --client-secret-file "$T/reader.secret" \
		--login-url "$EMU_URL" --graph-url "$EMU_URL" --token-cache "$T/cache" -s "$SP"
}
list nagios >"$T/nagios-services.cfg" 2>"$T/list-nagios.err"
rc_n=$?
list icinga2 >"$T/icinga2-services.conf" 2>"$T/list-icinga2.err"
rc_i=$?
check "--list --format=nagios and icinga2 exit 0" test "$rc_n $rc_i" = "0 0"

# no_hostile FILE: none of the hostile ids (nor their payloads) in FILE.
no_hostile() {
	local h line
	for h in "${HOSTILE[@]}"; do
		while IFS= read -r line; do
			[[ $line == *"--job $h" || $line == *"\"$h\""* ]] && return 1
		done <"$1"
	done
	! grep -qE 'PWNED|\$entra_sync_client_secret\$|rm -rf|Quarantine=ok|My App \(prod\)' "$1"
}
check "nagios format: no hostile id, two services, a comment for each job left out" \
	eval 'no_hostile "$T/nagios-services.cfg" && [ "$(grep -c "^define service" "$T/nagios-services.cfg")" = 2 ] &&
		[ "$(grep -c "left out" "$T/nagios-services.cfg")" = 7 ]'
check "icinga2 format: no hostile id, two services, a comment for each job left out" \
	eval 'no_hostile "$T/icinga2-services.conf" && [ "$(grep -c "^object Service" "$T/icinga2-services.conf")" = 2 ] &&
		[ "$(grep -c "left out" "$T/icinga2-services.conf")" = 7 ]'

discovery_verify "$T/nagios-services.cfg" "$T/icinga2-services.conf" "the printed services"
check "nagios4 -v counts the two services" grep -qE 'Checked 2 services' "$T/nagios-verify.log"
check "icinga2 daemon -C counts the two services" grep -qE '\b2 Services\b' "$T/icinga2-validate.log"
check "no service description or name holds a character Nagios forbids" \
	eval '! sed -n "s/^\tservice_description\t*//p" "$T/nagios-services.cfg" | grep -q "[\`~!\$%^&*|\x27\"<>?,()=]"'
e2e_done
