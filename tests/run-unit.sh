#!/bin/sh
# Runs each cmocka test binary given; prints one closing line
# "unit: N passed, M failed" counting binaries' test cases.  A binary
# still running after 10 minutes has hung: it is killed and fails.
set -u
pass=0
fail=0
failed_bins=""
for t in "$@"; do
	out=$(timeout -k 10 600 "$t" 2>&1)
	rc=$?
	[ "$rc" -eq 124 ] && out="$out
[  ERROR   ] $(basename "$t") hung: killed after 600 s"
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|PASSED)  \]|^\[  ERROR   \]|runtime error|Sanitizer' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if printf '%s\n' "$out" | grep -qE 'runtime error|ERROR: (Address|Leak)Sanitizer'; then
		printf '%s\n' "$out" | tail -40
		f=$((f + 1))
	fi
	if [ "$f" -ne 0 ]; then
		failed_bins="$failed_bins $(basename "$t")"
		printf '%s\n' "$out" | grep -B2 -A6 -E 'FAILED|ERROR' | head -60
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
[ -n "$failed_bins" ] && echo "failing:$failed_bins"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
