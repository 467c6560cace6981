#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Discovery defines each service once, whatever the listing repeats (SPEC
# 8a): GET /servicePrincipals names one service principal twice (once in
# upper case), another service principal's job list has one job twice, and
# a third has a job with the first one's id. --list --all-service-principals
# --format=icinga2 and --format=nagios must print each service once (the
# twin left out with a comment) and a configuration the real daemons
# accept: icinga2 daemon -C refuses a service defined twice, nagios4 -v
# warns and keeps the later one.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NAGIOS=${NAGIOS:-/usr/sbin/nagios4}
ICINGA2=${ICINGA2:-/usr/sbin/icinga2}
[ -x "$NAGIOS" ] || skip_all "nagios4 is not installed ($NAGIOS)"
[ -x "$ICINGA2" ] || skip_all "icinga2 is not installed ($ICINGA2)"
plan 8
e2e_setup discovery-repeats
emu_start || bail "emulator starts"

SP_B=5a1f0c2e-0000-4000-8000-0000000000b2
SP_C=5a1f0c2e-0000-4000-8000-0000000000c3
APP=bbbbbbbb-0000-0000-0000-0000000000b2
job() {
	printf '{"id":"%s","templateId":"%s","schedule":{"expiration":null,"interval":"PT40M","state":"Active"},"status":{"code":"Active","countSuccessiveCompleteFailures":0,"lastExecution":null,"quarantine":null}}' "$1" "$2"
}
APP_JOB="app.$(printf '%032x' 11)"
emu PUT "/_emu/servicePrincipals/$SP_B" \
	"{\"appId\":\"$APP\",\"jobs\":[$(job "$APP_JOB" app),$(job "$APP_JOB" app)]}" >/dev/null ||
	bail "emulator takes a job list that repeats a job"
emu PUT "/_emu/servicePrincipals/$SP_C" \
	"{\"appId\":\"$APP\",\"jobs\":[$(job "$SCIM_JOB" scim),$(job "other.$(printf '%032x' 12)" other)]}" >/dev/null ||
	bail "emulator takes a job with another service principal's job id"
secret_file "$T/auditor.secret" "$AUDITOR_SECRET"

# list FORMAT: the tenant's listing naming SP_ID twice (the second time in
# upper case) and SP_B twice.
list() {
	local upper
	upper=$(printf '%s' "$SP_ID" | tr a-f A-F)
	emu POST /_emu/faults "{\"target\":\"graph\",\"method\":\"GET\",\"path_contains\":\"/servicePrincipals\",\"times\":1,
		\"json\":{\"value\":[{\"id\":\"$SP_ID\",\"displayName\":\"Demo\"},{\"id\":\"$SP_B\",\"displayName\":\"B\"},
		{\"id\":\"$upper\",\"displayName\":\"Demo again\"},{\"id\":\"$SP_C\",\"displayName\":\"Twin\"},
		{\"id\":\"$SP_B\",\"displayName\":\"B again\"}]}}" >/dev/null || return 9
	"$PLUGIN" --list --all-service-principals --format="$1" -T "$TENANT" -C "$AUDITOR_ID" \
		--client-secret-file "$T/auditor.secret" --login-url "$EMU_URL" --graph-url "$EMU_URL" \
		--token-cache "$T/cache"
}
list nagios >"$T/nagios-services.cfg" 2>"$T/list-nagios.err"
rc_n=$?
list icinga2 >"$T/icinga2-services.conf" 2>"$T/list-icinga2.err"
rc_i=$?
check "--list --all-service-principals --format=nagios and icinga2 exit 0" test "$rc_n $rc_i" = "0 0"

# once FILE PATTERN: the names PATTERN captures are four, each once, and
# FILE says which job it left out and why.
once() {
	local names
	names=$(sed -n "$2" "$1")
	[ "$(printf '%s\n' "$names" | sort -u | wc -l)" = 4 ] &&
		[ "$(printf '%s\n' "$names" | wc -l)" = 4 ] &&
		grep -q "left out: the service .* is defined above" "$1"
}
check "nagios format: four services, each once, the twin left out with a comment" \
	once "$T/nagios-services.cfg" 's/^\tservice_description\t*//p'
check "icinga2 format: four services, each once, the twin left out with a comment" \
	once "$T/icinga2-services.conf" 's/^object Service "\(.*\)" {$/\1/p'

# no_duplicate_warning: Nagios takes a service defined twice with a
# warning, and the later one wins.
no_duplicate_warning() {
	! grep -q "Duplicate definition" "$T/nagios-verify.log" &&
		grep -q "Total Warnings: 0" "$T/nagios-verify.log"
}
discovery_verify "$T/nagios-services.cfg" "$T/icinga2-services.conf" \
	"the services of a listing that repeats itself"
check "nagios4 -v counts four services" grep -qE 'Checked 4 services' "$T/nagios-verify.log"
check "nagios4 -v warns of no duplicate definition" no_duplicate_warning
check "icinga2 daemon -C counts four services" grep -qE '\b4 Services\b' "$T/icinga2-validate.log"
e2e_done
