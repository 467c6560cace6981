#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package, end to end: build it from a clean copy of the tracked
# files (make dist) with dpkg-buildpackage, lintian it, install it with
# apt-get, run the installed plugin against the Graph emulator (one check, one
# repair by the event handler with the writer identity), check where its
# files went and that nothing reaches a monitoring daemon's configuration,
# then purge it and check that nothing of it is left. Between, the
# directories postinst makes for the monitoring user: their owner and mode,
# and that the installed plugin run as nagios keeps its start history and
# tokens there, so that a check after an operator's --start sees the start,
# run by hand as nagios and by real Nagios 4 and Icinga 2 daemons (which give
# the plugin no XDG_RUNTIME_DIR and no --state-dir).
# TAP on stdout; exits 1 when a test failed. Needs root (apt-get install);
# refuses to touch a machine where check-entra-sync or a plugin of that name
# is already installed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
# Debian's python3 (install-deps.sh equips it), even where another comes first.
export PATH="/usr/bin:/usr/sbin:/sbin:$PATH"
export DEBIAN_FRONTEND=noninteractive

PKG=check-entra-sync
PLUGIN=/usr/lib/nagios/plugins/check_entra_sync
PLAN=25

if [ "$(id -u)" -ne 0 ]; then
	echo "1..1"
	echo "ok 1 - package test # SKIP needs root (apt-get install)"
	exit 0
fi
if dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null | grep -qv '^not-installed$' ||
	[ -e "$PLUGIN" ]; then
	echo "1..1"
	echo "ok 1 - package test # SKIP $PKG or $PLUGIN is already on this machine; the test would replace and purge it"
	exit 0
fi

# Identities and objects of the emulator's default fixture (tests/emulator/PROTOCOL.md).
TENANT=11111111-2222-3333-4444-555555555555
READER_ID=aaaaaaaa-0000-0000-0000-000000000001
WRITER_ID=aaaaaaaa-0000-0000-0000-000000000002
SP_ID=5a1f0c2e-0000-4000-8000-000000000001
BOX_JOB=Box.fedcba9876543210fedcba9876543210

# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh
# shellcheck source=tests/e2e/nagios_files.sh
. tests/e2e/nagios_files.sh

# icinga2_prelude: on stdout, the start of a package test's icinga2.conf: the
# installed plugin, one node in its own zone, the ITL and the package's
# include <entra_sync.conf>.
icinga2_prelude() {
	cat <<'EOF'
const PluginContribDir = "/usr/lib/nagios/plugins"
const NodeName = "package-test.local"
const ZoneName = NodeName
const TicketSalt = ""
include <itl>
include <entra_sync.conf>
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
EOF
}

# icinga2_defs DIR: I2_DEFS, the -D options that keep an Icinga 2 instance's
# files under DIR (data, log, cache, spool, run) and run it as nagios.
icinga2_defs() {
	I2_DEFS=(-DDataDir="$1/data" -DLogDir="$1/log" -DCacheDir="$1/cache" -DSpoolDir="$1/spool"
		-DInitRunDir="$1/run" -DPidPath="$1/run/icinga2.pid" -DStatePath="$1/data/icinga2.state"
		-DObjectsPath="$1/cache/icinga2.debug" -DVarsPath="$1/cache/icinga2.vars"
		-DModAttrPath="$1/data/modified-attributes.conf"
		-DRunAsUser=nagios -DRunAsGroup="$(id -gn nagios)")
}

# The per-user fallbacks the installed plugin would make in /tmp if the
# packaged directories were missing: removed at the end if this run made them.
tmp_fallbacks=()
for u in 0 $(id -u nagios 2>/dev/null); do
	for d in /tmp/check_entra_sync-$u /tmp/check_entra_sync-$u-state; do
		[ -e "$d" ] || tmp_fallbacks+=("$d")
	done
done

