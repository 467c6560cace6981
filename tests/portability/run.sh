#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds and tests the tracked files in Debian chroots made with debootstrap:
# Debian 11 (bullseye), 12 (bookworm) and 13 (trixie), the oldest and newest
# libcurl, OpenSSL and json-c the plugin promises to build with (README,
# "Platforms"). For each suite: the chroot, then the steps: `make WERROR=1`
# (plugin and unit tests), the unit tests, the integration tests (with
# TESTS_NO_SKIP=1: everything they need is in the chroot).
# TAP on stdout, one line per chroot and per step; exit 1 when one failed.
# Needs root (debootstrap, chroot, mount); as another user it skips.
#
# Environment:
#   PORTABILITY_SUITES  default "bullseye bookworm trixie"
#   PORTABILITY_STEPS   default "build unit integration" (in that order; a
#                       step after a failed build is reported as not run)
#   PORTABILITY_CACHE   where the prepared chroots are kept, one zstd tarball
#                       per suite and package list (default
#                       /var/cache/check-entra-sync-portability); a tarball
#                       there is used as it is, delete it to refresh; a new
#                       one replaces the suite's older ones
#   PORTABILITY_MIRROR  the Debian archive (default: the first .../debian URI
#                       of this machine's apt sources, else deb.debian.org)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

read -r -a SUITES <<<"${PORTABILITY_SUITES:-bullseye bookworm trixie}"
read -r -a STEPS <<<"${PORTABILITY_STEPS:-build unit integration}"
CACHE=${PORTABILITY_CACHE:-/var/cache/check-entra-sync-portability}
# What make, the unit tests and the emulator need (tests/install-deps.sh
# BUILD, libcmocka-dev), what the integration tests that need a
# non-loopback address make their network namespace with (iproute2,
# util-linux: SPEC 18), and what the harness checks every json and
# prometheus output with and test_contrib_zabbix reads the template with
# (python3-jsonschema, promtool of prometheus, python3-yaml); apt's names
# are the same in the three suites.
PACKAGES="build-essential pkg-config libcurl4-openssl-dev libjson-c-dev libssl-dev
libcmocka-dev python3 python3-cryptography openssl ca-certificates iproute2 util-linux
python3-jsonschema python3-yaml prometheus"
PLAN=$((${#SUITES[@]} * (1 + ${#STEPS[@]})))

# skip REASON: the whole suite cannot run here.
skip() {
	echo "1..1"
	echo "ok 1 - portability # SKIP $1"
	exit 0
}
[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, mount)"
for tool in debootstrap zstd unshare; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (tests/install-deps.sh)"
done
for s in "${STEPS[@]}"; do
	case "$s" in build | unit | integration) ;; *)
		echo "1..1"
		echo "not ok 1 - portability: unknown step '$s' (build, unit, integration)"
		exit 1
		;;
	esac
done

# shellcheck source=tests/package/tap.sh
. tests/package/tap.sh

# The machine's own Debian mirror: URIs of deb822 .sources or "deb URL"
# lines, the first that ends in /debian (not -security, -ports...).
mirror() {
	local u
	u=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
		2>/dev/null | sed -nE 's,^(URIs:|deb)[[:space:]]+(\[[^]]*\][[:space:]]+)?,,p' |
		tr ' ' '\n' | grep -E '^https?://[^ ]*/debian/?$' | head -n 1)
	echo "${PORTABILITY_MIRROR:-${u:-http://deb.debian.org/debian}}"
}
MIRROR=$(mirror)

