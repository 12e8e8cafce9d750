#!/bin/bash
# toolexecfs on a path that is already a toolexecfs mount refuses with a
# clear message (it used to stack a second mount and exit 0); -o stack
# asks for it.
. "$(dirname "$0")/lib.sh"
mount_default
rc=0
"$TOOLEXECFS" "$MNT" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "a second mount on the same path"
assert_contains "$(cat "$TMP/err")" "$MNT is already a toolexecfs mount" "why"
count() { # toolexecfs mounts at $MNT
	awk -v m="$MNT" '$5 == m { for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "fuse.toolexecfs") n++; break } } END { print n + 0 }' /proc/self/mountinfo
}
assert_eq 1 "$(count)" "still one mount"
# The same path written another way is the same mount.
rc=0
"$TOOLEXECFS" "$MNT/../mnt/" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "the same path through .."

"$TOOLEXECFS" -f -o stack "$MNT" 2> "$TMP/stack.log" &
top=$!
two_mounts() { [ "$(count)" = 2 ]; }
wait_until two_mounts
fusermount3 -u "$MNT" || fail "unmount the top one"
wait "$top" || fail "the stacked daemon exited with $?"
assert_eq 1 "$(count)" "the first mount is still there"
[ -e "$MNT/tools/INDEX" ] || fail "the first mount no longer answers"
unmount_fs