T=$(mktemp -d "${TMPDIR:-/tmp}/entra-package.XXXXXX")
chmod 700 "$T"
emu_pid=""
installed_by_us=""
# stop_daemon PID: ends the daemon started with setsid as PID, its whole
# process group. Icinga 2's umbrella process drops a SIGTERM that comes
# while its worker is still starting (the daemon then runs on and a plain
# `wait` never returns), so TERM is sent again, and after 10 s KILL.
stop_daemon() {
	local n
	for n in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		[ $((n % 10)) -eq 1 ] && { kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null; }
		sleep 0.2
	done
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null
	if [ -n "$installed_by_us" ] && dpkg-query -W "$PKG" >/dev/null 2>&1; then
		apt-get purge -y -qq -o DPkg::Lock::Timeout=300 "$PKG" >/dev/null 2>&1
	fi
	[ -n "${daemon_pid:-}" ] && stop_daemon "$daemon_pid"
	rm -rf "$T" "${tmp_fallbacks[@]}"
	[ -n "${I:-}" ] && rm -rf "$I"
	[ -n "${N:-}" ] && rm -rf "$N"
	[ -n "${S:-}" ] && rm -rf "$S"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "1..$PLAN"

ARCH=$(dpkg --print-architecture)

# 1: a clean copy: the tracked files only, through make dist.
if tarball=$(make -s --no-print-directory dist DISTDIR="$T" 2>"$T/dist.err") &&
	mkdir "$T/src" && tar -xzf "$tarball" -C "$T/src"; then
	ok "make dist gives a clean copy of the tree ($(basename "$tarball"))"
else
	diag "$(cat "$T/dist.err")"
	bail "make dist gives a clean copy of the tree"
fi
SRC="$T/src/$(basename "$tarball" .tar.gz)"

# 2: the build, as the brief of debian/ says: binary only, unsigned.
if (cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds the package"
else
	diag "$(tail -n 30 "$T/build.log")"
	bail "dpkg-buildpackage -us -uc -b builds the package"
fi
DEB="$T/src/${PKG}_${VERSION}_${ARCH}.deb"
CHANGES="$T/src/${PKG}_${VERSION}_${ARCH}.changes"
[ -f "$DEB" ] || bail "the build made $(basename "$DEB") (check the changelog version)"
diag "dh_auto_test: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/build.log" | tail -n 1)"

# 3: lintian. Every tag is printed as a diagnostic; errors fail.
lintian --fail-on error "$CHANGES" >"$T/lintian.log" 2>&1
lrc=$?
grep -v 'running with root privileges' "$T/lintian.log" | sed 's/^/# lintian: /'
check "lintian reports no errors" test "$lrc" -eq 0

# 4: one version: debian/changelog is held to plugin/common.h by debian/rules;
# here the built package and the source are held to each other.
deb_version=$(dpkg-deb -f "$DEB" Version)
check "package version $deb_version is PLUGIN_VERSION $VERSION" test "$deb_version" = "$VERSION"

# 5: no conffiles, nothing under /etc: installing the package cannot change
# a running daemon's configuration. The maintainer scripts are postinst and
# postrm, for the two directories under /var (tested below).
dpkg-deb --ctrl-tarfile "$DEB" | tar -t | sed 's,^\./,,' | grep -v '^$' | sort >"$T/control.list"
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's,^\./,/,' >"$T/data.list"
if [ "$(tr '\n' ' ' <"$T/control.list")" = "control md5sums postinst postrm " ] && ! grep -q '^/etc' "$T/data.list"; then
	ok "maintainer scripts postinst and postrm only, no conffiles, nothing under /etc"
else
	diag "control members: $(tr '\n' ' ' <"$T/control.list")" "$(grep '^/etc' "$T/data.list")"
	not_ok "maintainer scripts postinst and postrm only, no conffiles, nothing under /etc"
fi

# 6: the hardening of debian/rules reached the binary.
bin_in_deb="$T/deb"
dpkg-deb -x "$DEB" "$bin_in_deb"
elf="$bin_in_deb$PLUGIN"
hard=""
readelf -h "$elf" | grep -q 'Type:[[:space:]]*DYN' || hard="$hard no-PIE"
readelf -lW "$elf" | grep -q GNU_RELRO || hard="$hard no-RELRO"
readelf -dW "$elf" | grep -qE 'FLAGS.*\bNOW\b|BIND_NOW' || hard="$hard no-BIND_NOW"
readelf --dyn-syms -W "$elf" | grep -q '__stack_chk_fail' || hard="$hard no-stack-protector"
readelf --dyn-syms -W "$elf" | grep -qE '__[a-z]+_chk\b' || hard="$hard no-fortify"
if [ -z "$hard" ]; then
	ok "the plugin is built PIE, with full RELRO (bindnow), stack protector and fortify"
else
	not_ok "the plugin is built PIE, with full RELRO (bindnow), stack protector and fortify:$hard"
fi

# 7: install as a user would.
if (cd "$T/src" && apt-get install -y -o DPkg::Lock::Timeout=300 ./"${PKG}"_*.deb) >"$T/install.log" 2>&1; then
	installed_by_us=1
	ok "apt-get install -y ./${PKG}_*.deb"
else
	installed_by_us=1
	diag "$(tail -n 20 "$T/install.log")"
	bail "apt-get install -y ./${PKG}_*.deb"
fi

# The directories postinst makes for nagios, the user Debian's Nagios 4,
# Icinga 2 and NRPE run as; without that user it makes none.
STATE_DIR=/var/lib/check-entra-sync
CACHE_DIR=/var/cache/check-entra-sync
if id nagios >/dev/null 2>&1; then
	want="nagios:$(id -gn nagios) 700 directory"
	got="$(stat -c '%U:%G %a %F' "$STATE_DIR" 2>&1) / $(stat -c '%U:%G %a %F' "$CACHE_DIR" 2>&1)"
	check "postinst made $STATE_DIR and $CACHE_DIR: $want" test "$got" = "$want / $want"
	[ "$got" = "$want / $want" ] || diag "got: $got"
else
	check "no user nagios: postinst made neither $STATE_DIR nor $CACHE_DIR" \
		test ! -e "$STATE_DIR" -a ! -e "$CACHE_DIR"
fi

# 8: where the files are.
dpkg -L "$PKG" | sort >"$T/installed.list"
D=/usr/share/doc/$PKG
E=$D/examples
missing=""
for f in "$PLUGIN" /usr/share/man/man1/check_entra_sync.1.gz "$D/copyright" "$D/changelog.gz" \
	"$D/README.md.gz" "$E/README.md" "$E/nrpe.cfg.example" "$E/icinga2/entra_sync.conf" \
	"$E/icinga2/example-services.conf" "$E/nagios/commands.cfg" "$E/nagios/services.cfg" \
	"$E/check_entra_sync.ini" "$E/icinga2/director-basket.json" "$E/zabbix/check_entra_sync.conf" \
	"$E/zabbix/template_entra_sync.yaml" "$E/checkmk/mrpe.cfg" "$E/prometheus/entra_sync.rules.yml" \
	/usr/share/icinga2/include/entra_sync.conf \
	/usr/share/check-entra-sync/check_entra_sync.schema.json; do
	grep -qxF "$f" "$T/installed.list" && [ -f "$f" ] || missing="$missing $f"
done
[ -x "$PLUGIN" ] || missing="$missing (executable $PLUGIN)"
# every example in contrib/ is shipped as it is: the RPM spec and the JSON
# Schema (installed apart, above) are not examples
for f in $(cd "$SRC" && find contrib -type f ! -path 'contrib/rpm/*' ! -path 'contrib/json/*' | sort); do
	cmp -s "$f" "$E/${f#contrib/}" || missing="$missing (examples differ from $f)"
done
cmp -s nrpe.cfg.example "$E/nrpe.cfg.example" || missing="$missing (examples differ from nrpe.cfg.example)"
cmp -s contrib/json/check_entra_sync.schema.json /usr/share/check-entra-sync/check_entra_sync.schema.json ||
	missing="$missing (the installed JSON Schema differs from contrib/json/)"
cmp -s contrib/icinga2/entra_sync.conf /usr/share/icinga2/include/entra_sync.conf ||
	missing="$missing (the Icinga 2 include differs from contrib/icinga2/entra_sync.conf)"
# No daemon reads these without being told to: not conf.d, not nrpe.d, not
# /etc/nagios-plugins/config (Debian's nagios4 reads it) and not the ITL's
# plugins-contrib.d (Debian's icinga2.conf includes <plugins-contrib>).
stray=$(grep -E '^/etc|^/usr/share/icinga2/include/plugins-contrib' "$T/installed.list")
zcat /usr/share/man/man1/check_entra_sync.1.gz | head -n 5 | grep -q '^\.TH CHECK_ENTRA_SYNC 1' ||
	missing="$missing (man page)"
if [ -z "$missing" ] && [ -z "$stray" ]; then
	ok "dpkg -L: plugin, man page, contrib/ and nrpe.cfg.example as examples, the Icinga 2 include, the JSON Schema; nothing in a daemon's configuration"
else
	diag "missing or wrong:$missing" "in a daemon's configuration: $stray"
	not_ok "dpkg -L: plugin, man page, contrib/ and nrpe.cfg.example as examples, the Icinga 2 include, the JSON Schema; nothing in a daemon's configuration"
fi

# What a new user reads names what the package installed: every NRPE
# command runs /usr/lib/nagios/plugins/check_entra_sync with --timeout 9
# (check_nrpe gives up after 10 s), every secret file of the examples and the
# man page is under /etc/check-entra-sync/, and the man page names no
# repository path and has a FILES section.
wrong=""
while read -r line; do
	case "$line" in
	"command["*"]=$PLUGIN --timeout 9 "* | "command["*"]=$PLUGIN "*" --timeout 9 "*) ;;
	*) wrong="$wrong|${line:0:80}" ;;
	esac
