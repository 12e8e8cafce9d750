#!/bin/bash
# Exploring the tree starts no work: `grep -r` and `head *` read every
# clone file, and the jobs that makes are not listed in jobs/ nor counted
# as jobs in .ctl/status (only as "new") until a call starts them.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd"
status_line() { sed -n "s/^$1 //p" .ctl/status; }
grep -r no-such-word-anywhere tools/ > /dev/null
head tools/builtin/time/* > /dev/null
assert_eq "" "$(ls jobs)" "jobs/ after exploring"
assert_eq 0 "$(status_line jobs)" ".ctl/status jobs"
assert_eq 0 "$(status_line running)" ".ctl/status running"
[ "$(status_line new)" -ge 2 ] || fail "the clones read are counted as new: $(cat .ctl/status)"
# A clone read on purpose still works as before.
n=$(cat tools/builtin/echo/clone)
assert_eq new "$(cat jobs/$n/status)" "the cloned job answers"
ls jobs | grep -qx "$n" && fail "a job nobody started is listed"
echo '{"k": 1}' > jobs/$n/call
ls jobs | grep -qx "$n" || fail "the started job is not listed"
assert_eq 1 "$(status_line jobs)" ".ctl/status jobs after a call"
cd /
unmount_fs
