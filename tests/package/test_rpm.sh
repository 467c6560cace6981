#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The RPM, with Debian's rpm tools: rpmbuild -bb contrib/rpm/check_entra_sync.spec
# from the `make dist` tarball (Source0), signed with a throwaway key as a
# distributor would sign it, rpmlint on the spec and the package, then what
# rpm -qlp lists and what the package holds.
# rpmbuild runs with --nodeps: BuildRequires names the RHEL/Fedora packages
# (libcurl-devel, json-c-devel, ...), which Debian's rpm database does not
# know; tests/install-deps.sh installs their Debian equivalents.
# TAP on stdout; exits 1 when a test failed. Needs no root.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
export PATH="/usr/bin:/usr/sbin:/sbin:$PATH"
SPEC=contrib/rpm/check_entra_sync.spec
PLAN=9

for tool in rpmbuild rpmlint rpmsign rpm2cpio cpio gpg; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..1"
		echo "ok 1 - RPM test # SKIP $tool is not installed (tests/install-deps.sh: rpm, rpmlint, cpio, gnupg)"
		exit 0
	fi
done

# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh

T=$(mktemp -d "${TMPDIR:-/tmp}/entra-rpm.XXXXXX")
trap 'gpgconf --homedir "$T/gnupg" --kill gpg-agent 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
echo "1..$PLAN"

spec_version=$(sed -n 's/^Version:[[:space:]]*//p' "$SPEC")
LIBDIR=$(rpm --eval '%{_libdir}')
DOC=/usr/share/doc/check_entra_sync
PLUGIN=$LIBDIR/nagios/plugins/check_entra_sync

# 1: one version, and Source0 is the tarball make dist writes.
mkdir -p "$T/top/SOURCES"
if tarball=$(make -s --no-print-directory dist DISTDIR="$T/top/SOURCES" 2>"$T/dist.err") &&
	[ "$spec_version" = "$VERSION" ] &&
	[ "$(basename "$tarball")" = "$(rpmspec -q --srpm --qf '%{SOURCE}' "$SPEC" 2>/dev/null ||
		sed -n 's/^Source0:[[:space:]]*//p' "$SPEC" | sed "s/%{version}/$spec_version/")" ]; then
	ok "the spec's Version is PLUGIN_VERSION $VERSION and its Source0 is make dist's $(basename "$tarball")"
else
	diag "spec Version: $spec_version, PLUGIN_VERSION: $VERSION, make dist: ${tarball:-}" "$(cat "$T/dist.err")"
	bail "the spec's Version is PLUGIN_VERSION and its Source0 is make dist's tarball"
fi

# 2: the build, its %check (the unit tests) included. The packager is the
# build host's to set, as Fedora's guidelines want it out of the spec.
if rpmbuild --nodeps -bb --define "_topdir $T/top" \
	--define "packager check_entra_sync maintainers <maintainers@users.noreply.r-seed-d1d5f054.example>" \
	"$SPEC" >"$T/build.log" 2>&1; then
	RPM=$(find "$T/top/RPMS" -name "check_entra_sync-$VERSION-*.rpm" | head -n 1)
fi
if [ -n "${RPM:-}" ]; then
	ok "rpmbuild --nodeps -bb builds $(basename "$RPM")"
	diag "%check: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/build.log" | tail -n 1)"
else
	diag "$(tail -n 30 "$T/build.log")"
	bail "rpmbuild --nodeps -bb builds the package"
fi