done < <(grep '^command\[' "$E/nrpe.cfg.example")
man=$(zcat /usr/share/man/man1/check_entra_sync.1.gz)
secrets=$( (cat "$E/nrpe.cfg.example" "$E/check_entra_sync.ini" "$E/nagios/"*.cfg "$E/icinga2/"*.conf "$E/README.md"
	zcat "$D/README.md.gz"; printf '%s\n' "$man") | grep -oE '/[A-Za-z0-9_./-]+\.secret' | grep -v '^/etc/check-entra-sync/' | sort -u)
if [ -z "$wrong" ] && [ -z "$secrets" ] && ! grep -q 'contrib/' <<<"$man" && grep -q '^\.SH FILES' <<<"$man" &&
	[ "$(grep -c '^command\[' "$E/nrpe.cfg.example")" -ge 6 ]; then
	ok "examples and man page name installed paths: $PLUGIN with --timeout 9 in NRPE, secrets in /etc/check-entra-sync/"
else
	diag "NRPE lines:${wrong:-none wrong}" "secret files elsewhere: ${secrets:-none}" \
		"man page: $(grep -c 'contrib/' <<<"$man") mentions of contrib/, FILES section: $(grep -c '^\.SH FILES' <<<"$man")"
	not_ok "examples and man page name installed paths: $PLUGIN with --timeout 9 in NRPE, secrets in /etc/check-entra-sync/"
