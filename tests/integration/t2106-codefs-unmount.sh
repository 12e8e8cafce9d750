#!/bin/bash
# Unmounting while runs go: the runs hold the mount through their binds,
# so the daemon stops them all, and then exits cleanly, without waiting
# for their timeouts.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
S=$MNT/code/standard
# One run sleeps, one waits inside a tool call (a job nobody starts).
printf 'echo started\nexec sleep 600\n' > "$TMP/sleeper.sh"
printf 'n=$(cat /tools/builtin/echo/clone); echo started; cat /jobs/$n/result\n' > "$TMP/waiter.sh"
drop "$TMP/sleeper.sh"; drop "$TMP/waiter.sh"
assert_eq started "$(timeout 60 head -n 1 "$S/sleeper.sh.out")"
assert_eq started "$(timeout 60 head -n 1 "$S/waiter.sh.out")"
uids=$(stat -c %u "$MNT"/.runs/*)
cd /
start=$SECONDS
unmount_fs
[ $((SECONDS - start)) -lt 25 ] || fail "the daemon waited for its runs: $((SECONDS - start)) s"
# Killed: they go (SIGKILL of a whole PID namespace is not instant).
for u in $uids; do
	wait_until not pgrep -u "$u"
done
echo ok
