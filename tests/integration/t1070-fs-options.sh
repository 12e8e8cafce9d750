#!/bin/bash
# toolexecfs's own -o options: the keep policy of finished jobs, the
# wait bound, and a clear refusal of bad values.
. "$(dirname "$0")/lib.sh"

expect_fail "$TOOLEXECFS" -o job_keep_max=x "$TMP" 2>"$TMP/err"
assert_contains "$(cat "$TMP/err")" "bad -o job_keep_max=x"
expect_fail "$TOOLEXECFS" -o wait_max=0 "$TMP" 2>/dev/null

mount_default -o job_keep_max=3,wait_max=60
grep -q '"job_keep_max": 3' "$MNT/.ctl/config" || fail "job_keep_max not applied"
E=$MNT/tools/builtin/echo
for i in 1 2 3 4 5 6 7 8; do
	echo "{\"i\":$i}" > "$E/call" || fail "call $i"
	cat "$E/result" >/dev/null || fail "result $i"
done
# The keep policy runs at least once a second.
at_most_3() { [ "$(ls "$MNT/jobs" | wc -l)" -le 3 ]; }
wait_until at_most_3
assert_eq 3 "$(ls "$MNT/jobs" | wc -l)" "jobs kept"
# The newest stay.
assert_contains "$(cat "$MNT/jobs/8/args")" '"i":8'
[ -e "$MNT/jobs/1" ] && fail "job 1 should have gone"
unmount_fs
echo ok