fi

# 9: the installed binary says the package's version.
out=$("$PLUGIN" --version 2>&1)
check "check_entra_sync --version prints 'check_entra_sync $deb_version' first" test "$(printf '%s\n' "$out" | head -n 1)" = "check_entra_sync $deb_version"
check "check_entra_sync --version names the licence" grep -q '^License GPL-3.0-or-later' <<<"$out"

# The emulator, as tests/demo.sh starts it.
python3 tests/emulator/emulator.py --port 0 --port-file "$T/port" --quiet 2>"$T/emulator.log" &
emu_pid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || {
	diag "$(cat "$T/emulator.log")"
	bail "the emulator starts"
}
URL="http://127.0.0.1:$(cat "$T/port")"

# The Box job's quarantine series began 3 days and 30 minutes ago, so that
# "automatic disable in 24d 23h" cannot tick over while the test runs (the
# default fixture's 3 days exactly can). Prints the series start as the
# plugin writes it.
since=$(python3 - "$URL" "$SP_ID" "$BOX_JOB" <<'PY'
import datetime, json, sys, urllib.request
url, sp_id, box = sys.argv[1:]
fixture = json.load(open("tests/emulator/fixtures/default.json"))
sp = next(s for s in fixture["servicePrincipals"] if s["id"] == sp_id)
for job in sp["jobs"]:
    if job["id"] == box:
        job["status"]["quarantine"]["seriesBegan"] = "{{now-261000}}"
req = urllib.request.Request("%s/_emu/servicePrincipals/%s" % (url, sp_id), method="PUT",
                             data=json.dumps({"appId": sp["appId"], "jobs": sp["jobs"]}).encode(),
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
state = json.dumps(json.load(urllib.request.urlopen(url + "/_emu/state")))
def find(o):
    if isinstance(o, dict):
        if o.get("id") == box:
            return o
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r:
                return r
began = find(json.loads(state))["status"]["quarantine"]["seriesBegan"]
t = datetime.datetime.strptime(began[:19], "%Y-%m-%dT%H:%M:%S")
print(t.strftime("%Y-%m-%d %H:%M:%SZ"))
PY
) || bail "the emulator takes the test's Box job"

printf '%s\n' 'reader-secret-Q8~xVALUE' >"$T/reader.secret"
printf '%s\n' 'writer-secret-Z3~yVALUE' >"$T/writer.secret"
chmod 600 "$T"/*.secret
common=(-T "$TENANT" -s "$SP_ID" -j "$BOX_JOB" --login-url "$URL" --graph-url "$URL" --token-cache "$T/cache")

# 10: one check with the read-only identity.
"$PLUGIN" "${common[@]}" -C "$READER_ID" --client-secret-file "$T/reader.secret" >"$T/check.out" 2>"$T/check.err"
rc=$?
first=$(head -n 1 "$T/check.out")
want="ENTRA SYNC CRITICAL - Box quarantined for 3d (EncounteredQuarantineException: BoxInsufficientPermissions), automatic disable in 24d 23h; 6 successive failures (> 2)"
# Perfdata carries measured values (quarantine age, time): labels and fixed
# values exact, those two by pattern. A job that never succeeded has no
# last_success_age (the plugin leaves an unknown value out).
perf_re='^successive_failures=6;0;2;0 escrowed=0;;;0 exported=0 imported=0 quarantine_age=[0-9]+s quarantine_series=6 time=[0-9.]+s$'
# The long output keeps the series start and count.
long_want="quarantined (EncounteredQuarantineException: BoxInsufficientPermissions) since $since, series count 6"
if [ "$rc" -eq 2 ] && [ "${first%% | *}" = "$want" ] && [[ "${first#* | }" =~ $perf_re ]] &&
	sed -n 2p "$T/check.out" | grep -qF "$long_want"; then
	ok "installed check: exit 2, first line '$want | ...'"
else
	diag "exit $rc" "got:  $first" "want: $want | ${perf_re}" "line 2 with: $long_want" \
		"got:  $(sed -n 2p "$T/check.out")" "$(cat "$T/check.err")"
	not_ok "installed check: exit 2, first line '$want | ...'"
fi

# 11: the event handler, as Nagios/Icinga run it on CRITICAL HARD, with the
# identity that may write.
"$PLUGIN" --event-handler "${common[@]}" -C "$WRITER_ID" --client-secret-file "$T/writer.secret" \
	--state-dir "$T/state" CRITICAL HARD 3 >"$T/handler.out" 2>"$T/handler.err"
rc=$?
line=$(sed 's/ (request-id [^)]*)$//' "$T/handler.out")
want="job $BOX_JOB: started - was quarantined (EncounteredQuarantineException); now Active; Microsoft: the target application refused the credentials; enter valid admin credentials (Provisioning, Admin Credentials, Test Connection), then restart provisioning"
if [ "$rc" -eq 0 ] && [ "$line" = "$want" ]; then
	ok "installed event handler CRITICAL HARD 3: exit 0, '$want'"
else
	diag "exit $rc" "got:  $(cat "$T/handler.out")" "want: $want (request-id ...)" "$(cat "$T/handler.err")"
	not_ok "installed event handler CRITICAL HARD 3: exit 0, '$want'"
fi

# 12: what the emulator saw: one start, no restart, the writer signed in for it.
counts=$(python3 - "$URL" "$BOX_JOB" "$WRITER_ID" <<'PY'
import json, sys, urllib.request
c = json.load(urllib.request.urlopen(sys.argv[1] + "/_emu/counters"))
print("starts=%d restarts=%d writer_sign_ins=%d" % (
    sum(c["starts"].values()), sum(c.get("restarts", {}).values()), c["sign_ins"].get(sys.argv[3], 0)))
PY
)
check "the emulator counted exactly one start ($counts)" test "$counts" = "starts=1 restarts=0 writer_sign_ins=1"

# 13: Icinga 2 finds the CheckCommand and EventCommand by `include <entra_sync.conf>`
# (its include path, read only when a configuration says so).
if [ -x /usr/sbin/icinga2 ] && id nagios >/dev/null 2>&1; then
	# Its own directory: icinga2 -C runs as nagios, and $T is root's, 0700.
	I=$(mktemp -d "${TMPDIR:-/tmp}/entra-package-icinga2.XXXXXX")
	mkdir -p "$I/data" "$I/log" "$I/cache" "$I/spool" "$I/run"
	{
		icinga2_prelude
		cat <<EOF
object Host "entra" { check_command = "dummy" }
object Service "box" {
	host_name = "entra"
	check_command = "entra_sync"
	event_command = "entra_sync_repair"
	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$READER_ID"
	vars.entra_sync_client_secret_file = "$T/reader.secret"
	vars.entra_sync_service_principal = "$SP_ID"
	vars.entra_sync_job = "$BOX_JOB"
}
EOF
	} >"$I/icinga2.conf"
	chown -R nagios "$I"
	icinga2_defs "$I"
	if /usr/sbin/icinga2 daemon -C -c "$I/icinga2.conf" "${I2_DEFS[@]}" >"$I/validate.log" 2>&1; then
		ok "icinga2 daemon -C accepts 'include <entra_sync.conf>' from the package"
	else
		diag "$(grep -iE 'critical|error' "$I/validate.log" | head -n 10)"
		not_ok "icinga2 daemon -C accepts 'include <entra_sync.conf>' from the package"
	fi
	rm -rf "$I"
	I=""
else
	ok "icinga2 accepts 'include <entra_sync.conf>' # SKIP icinga2 is not installed"
fi

# --- The monitoring user's own directories, as the daemons use them ---------
# The secrets as README says: root:nagios 0640 in a directory root:nagios
# 0750 (a private one here, instead of /etc/check-entra-sync).
if id nagios >/dev/null 2>&1; then
	S=$(mktemp -d "${TMPDIR:-/tmp}/entra-package-secrets.XXXXXX")
	chgrp nagios "$S" && chmod 0750 "$S"
	install -m 0640 -o root -g nagios "$T/reader.secret" "$S/reader.secret"
	install -m 0640 -o root -g nagios "$T/writer.secret" "$S/writer.secret"
	# as_nagios CMD...: CMD as nagios with a daemon's environment (no HOME,
	# no XDG_RUNTIME_DIR), as `sudo -u nagios` gives an operator.
	as_nagios() { setpriv --reuid=nagios --regid=nagios --init-groups -- env -i PATH=/usr/bin:/bin "$@"; }
	ids=(-T "$TENANT" -s "$SP_ID" -j "$BOX_JOB" --login-url "$URL" --graph-url "$URL")
	# The handler above left the job Active: quarantine it again, for an
	# operator's start that any --start accepts.
	python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST", data=b"{}", headers={"Content-Type": "application/json"})).read()' \
		"$URL/_emu/jobs/$BOX_JOB/quarantine" || diag "the emulator did not quarantine $BOX_JOB again"
	starts_before=$(python3 -c 'import json, sys, urllib.request; print(sum(json.load(urllib.request.urlopen(sys.argv[1] + "/_emu/counters"))["starts"].values()))' "$URL")

	# --start as nagios, no --state-dir, no --token-cache: both packaged
	# directories are used.
	as_nagios "$PLUGIN" --start "${ids[@]}" -C "$WRITER_ID" --client-secret-file "$S/writer.secret" >"$T/start.out" 2>&1
	rc=$?
	hist="$STATE_DIR/$BOX_JOB.state"
	if [ "$rc" -eq 0 ] && grep -q "^ENTRA SYNC OK - started job $BOX_JOB" "$T/start.out" &&
		[ "$(stat -c %U "$hist" 2>/dev/null)" = nagios ] && [ -n "$(ls -A "$CACHE_DIR")" ]; then
		ok "--start as nagios records in $STATE_DIR and caches its token in $CACHE_DIR"
	else
		diag "exit $rc: $(cat "$T/start.out")" "$STATE_DIR: $(ls -la "$STATE_DIR" 2>&1)" "$CACHE_DIR: $(ls -A "$CACHE_DIR" 2>&1)"
		not_ok "--start as nagios records in $STATE_DIR and caches its token in $CACHE_DIR"
	fi

	# The check as nagios, with the reader, finds that start.
	as_nagios "$PLUGIN" "${ids[@]}" -C "$READER_ID" --client-secret-file "$S/reader.secret" >"$T/after.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && head -n 1 "$T/after.out" | grep -q "started by this plugin .* waiting for its next cycle"; then
		ok "a check as nagios after that --start: WARNING, started by this plugin, waiting for its next cycle"
	else
		diag "exit $rc: $(cat "$T/after.out")"
		not_ok "a check as nagios after that --start: WARNING, started by this plugin, waiting for its next cycle"
	fi

	# Root's --start is refused, saying whose history it is and what to do.
	env -i PATH=/usr/bin:/bin "$PLUGIN" --start "${ids[@]}" -C "$WRITER_ID" --client-secret-file "$S/writer.secret" >"$T/root.out" 2>&1
	rc=$?
	want="ENTRA SYNC UNKNOWN - job $BOX_JOB not started: state directory $STATE_DIR belongs to nagios (uid $(id -u nagios)), not to root (uid 0), who runs the plugin: run it as nagios (sudo -u nagios) or name another with --state-dir"
	starts_after=$(python3 -c 'import json, sys, urllib.request; print(sum(json.load(urllib.request.urlopen(sys.argv[1] + "/_emu/counters"))["starts"].values()))' "$URL")
	if [ "$rc" -eq 3 ] && [ "$(head -n 1 "$T/root.out")" = "$want" ] && [ "$starts_after" = $((starts_before + 1)) ]; then
		ok "--start as root: exit 3, '$want', nothing started"
	else
		diag "exit $rc, starts $starts_before -> $starts_after" "got:  $(cat "$T/root.out")" "want: $want"
		not_ok "--start as root: exit 3, nothing started, the message says whose the history is"
	fi

	# Nagios 4 runs the installed plugin through the packaged commands.cfg
	# and services.cfg, as nagios, without --state-dir: it sees the start.
	if [ -x /usr/sbin/nagios4 ]; then
		N=$(mktemp -d "${TMPDIR:-/tmp}/entra-package-nagios.XXXXXX")
		nagios_files "$N" /usr/lib/nagios/plugins "$E/nagios" nagios "$(id -gn nagios)" \
			enable_event_handlers=0
		{
			nagios_objects entra "Graph emulator"
			cat <<EOF
define service {
	use			entra-sync-service
	host_name		entra
	service_description	Entra sync Box
	contacts		e2e
	max_check_attempts	1
	check_interval		2
	event_handler_enabled	0
	_ENTRA_TENANT		$TENANT
	_ENTRA_CLIENT_ID	$READER_ID
	_ENTRA_SECRET_FILE	$S/reader.secret
	_ENTRA_SP		$SP_ID
	_ENTRA_OPTIONS		--timeout 20 --login-url $URL --graph-url $URL
	check_command		check_entra_sync!--job $BOX_JOB
}
EOF
		} >"$N/objects.cfg"
		chown -R nagios "$N"
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setsid /usr/sbin/nagios4 "$N/nagios.cfg" >"$N/nagios.out" 2>&1 </dev/null &
		daemon_pid=$!
		seen=""
		for _ in $(seq 60); do
			grep -q "SERVICE ALERT: entra;Entra sync Box;WARNING;HARD;1;ENTRA SYNC WARNING - .*started by this plugin .* waiting for its next cycle" "$N/nagios.log" 2>/dev/null && seen=1 && break
			sleep 0.5
		done
		stop_daemon "$daemon_pid"
		daemon_pid=""
		if [ -n "$seen" ]; then
			ok "Nagios 4 (packaged examples, no --state-dir): WARNING, started by this plugin, waiting for its next cycle"
		else
			diag "$(grep -E 'SERVICE|Error|Warning' "$N/nagios.log" 2>/dev/null | tail -n 5)" "$(tail -n 5 "$N/nagios.out")"
			not_ok "Nagios 4 (packaged examples, no --state-dir): WARNING, started by this plugin, waiting for its next cycle"
		fi
		rm -rf "$N"
		N=""
	else
		ok "Nagios 4 sees the start # SKIP nagios4 is not installed"
	fi

	# Icinga 2 runs it through the package's include <entra_sync.conf>,
	# as nagios, without entra_sync_state_dir: it sees the start too.
	if [ -x /usr/sbin/icinga2 ]; then
		I=$(mktemp -d "${TMPDIR:-/tmp}/entra-package-icinga2.XXXXXX")
		mkdir -p "$I/data" "$I/log/compat" "$I/cache" "$I/spool" "$I/run"
		{
			icinga2_prelude
			cat <<EOF
object CompatLogger "compat" { log_dir = LogDir + "/compat" }
object CheckerComponent "checker" { }
object Host "entra" { check_command = "dummy"; check_interval = 1h }
object Service "box" {
	host_name = "entra"
	check_command = "entra_sync"
	enable_event_handler = false
	max_check_attempts = 1
	check_interval = 2s
	vars.entra_sync_tenant = "$TENANT"
	vars.entra_sync_client_id = "$READER_ID"
	vars.entra_sync_client_secret_file = "$S/reader.secret"
	vars.entra_sync_login_url = "$URL"
	vars.entra_sync_graph_url = "$URL"
	vars.entra_sync_service_principal = "$SP_ID"
	vars.entra_sync_job = "$BOX_JOB"
}
EOF
		} >"$I/icinga2.conf"
		chown -R nagios "$I"
		icinga2_defs "$I"
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setsid /usr/sbin/icinga2 daemon -c "$I/icinga2.conf" \
			"${I2_DEFS[@]}" >"$I/icinga2.out" 2>&1 </dev/null &
		daemon_pid=$!
		seen=""
		for _ in $(seq 90); do
			grep -q "SERVICE ALERT: entra;box;WARNING;HARD;1;ENTRA SYNC WARNING - .*started by this plugin .* waiting for its next cycle" "$I"/log/compat/icinga.log 2>/dev/null && seen=1 && break
			sleep 0.5
		done
		stop_daemon "$daemon_pid"
		daemon_pid=""
		if [ -n "$seen" ]; then
			ok "Icinga 2 (include <entra_sync.conf>, no state directory variable): WARNING, started by this plugin, waiting for its next cycle"
		else
			diag "$(grep -E 'box' "$I"/log/compat/icinga.log 2>/dev/null | tail -n 5)" "$(tail -n 5 "$I/icinga2.out")"
			not_ok "Icinga 2 (include <entra_sync.conf>, no state directory variable): WARNING, started by this plugin, waiting for its next cycle"
		fi
		rm -rf "$I"
		I=""
	else
		ok "Icinga 2 sees the start # SKIP icinga2 is not installed"
	fi
	rm -rf "$S"
	S=""
else
	for what in "--start as nagios uses the packaged directories" "a check as nagios sees it" \
		"--start as root is refused" "Nagios 4 sees the start" "Icinga 2 sees the start"; do
		ok "$what # SKIP there is no user nagios"
	done
fi

kill "$emu_pid" 2>/dev/null
wait "$emu_pid" 2>/dev/null
emu_pid=""

# Remove it cleanly, the directories postinst made too.
if apt-get purge -y -o DPkg::Lock::Timeout=300 "$PKG" >"$T/purge.log" 2>&1; then
	ok "apt-get purge -y $PKG"
else
	diag "$(tail -n 20 "$T/purge.log")"
	not_ok "apt-get purge -y $PKG"
fi
status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null)
if [ -z "$status" ] || [ "${status:0:2}" = "un" ] || [ "${status:0:2}" = "pn" ]; then
	installed_by_us=""
	ok "dpkg -l no longer lists $PKG as installed"
else
	diag "dpkg status: $status"
	not_ok "dpkg -l no longer lists $PKG as installed"
fi
left=""
while read -r p; do
	case "$p" in /usr/*) ;; *) continue ;; esac
	[ -e "$p" ] || continue
	# A directory may stay when another package owns it (/usr/lib/nagios/plugins).
	[ -d "$p" ] && dpkg -S "$p" >/dev/null 2>&1 && continue
	left="$left $p"
done <"$T/installed.list"
if [ -z "$left" ]; then
	ok "nothing of the package is left under /usr"
else
	diag "left behind:$left"
	not_ok "nothing of the package is left under /usr"
fi
check "purge removed $STATE_DIR and $CACHE_DIR" test ! -e "$STATE_DIR" -a ! -e "$CACHE_DIR"

[ "$failed" -eq 0 ]