# 3: signed with a key made for this run, which an rpm database of the
# test's own trusts (HOME's .rpmmacros points rpm and rpmlint at it, so the
# machine's database is not touched).
export GNUPGHOME="$T/gnupg" HOME="$T/home"
KEY="rpm test <rpm-test@localhost>"
mkdir -m 700 "$GNUPGHOME" "$HOME"
printf '%%_dbpath %s\n%%__gpg %s\n%%_gpg_name %s\n' "$T/rpmdb" "$(command -v gpg)" "$KEY" >"$HOME/.rpmmacros"
if gpg --batch --quiet --passphrase '' --quick-gen-key "$KEY" rsa2048 sign never >"$T/gpg.log" 2>&1 &&
	gpg --batch --armor --export "$KEY" >"$T/key.asc" && rpm --initdb && rpm --import "$T/key.asc" &&
	rpmsign --addsign "$RPM" >"$T/sign.log" 2>&1 && rpm -K "$RPM" >"$T/checksig.log" 2>&1; then
	ok "rpmsign --addsign signs it; rpm -K: $(sed 's/^.*: //' "$T/checksig.log")"
else
	diag "$(cat "$T/gpg.log" "$T/sign.log" "$T/checksig.log" 2>/dev/null)"
	not_ok "rpmsign --addsign signs it and rpm -K accepts the signature"
fi

# 4: rpmlint, every line shown; errors fail (the spec's head says why each
# warning stays).
rpmlint "$SPEC" "$RPM" >"$T/lint.log" 2>&1
sed -n '/^check_entra_sync/p;/packages and/p' "$T/lint.log" | sed 's/^/# rpmlint: /'
summary=$(grep -E '[0-9]+ errors?, [0-9]+ warnings?' "$T/lint.log")
if [[ "$summary" =~ [^0-9]0\ errors, ]]; then
	ok "rpmlint reports no errors on the spec and the package"
else
	not_ok "rpmlint reports no errors on the spec and the package (${summary:-no summary})"
fi

# 5: where the files are, per rpm -qlp.
rpm -qlp "$RPM" 2>/dev/null | sort >"$T/files"
missing=""
for f in "$PLUGIN" /usr/share/man/man1/check_entra_sync.1 "$DOC/README.md" \
	"$DOC/examples/README.md" "$DOC/examples/nrpe.cfg.example" \
	"$DOC/examples/icinga2/entra_sync.conf" "$DOC/examples/icinga2/example-services.conf" \
	"$DOC/examples/nagios/commands.cfg" "$DOC/examples/nagios/services.cfg" \
	"$DOC/examples/grafana/entra-sync-graphite.json" "$DOC/examples/grafana/entra-sync-influxdb.json" \
	"$DOC/examples/icingaweb2/entra_sync.ini" /usr/share/icinga2/include/entra_sync.conf \
	"$DOC/examples/zabbix/template_entra_sync.yaml" "$DOC/examples/checkmk/mrpe.cfg" \
	"$DOC/examples/prometheus/entra_sync.rules.yml" "$DOC/examples/icinga2/director-basket.json" \
	/usr/share/check-entra-sync/check_entra_sync.schema.json; do
	grep -qE "^$f(\.gz|\.bz2|\.xz)?$" "$T/files" || missing="$missing $f"
done
grep -qE '^/usr/share/licenses/check_entra_sync[^/]*/COPYING$' "$T/files" || missing="$missing COPYING"
stray=$(grep -vE "^($LIBDIR/nagios|/usr/share/man/man1|$DOC|/usr/share/licenses/check_entra_sync|/usr/share/icinga2|/usr/share/check-entra-sync|/usr/lib/\.build-id)" "$T/files")
if [ -z "$missing" ] && [ -z "$stray" ]; then
	ok "rpm -qlp: the plugin in $LIBDIR/nagios/plugins, the man page, the examples under $DOC, the Icinga 2 include, COPYING; nothing else"
else
	diag "missing:$missing" "elsewhere: $stray"
	not_ok "rpm -qlp: the plugin, the man page, the examples, the Icinga 2 include, COPYING; nothing else"
fi

