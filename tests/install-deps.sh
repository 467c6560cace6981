#!/bin/sh
# Installs the Debian packages needed to build and test check_entra_sync.
# As root it installs what is missing; otherwise it prints the command.
#   tests/install-deps.sh build   what make and make demo need
#   tests/install-deps.sh         everything make check, make fuzz and make bench need
set -eu
BUILD="build-essential pkg-config libcurl4-openssl-dev libjson-c-dev libssl-dev
python3 python3-cryptography openssl ca-certificates"
TEST="libcmocka-dev valgrind clang libclang-rt-14-dev
nagios4-core icinga2 nagios-nrpe-server nagios-nrpe-plugin monitoring-plugins-standard liburiparser1
graphite-carbon python3-whisper graphite-web influxdb php-cli
hyperfine"
case "${1:-all}" in
build) PKGS="$BUILD" ;;
*) PKGS="$BUILD $TEST" ;;
esac
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || { echo "deps: all packages present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages. Run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
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
