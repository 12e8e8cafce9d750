#!/bin/sh
# Runs tests/integration/t*.sh (git's t/NNNN-*.sh shape), one process
# each.  Exit 0 passes, 77 skips (only when the machine truly cannot do
# what the test needs; under CI=true a skip counts as a failure), any
# other code fails.  Closing line: "integration: N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:=$here/../build}"
export BUILD
pass=0
fail=0
skip=0
failed=""
logdir=${TMPDIR:-/tmp}/toolexecfs-tests.$$
mkdir -p "$logdir"
only=${T:-}
# Stopped, it stops the running test (timeout passes the signal on: the
# test's traps unmount).
cur=""
trap '[ -n "$cur" ] && kill -TERM "$cur" 2>/dev/null; exit 143' TERM INT HUP
for t in "$here"/integration/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "$only" ] && ! printf '%s' "$name" | grep -q "$only"; then
		continue
	fi
	start=$(date +%s)
	timeout -k 10 600 bash "$t" >"$logdir/$name.log" 2>&1 &
	cur=$!
	wait "$cur"
	rc=$?
	cur=""
	secs=$(( $(date +%s) - start ))
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		printf 'ok   %s (%ss)\n' "$name" "$secs"
	elif [ "$rc" -eq 77 ] && [ "${CI:-}" != "true" ]; then
		skip=$((skip + 1))
		printf 'skip %s: %s\n' "$name" "$(tail -n 1 "$logdir/$name.log")"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		printf 'FAIL %s (exit %s, %ss)\n' "$name" "$rc" "$secs"
		tail -n 40 "$logdir/$name.log" | sed 's/^/    /'
	fi
done
[ -n "$failed" ] && echo "failing:$failed (logs in $logdir)"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
