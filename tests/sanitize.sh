#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/sanitize.sh [asan] [valgrind] - the unit and integration suites under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the integration suite
# under valgrind (memcheck). Default: both.
#
# Each flavour builds a private copy of the source tree in tests/.work/sanitize/
# (so the developer's own objects are neither reused nor clobbered), runs the
# suites there and prints their TAP lines prefixed with the flavour
# ("ok 12 - asan: test_faults.test_..."), then its own checks:
#   ok - asan: build                 make SANITIZE=1 succeeded
#   ok - asan: no sanitizer reports  no process wrote an ASan/UBSan/LSan report
#   ok - valgrind: build
# and at the end its TAP plan (the nested streams' own plans are checked by
# the nested tests/run-all.sh and left out) and "N passed, M failed" like
# tests/run-all.sh. Exit 1 on failure.
# Environment: SANITIZE_CC (compiler for the ASan build, default cc),
# JOBS (make -j, default nproc), VALGRIND_TESTS (integration test modules
# to run under valgrind, default all).
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"
root=$(pwd)

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(asan valgrind)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
base=$root/tests/.work/sanitize
log=$(mktemp)
trap 'rm -f "$log"' EXIT

say() { echo "$@" | tee -a "$log"; }

# A copy of the tree without build products, test scratch space or git data.
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	tar -C "$root" --exclude=./.git --exclude=./tests/.work --exclude=./fuzz/out \
		--exclude='*.o' --exclude='*.d' -cf - . | tar -C "$1" -xf -
	make -C "$1" clean >/dev/null 2>&1
}

# Runs suites in tree $2, prefixing every TAP test name with "$1: ".
run_suites() {
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && tests/run-all.sh "$@" 2>&1) |
		sed -u -E "s/^(ok|not ok)( [0-9]+)? - /\1\2 - $name: /" |
		grep --line-buffered -Ev '^([0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?|1\.\.[0-9]+.*)$' |
		tee -a "$log"
}

# Sanitizer options compiled into the binaries: the integration harness runs
# the plugin with a clean environment, where ASAN_OPTIONS would not reach it.
# Reports go to files, not to stderr, so that a test that tolerates an exit
# status or ignores stderr still cannot hide one. verify_asan_link_order=0
# lets tests preload a fake clock.
sanitizer_defaults() { # reports-dir out.o
	cat >"$2.c" <<EOF
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=1:verify_asan_link_order=0:exitcode=86:"
	       "detect_stack_use_after_return=1:check_initialization_order=1:"
	       "log_path=$1/asan";
}
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1:exitcode=87:log_path=$1/ubsan";
}
EOF
	"${SANITIZE_CC:-cc}" -c -o "$2" "$2.c"
}

asan() {
	local dir=$base/asan
	copy_tree "$dir"
	local reports=$dir/tests/.work/sanitizer-reports
	mkdir -p "$reports"
	if sanitizer_defaults "$reports" "$base/sanitizer-defaults.o" >"$base/asan-build.log" 2>&1 &&
		make -C "$dir" -j"$jobs" SANITIZE=1 CC="${SANITIZE_CC:-cc}" CFLAGS="-O1 -g" \
			LDFLAGS="$base/sanitizer-defaults.o" plugin/check_entra_sync unit-bins \
			>>"$base/asan-build.log" 2>&1; then
		say "ok - asan: build"
	else
		say "not ok - asan: build (see $base/asan-build.log)"
		tail -20 "$base/asan-build.log" | sed 's/^/# /'
		return
	fi
	# ASAN_BUILD tells tests that set an address-space limit that ASan
	# reserves terabytes of shadow memory for itself.
	ASAN_BUILD=1 run_suites asan "$dir" unit integration
	local found
	found=$(find "$reports" -type f 2>/dev/null | sort)
	if [ -z "$found" ]; then
		say "ok - asan: no sanitizer reports"
	else
		say "not ok - asan: no sanitizer reports ($(echo "$found" | wc -l) reports in $reports)"
		for f in $found; do
			grep -m4 -E 'ERROR|runtime error|SUMMARY|#[0-3] ' "$f" | sed 's/^/# /'
		done
	fi
}

valgrind_suite() {
	if ! command -v valgrind >/dev/null; then
		say "not ok - valgrind: not installed (tests/install-deps.sh)"
		return
	fi
	local dir=$base/valgrind
	copy_tree "$dir"
	if make -C "$dir" -j"$jobs" CFLAGS="-O1 -g" plugin/check_entra_sync \
		>"$base/valgrind-build.log" 2>&1; then
		say "ok - valgrind: build"
	else
		say "not ok - valgrind: build (see $base/valgrind-build.log)"
		tail -20 "$base/valgrind-build.log" | sed 's/^/# /'
		return
	fi
	# harness.py wraps the binary in valgrind (--error-exitcode=97, leaks
	# definite and indirect are errors) and scales its time limits.
	# VALGRIND_TESTS narrows the run to some test modules (CI's time budget).
	VALGRIND=1 INTEGRATION_TESTS="${VALGRIND_TESTS:-}" run_suites valgrind "$dir" integration
}

for f in "${flavours[@]}"; do
	case "$f" in
	asan) asan ;;
	valgrind) valgrind_suite ;;
	*) say "not ok - sanitize: unknown flavour '$f'" ;;
	esac
done

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
echo "1..$((passed + failed))"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