# 6: what the package holds is what the tree has, the plugin executable.
mkdir "$T/x"
(cd "$T/x" && rpm2cpio "$RPM" | cpio -idm --quiet) 2>"$T/cpio.err"
differ=""
for f in contrib/README.md contrib/icinga2/entra_sync.conf contrib/icinga2/example-services.conf \
	contrib/nagios/commands.cfg contrib/nagios/services.cfg contrib/icingaweb2/entra_sync.ini \
	contrib/grafana/entra-sync-graphite.json contrib/grafana/entra-sync-influxdb.json; do
	sed "s|/usr/lib/nagios/plugins|$LIBDIR/nagios/plugins|g" "$f" |
		cmp -s - "$T/x$DOC/examples/${f#contrib/}" || differ="$differ $f"
done
sed "s|/usr/lib/nagios/plugins|$LIBDIR/nagios/plugins|g" nrpe.cfg.example |
	cmp -s - "$T/x$DOC/examples/nrpe.cfg.example" || differ="$differ nrpe.cfg.example"
grep -rq /usr/lib/nagios/plugins "$T/x$DOC/examples" && differ="$differ (an example names /usr/lib/nagios/plugins)"
cmp -s contrib/icinga2/entra_sync.conf "$T/x/usr/share/icinga2/include/entra_sync.conf" ||
	differ="$differ (the Icinga 2 include)"
mode=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" 2>/dev/null | awk -v p="$PLUGIN" '$2 == p {print $1}')
if [ -z "$differ" ] && [ "$mode" = "-rwxr-xr-x" ]; then
	ok "the examples (naming $LIBDIR/nagios/plugins) and the include are the tree's files; the plugin is -rwxr-xr-x"
else
	diag "differ:$differ" "plugin mode: $mode" "$(cat "$T/cpio.err")"
	not_ok "the examples and the include are the tree's files; the plugin is -rwxr-xr-x"
fi

# 7: the packaged plugin runs and says its version.
first=$("$T/x$PLUGIN" --version 2>&1 | head -n 1)
check "the packaged plugin says 'check_entra_sync $VERSION'" test "$first" = "check_entra_sync $VERSION"

# 8: rpm found the libraries it links, so a RHEL host pulls them in.
rpm -qp --requires "$RPM" 2>/dev/null >"$T/requires"
need=""
for lib in 'libcurl\.so\.4' 'libjson-c\.so\.[0-9]+' 'libcrypto\.so\.[0-9.]+'; do
	grep -qE "^$lib\(\)" "$T/requires" || need="$need $lib"
done
if [ -z "$need" ]; then
	ok "the package requires libcurl, json-c and libcrypto by soname"
else
	diag "$(cat "$T/requires")"
	not_ok "the package requires libcurl, json-c and libcrypto by soname (missing:$need)"
fi

# 9: %post makes the state and cache directories, 0700, for the monitoring
# user, and leaves one already there alone. Run with the paths moved into
# the test's own tree (as root: it hands them to nagios).
rpm -qp --qf '%{POSTIN}' "$RPM" 2>/dev/null >"$T/post.sh"
if [ "$(id -u)" -ne 0 ] || ! getent passwd nagios >/dev/null; then
	ok "%post makes the directories for nagios # SKIP needs root and a user nagios (nagios4-core)"
else
	mkdir -p "$T/root/var/lib" "$T/root/var/cache/check-entra-sync"
	sed "s|/var/|$T/root/var/|g" "$T/post.sh" >"$T/post-moved.sh"
	sh "$T/post-moved.sh" >"$T/post.log" 2>&1
	got="$(stat -c '%U %a' "$T/root/var/lib/check-entra-sync" 2>&1); $(stat -c '%U %a' "$T/root/var/cache/check-entra-sync")"
	if [ "$got" = "nagios 700; root 755" ]; then
		ok "%post makes /var/lib/check-entra-sync for nagios, 0700, and leaves an existing cache directory alone"
	else
		diag "owner and mode: $got" "$(cat "$T/post.log")"
		not_ok "%post makes /var/lib/check-entra-sync for nagios, 0700, and leaves an existing one alone"
	fi
fi

[ "$failed" -eq 0 ]
