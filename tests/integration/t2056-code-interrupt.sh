#!/bin/bash
# Ctrl-C on `toolexec code` stops the run (the whole tree) and still
# prints the result: cancelled, exit status 130.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

cat > "$TMP/slow.sh" <<'S'
echo ready
sleep 60 &
sleep 60
S
"$TOOLEXEC" code --result "$TMP/res" "$TMP/slow.sh" >"$TMP/out" 2>"$TMP/err" &
pid=$!
at_exit "kill -9 $pid"
for _i in $(seq 1 300); do
	grep -q ready "$TMP/out" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$TMP/out" || fail "the script did not start: $(cat "$TMP/err")"
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 130 "$rc" "exit status"
load_result
assert_eq true "${R[cancelled]}"
assert_eq false "${R[timed_out]}"
assert_eq ready "$(cat "$TMP/out")"
