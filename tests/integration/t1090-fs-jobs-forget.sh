#!/bin/bash
# A job that the keep policy removed is forgotten by the kernel too: the
# daemon tells it that jobs/ID is gone (notify_inval_entry), and the
# kernel forgets the nodes of jobs/ID and its files.  Without that it
# keeps them cached until memory runs short, and the daemon keeps them
# as long: every job used through jobs/ cost memory for good (the soak
# benchmark's daemon doubled its RSS in ten minutes).  The FUSE debug
# output (-d) shows the notifications and the forgets.
. "$(dirname "$0")/lib.sh"
mount_default -d -o job_keep_max=1
E=$MNT/tools/builtin/echo
n=$(cat $E/clone)
echo '{"first": 1}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" '"first": 1' "first job"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "first job"
# Two newer jobs push it out of jobs/ (job_keep_max=1).
for i in 1 2; do
	m=$(cat $E/clone)
	echo "{\"next\": $i}" > "$MNT/jobs/$m/call"
	assert_contains "$(cat "$MNT/jobs/$m/result")" "\"next\": $i" "job $m"
done
gone_from_listing() { ! ls "$MNT/jobs" | grep -qx "$n"; }
wait_until gone_from_listing
# libfuse prints an inval_entry as "NOTIFY: code=3"; nothing else in
# this test makes the kernel forget a node.
wait_until grep -q "NOTIFY: code=3" "$FS_LOG"
wait_until grep -q 'opcode: \(BATCH_\)\?FORGET' "$FS_LOG"
unmount_fs
echo ok
