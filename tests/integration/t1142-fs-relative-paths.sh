#!/bin/bash
# One rule for both faces: an exec tool without "cwd" takes relative
# paths from the directory the program was started in: toolexec from
# its own, toolexecfs from where it was started even when it goes to
# the background (which used to leave it in "/").
. "$(dirname "$0")/lib.sh"
need_fuse
W=$TMP/work
mkdir -p "$W" "$TMP/m"
echo "a line from the start directory" > "$W/hello.txt"
args='{"path": "hello.txt", "lines": 1}'
want="a line from the start directory"

assert_eq "$want" "$(cd "$W" && "$TOOLEXEC" call local:file_head "$args")" "toolexec"

at_exit "fusermount3 -u '$TMP/m'"
(cd "$W" && "$TOOLEXECFS" "$TMP/m") || fail "mount in the background"
wait_until test -e "$TMP/m/README"
got=$(cd / && echo "$args" > "$TMP/m/tools/local/file_head/call" &&
	cat "$TMP/m/tools/local/file_head/result")
assert_eq "$want" "$got" "toolexecfs in the background"
fusermount3 -u "$TMP/m" || fail "unmount"

(cd "$W" && exec "$TOOLEXECFS" -f "$TMP/m" 2> "$TMP/fg.log") &
fg=$!
wait_until test -e "$TMP/m/README"
got=$(cd / && echo "$args" > "$TMP/m/tools/local/file_head/call" &&
	cat "$TMP/m/tools/local/file_head/result")
assert_eq "$want" "$got" "toolexecfs in the foreground"
fusermount3 -u "$TMP/m" || fail "unmount"
wait "$fg" || fail "the foreground daemon exited with $?"
