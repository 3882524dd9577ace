#!/bin/sh
# Runs each Check unit-test binary; prints a summary line and fails if any failed.
pass=0; fail=0
for t in "$@"; do
	if CK_DEFAULT_TIMEOUT=60 "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
