#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fuzz/run.sh [SECONDS] - builds the libFuzzer harnesses (clang, ASan+UBSan),
# replays every saved crasher in fuzz/regressions/<target>/, then fuzzes each
# target for SECONDS (default $FUZZ_SECONDS or 60) starting from the seeds in
# fuzz/corpus/<target>/. Prints TAP lines, one or two per target:
#   ok - fuzz regressions <target> (N inputs)
#   ok - fuzz <target> (N execs)
# A new crasher is copied into fuzz/regressions/<target>/ (keep it: it becomes
# a regression input) and makes that line "not ok". The TAP plan comes last,
# once every target ran, so a run that dies early has none. Exit 1 when any
# failed.
set -u
cd "$(dirname "$0")/.." || exit 2
# Debian's python3, for which install-deps.sh installs python3-cryptography,
# even where another python3 comes first in PATH.
export PATH="/usr/bin:$PATH"

secs=${1:-${FUZZ_SECONDS:-60}}
out=fuzz/out
make_fuzz=(make --no-print-directory -f Makefile -f fuzz/fuzz.mk)
failed=0
total=0
lines=0
# tap LINE: one TAP test line, counted for the plan.
tap() {
	echo "$1"
	lines=$((lines + 1))
}

python3 fuzz/make-seeds.py || echo "# warning: could not regenerate seeds from the fixtures"

targets=()
for src in fuzz/fuzz_*.c; do
	t=${src#fuzz/fuzz_}
	targets+=("${t%.c}")
done

# Build each harness on its own so that one broken build names its target.
"${make_fuzz[@]}" -j"$(nproc)" -k fuzz-bins >"$out.build.log" 2>&1 || true

fuzz_opts() {
	case "$1" in
	job) echo "-max_len=16384 -dict=fuzz/dict/job.dict" ;;
	json) echo "-max_len=4096 -dict=fuzz/dict/job.dict" ;;
	dirsync) echo "-max_len=8192 -dict=fuzz/dict/dirsync.dict" ;;
	app_credentials) echo "-max_len=8192 -dict=fuzz/dict/app_credentials.dict" ;;
	cred_entry) echo "-max_len=1024 -dict=fuzz/dict/cred_entry.dict" ;;
	provlog) echo "-max_len=16384 -dict=fuzz/dict/provlog.dict" ;;
	output) echo "-max_len=4096 -dict=fuzz/dict/output.dict" ;;
	token | graph_error | redact | ini) echo "-max_len=4096" ;;
	*) echo "-max_len=256" ;;
	esac
}

for t in "${targets[@]}"; do
	bin=$out/fuzz_$t
	# Up to date after the build above, or its build failed (a stale binary
	# from an earlier build must not be fuzzed in its place).
	if ! "${make_fuzz[@]}" -q "$bin" 2>/dev/null; then
		tap "not ok - fuzz $t (build failed, see $out.build.log)"
		failed=1
		continue
	fi

	regs=()
	if [ -d "fuzz/regressions/$t" ]; then
		for f in "fuzz/regressions/$t"/*; do
			[ -f "$f" ] && regs+=("$f")
		done
	fi
	if [ ${#regs[@]} -gt 0 ]; then
		if "$bin" -runs=1 "${regs[@]}" >"$out/$t.regressions.log" 2>&1; then
			tap "ok - fuzz regressions $t (${#regs[@]} inputs)"
		else
			tap "not ok - fuzz regressions $t (see $out/$t.regressions.log)"
			grep -m3 -E 'ERROR|runtime error|broken promise' "$out/$t.regressions.log" | sed 's/^/# /'
			failed=1
		fi
	fi

	corpus=$out/corpus/$t
	crashes=$out/crashes/$t
	mkdir -p "$corpus" "$crashes"
	log=$out/$t.log
	# shellcheck disable=SC2046
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$crashes/" $(fuzz_opts "$t") "$corpus" "fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	execs=${execs:-0}
	total=$((total + execs))
	found=0
	for c in "$crashes"/*; do
		[ -f "$c" ] || continue
		found=1
		mkdir -p "fuzz/regressions/$t"
		known=
		for r in "fuzz/regressions/$t"/*; do
			[ -f "$r" ] && cmp -s "$c" "$r" && known=$r
		done
		if [ -n "$known" ]; then
			echo "# crasher is the known regression input $known"
		else
			cp "$c" "fuzz/regressions/$t/"
			echo "# new crasher kept as fuzz/regressions/$t/$(basename "$c")"
		fi
		rm -f "$c"
	done
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		tap "ok - fuzz $t ($execs execs)"
	else
		tap "not ok - fuzz $t ($execs execs, exit $rc, see $log)"
		grep -m3 -E 'ERROR|runtime error|broken promise' "$log" | sed 's/^/# /'
		failed=1
	fi
done

echo "# fuzz: $total execs in total, ${secs}s per target"
echo "1..$lines"
exit "$failed"
