#!/bin/sh
# Runs libFuzzer harnesses one after the other and prints the executions each
# survived.  Fails on the first harness that finds a crash, a leak, a sanitizer report
# or a timeout (the reproducer is left in build/fuzz/artifacts/).
#
#   scripts/fuzz.sh grow SECONDS build/fuzz/fuzz_x ...   new inputs go into tests/fuzz/corpus/x/
#   scripts/fuzz.sh check SECONDS build/fuzz/fuzz_x ...  the corpus is read, never changed;
#                                                         fixed seed (FUZZ_SEED, default 1)
# FUZZ_RUNS=N stops each harness after N executions (SECONDS stays the upper bound).
cd "$(dirname "$0")/.." || exit 2
mode=$1; secs=$2; shift 2
art=build/fuzz/artifacts
mkdir -p "$art"
fail=0
for bin in "$@"; do
	name=$(basename "$bin"); name=${name#fuzz_}
	corpus=tests/fuzz/corpus/$name
	mkdir -p "$corpus"
	log=build/fuzz/$name.log
	runs_opt=""
	[ -n "$FUZZ_RUNS" ] && runs_opt="-runs=$FUZZ_RUNS"
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	seed_opt=""
	if [ "$mode" = check ]; then
		work=$(mktemp -d "${TMPDIR:-/tmp}/voxcart-fuzz.XXXXXX")
		dirs="$work $corpus"
		# The same mutations on every run (FUZZ_SEED), so that a check that passed
		# here passes in CI unless the code changed; grow mode explores freely.
		seed_opt="-seed=${FUZZ_SEED:-1}"
	else
		work=""
		dirs="$corpus"
	fi
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$art/$name-" $runs_opt $seed_opt $dict $dirs >"$log" 2>&1
	rc=$?
	[ -n "$work" ] && rm -rf "$work"
	runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	if [ "$rc" -eq 0 ]; then
		took=$(grep -E '^Done [0-9]+ runs in' "$log" | awk '{print $5}')
		printf 'fuzz %-14s ok    %10s executions in %ss, corpus %s files\n' "$name" "${runs:-?}" \
			"${took:-$secs}" "$(ls "$corpus" | wc -l)"
	else
		fail=1
		printf 'fuzz %-14s FAILED (exit %s) after %s executions; see %s\n' "$name" "$rc" \
			"${runs:-?}" "$log"
		grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/    /'
	fi
done
exit $fail
