#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian packages needed to build and test check_entra_sync.
# As root it installs what is missing. Any other user gets the apt-get line
# to run as root; a missing build package stops (exit 1), missing test
# packages do not: the suites that need them report themselves as skipped.
#   tests/install-deps.sh build   what make and make demo need
#   tests/install-deps.sh         everything make check, make fuzz and make bench need
set -eu
BUILD="build-essential pkg-config libcurl4-openssl-dev libjson-c-dev libssl-dev
python3 python3-cryptography openssl ca-certificates"
TEST="libcmocka-dev valgrind clang libclang-rt-14-dev cppcheck clang-format
nagios4-core icinga2 nagios-nrpe-server nagios-nrpe-plugin monitoring-plugins-standard liburiparser1
graphite-carbon python3-whisper graphite-web influxdb php-cli
postgresql icingaweb2-module-director icingacli php-pgsql
zabbix-agent2 zabbix-server-pgsql zabbix-frontend-php python3-yaml
hyperfine iproute2 util-linux python3-jsonschema prometheus prometheus-node-exporter
dpkg-dev debhelper fakeroot lintian
rpm rpmlint cpio gnupg
debootstrap zstd"
case "${1:-all}" in
build) PKGS="$BUILD" ;;
*) PKGS="$BUILD $TEST" ;;
esac
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=""
missing_build=""
for p in $PKGS; do
	installed "$p" && continue
	missing="$missing $p"
	case " $(echo $BUILD) " in *" $p "*) missing_build="$missing_build $p" ;; esac
done
[ -n "$missing" ] || { echo "deps: all packages present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages. Run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	if [ -n "$missing_build" ]; then
		echo "deps: cannot build without:$missing_build" >&2
		exit 1
	fi
	echo "deps: going on without the test packages; the suites that need them are skipped" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Daemons pulled in here must not start on their own during tests.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends $missing
