#!/bin/sh
# Runs every tests/integration/test_*.py with python3, each under a time limit;
# prints each script's result and a summary line; fails if any script failed.
#
#   scripts/run-integration.sh [test_foo.py ...]   (default: all of them)
#   INTEGRATION_TIMEOUT=seconds (default 300)  VERBOSE=1 shows every script's output
#   VOXCART_TEST_DB=postgres: every voxcartd runs on PostgreSQL (one throwaway cluster
#   for the run, scripts/pg-cluster.sh, unless VOXCART_TEST_PG_URL names one; a
#   database of its own per voxcartd: tests/integration/lib.py)
cd "$(dirname "$0")/.." || exit 2
limit=${INTEGRATION_TIMEOUT:-300}
if [ "$#" -gt 0 ]; then
	scripts="$*"
else
	scripts=$(ls tests/integration/test_*.py 2>/dev/null | sort)
fi
if [ -z "$scripts" ]; then
	echo "integration scripts: none found in tests/integration/"
	exit 1
fi
if [ ! -x ./voxcartd ] && [ -z "$VOXCARTD" ]; then
	echo "run-integration: ./voxcartd is missing (make voxcartd)" >&2
	exit 2
fi
if command -v timeout >/dev/null 2>&1; then
	run_limited() { timeout -k 5 "$limit" "$@"; }
else
	run_limited() { "$@"; }
fi

log=$(mktemp "${TMPDIR:-/tmp}/voxcart-integration.XXXXXX") || exit 2
pgdir=""
trap 'rm -f "$log"; [ -n "$pgdir" ] && scripts/pg-cluster.sh destroy "$pgdir"' EXIT
trap 'exit 130' INT TERM
case "${VOXCART_TEST_DB:-sqlite}" in
postgres|postgresql|pg)
	if [ -z "$VOXCART_TEST_PG_URL" ]; then
		pgdir=$(mktemp -d "${TMPDIR:-/tmp}/voxcart-pg-it-XXXXXX") || exit 2
		VOXCART_TEST_PG_URL=$(scripts/pg-cluster.sh start "$pgdir") || exit 2
		export VOXCART_TEST_PG_URL
	fi
	echo "integration: on PostgreSQL ($VOXCART_TEST_PG_URL)" ;;
esac
pass=0; fail=0; failed=""
for t in $scripts; do
	case "$t" in */*) ;; *) t="tests/integration/$t" ;; esac
	name=$(basename "$t")
	start=$(date +%s)
	run_limited python3 "$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	[ -n "$summary" ] || summary="no summary line"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		printf '%-28s ok      %4ss  %s\n' "$name" "$secs" "$summary"
		[ -n "$VERBOSE" ] && sed 's/^/    /' "$log"
	else
		fail=$((fail + 1)); failed="$failed $name"
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="TIMEOUT after ${limit}s"; else why="FAILED (exit $rc)"; fi
		printf '%-28s %s %4ss  %s\n' "$name" "$why" "$secs" "$summary"
		# The failed checks, and the tail of the output when the script died early,
		# so that a CI log shows why.
		grep -E '^(FAIL|Traceback)' "$log" | head -n 25 | sed 's/^/    /'
		if [ "$summary" = "no summary line" ]; then
			echo "    --- last lines ---"
			tail -n 20 "$log" | sed 's/^/    /'
		fi
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "integration${VOXCART_TEST_PG_URL:+ (PostgreSQL)}: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