# make_root SUITE DIR: a minimal system with PACKAGES, apt's downloads
# dropped. Its text is part of the cache key, so changing it refreshes the
# cache.
# shellcheck disable=SC2086 # $PACKAGES: one word per package
make_root() {
	debootstrap --variant=minbase "$1" "$2" "$MIRROR" &&
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$2/etc/hosts" &&
		chroot "$2" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends $PACKAGES &&
		chroot "$2" apt-get clean &&
		rm -rf "$2"/var/lib/apt/lists/*
}
KEY=$( (echo "$PACKAGES" && declare -f make_root) | sha256sum | cut -c1-12)

WORK=$(mktemp -d /var/tmp/entra-portability.XXXXXX)
chmod 700 "$WORK"
# mounted DIR: something is still mounted at or under DIR in this namespace.
mounted() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}
cleanup() {
	# Mounts live in each step's own namespace; should one have leaked,
	# deleting the tree would reach into it, so it is kept and named.
	if mounted "$WORK"; then
		echo "# portability: something is still mounted under $WORK; not deleting it" >&2
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# prepare SUITE DIR: DIR holds the suite's chroot, from the cache or made
# now (and cached); prints how. debootstrap mounts /proc and /sys in the
# target and may leave them on failure: it runs in a mount namespace of its
# own, so they go when it ends.
prepare() {
	local suite=$1 dir=$2 tarball="$CACHE/$1-$KEY.tar.zst" t0
	mkdir -p "$CACHE" "$dir" || return 1
	# One maker per tarball; a second run waits and then finds it.
	exec 9>"$CACHE/.$suite-$KEY.lock" && flock 9 || return 1
	if [ -s "$tarball" ]; then
		zstd -q -dc "$tarball" | tar -C "$dir" -xf - || return 1
		echo "from the cache $tarball"
		return 0
	fi
	t0=$(date +%s)
	unshare --mount --propagation private env MIRROR="$MIRROR" PACKAGES="$PACKAGES" \
		bash -c "$(declare -f make_root); make_root \"\$@\"" make_root "$suite" "$dir" \
		>"$WORK/$suite.make_root.log" 2>&1 || return 1
	tar -C "$dir" -cf - . | zstd -q -T0 -3 -o "$tarball.tmp" -f && mv "$tarball.tmp" "$tarball" ||
		return 1
	# The suite's chroots of an older package list or recipe are stale.
	find "$CACHE" -maxdepth 1 \( -name "$suite-*.tar.zst" -o -name ".$suite-*.lock" \) \
		! -name "$suite-$KEY.tar.zst" ! -name ".$suite-$KEY.lock" -delete
	echo "made from $MIRROR in $(($(date +%s) - t0)) s, cached as $tarball"
}

# in_root DIR CMD: runs CMD (a bash command line) as root in the chroot at
# DIR, in a mount namespace of its own with /proc, a private /dev/pts (the
# integration tests open a pseudo-terminal) and /dev/shm, so that nothing
# stays mounted when it ends.
in_root() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private /bin/sh -ec '
		r=$1
		mount -t proc proc "$r/proc"
		mkdir -p "$r/dev/pts" "$r/dev/shm"
		mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
		mount --bind "$r/dev/pts/ptmx" "$r/dev/ptmx"
		mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LC_ALL=C.UTF-8 TESTS_NO_SKIP=1 /bin/bash -c "cd /build/src && $2"
	' sh "$1" "$2"
}

# versions DIR: the libraries the build links, as pkg-config reports them.
versions() {
	# shellcheck disable=SC2016 # expanded in the chroot
	in_root "$1" 'printf "libcurl %s, OpenSSL %s, json-c %s" \
		"$(pkg-config --modversion libcurl)" "$(pkg-config --modversion libcrypto)" \
		"$(pkg-config --modversion json-c)"'
}

# suite_result NAME LOG RC: ok when the run-all.sh in LOG ended "N passed,
# 0 failed" (N > 0) with status 0; its failures become diagnostics.
suite_result() {
	local name=$1 log=$2 rc=$3 summary
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [[ "$summary" =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]; then
		ok "$name ($summary)"
	else
		# Each failure with the first lines of its reason.
		diag "$(awk '/^not ok|# SKIP/ { n = 8; print; next } n > 0 && /^#/ { n--; print; next } { n = 0 }' \
			"$log" | head -n 80)" "${summary:-no summary line}"
		not_ok "$name (${summary:-exit $rc, no summary})"
	fi
}

echo "1..$PLAN"
make -s --no-print-directory dist-files >"$WORK/files" 2>"$WORK/files.err" || {
	diag "$(cat "$WORK/files.err")"
	bail "make dist-files lists the tracked files"
}

for suite in "${SUITES[@]}"; do
	dir="$WORK/$suite"
	t0=$(date +%s)
	if how=$(prepare "$suite" "$dir") && mkdir -p "$dir/build/src" &&
		tar -cf - --verbatim-files-from -T "$WORK/files" | tar -xf - -C "$dir/build/src" &&
		libs=$(versions "$dir"); then
		ok "$suite: chroot with $libs ($how)"
		diag "$suite: ready after $(($(date +%s) - t0)) s"
		broken=""
	else
		[ -f "$WORK/$suite.make_root.log" ] && diag "$(tail -n 20 "$WORK/$suite.make_root.log")"
		not_ok "$suite: chroot from $MIRROR"
		broken="no chroot"
	fi
	for step in "${STEPS[@]}"; do
		if [ -n "$broken" ]; then
			not_ok "$suite: $step not run: $broken"
			continue
		fi
		log="$WORK/$suite.$step.log"
		t0=$(date +%s)
		case "$step" in
		build)
			# shellcheck disable=SC2016 # expanded in the chroot
			in_root "$dir" 'make -j"$(nproc)" WERROR=1 all unit-bins' >"$log" 2>&1
			rc=$?
			if [ "$rc" -eq 0 ]; then
				ok "$suite: make WERROR=1 builds the plugin and the unit tests"
			else
				diag "$(grep -E 'error:|warning:' "$log" | head -n 30)" "$(tail -n 5 "$log")"
				not_ok "$suite: make WERROR=1 builds the plugin and the unit tests"
				broken="the build failed"
			fi
			;;
		unit | integration)
			in_root "$dir" "tests/run-all.sh $step" >"$log" 2>&1
			suite_result "$suite: $step tests" "$log" $?
			;;
		esac
		diag "$suite: $step took $(($(date +%s) - t0)) s"
	done
	mounted "$dir" || rm -rf "$dir"
done

[ "$failed" -eq 0 ]
