#!/bin/sh
# Runs each Check unit-test binary; prints a summary line and fails if any failed.
# The PostgreSQL cases (test_store's second backend, test_pg) run on one throwaway
# cluster started here (scripts/pg-cluster.sh), unless VOXCART_STORE_TEST_URL
# already names a database to use.
pgdir=""
if [ -z "$VOXCART_STORE_TEST_URL" ] && [ -x scripts/pg-cluster.sh ]; then
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/voxcart-pg-unit-XXXXXX")
	trap 'scripts/pg-cluster.sh destroy "$pgdir"' EXIT
	trap 'exit 130' INT TERM
	if url=$(scripts/pg-cluster.sh start "$pgdir"); then
		export VOXCART_STORE_TEST_URL="$url" VOXCART_PG_URL="$url"
	else
		echo "run-unit: no PostgreSQL cluster (make deps); the PostgreSQL cases fail" >&2
	fi
fi
# Test case timeouts are there to stop a hung test, not to time it: a loaded or slow
# machine and the sanitizer builds stretch the long cases (test_asr's recognition
# test took 60+ s at load average 25 and hit its 60 s limit), so every limit is
# multiplied by CK_TIMEOUT_MULTIPLIER (5 unless set).
export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-5}"
pass=0; fail=0
for t in "$@"; do
	if CK_DEFAULT_TIMEOUT=60 "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
