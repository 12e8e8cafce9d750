#!/bin/bash
# Shell style from processes in session 0: those that never called
# setsid(), and those whose session leader lies outside the mount's PID
# namespace (a container's, a CI runner's), which /proc shows as session
# 0.  Session 0 is a session like any other: its latest call is its own,
# not its user's latest call made from another session.
#
# The test runs itself again as PID 1 of a new PID namespace with its own
# /proc, where this shell's session leader is out of sight.
if [ "${TX_T1011_INNER:-}" != 1 ]; then
	exec env TX_T1011_INNER=1 unshare --pid --fork --mount-proc "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
sid=$(awk '{ print $6 }' /proc/self/stat)
assert_eq 0 "$sid" "this shell's session as the mount sees it"
mount_default
cd "$MNT" || fail "cd"
E=tools/builtin/echo
nonce=$$$RANDOM$RANDOM
echo "{\"who\":\"zero\",\"nonce\":$nonce}" > $E/call
# Another session of the same user calls after it...
setsid -w bash -c "echo '{\"who\":\"other\"}' > $E/call"
# ...and reads its own call,
setsid -w bash -c "cat $E/result" > "$TMP/other"
assert_contains "$(cat "$TMP/other")" '"who": "other"' "the other session"
# while session 0 still sees its own.
cat $E/result > "$TMP/zero"
assert_contains "$(cat "$TMP/zero")" '"who": "zero"' "session 0's own call"
assert_contains "$(cat "$TMP/zero")" "$nonce" "session 0's own call"
cd /
unmount_fs
