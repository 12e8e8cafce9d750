#!/bin/bash
# -o job_new_seconds=N: a cloned job nobody starts expires.  A reader
# already waiting on its result is answered ECANCELED, `error` says it
# expired, and the job leaves jobs/; a job that was started stays.
. "$(dirname "$0")/lib.sh"
"$TOOLEXECFS" --help | grep -q 'job_new_seconds=N' || fail "--help does not list job_new_seconds"
mount_default -o job_new_seconds=1
cd "$MNT" || fail cd
assert_contains "$(cat .ctl/config)" '"job_new_seconds": 1' "effective setting"
busy=$(cat tools/builtin/sleep/clone)
echo '{"seconds": 60}' > jobs/$busy/call
# The reader clones the job itself and is waiting on its result right
# after (should the job expire before the reader got to open it on a
# very slow machine, it clones again).  It writes the job ID once it
# waits.
python3 - "$MNT" "$TMP/idle" > "$TMP/reader.out" <<'PY' &
import errno, os, sys
mnt, idfile = sys.argv[1], sys.argv[2]
for attempt in range(10):
    jid = open(mnt + "/tools/builtin/echo/clone").read().strip()
    try:
        err = open(mnt + "/jobs/" + jid + "/error", "rb")   # outlives the job
        fd = os.open(mnt + "/jobs/" + jid + "/result", os.O_RDONLY)
        break
    except OSError as e:
        if e.errno != errno.ENOENT:
            raise
else:
    sys.exit("every clone expired before it could be opened")
with open(idfile + ".tmp", "w") as f:
    f.write(jid)
os.rename(idfile + ".tmp", idfile)
try:
    os.read(fd, 4096)
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])
print(err.read().decode().strip())
PY
reader=$!
for _i in $(seq 1 600); do
	[ -s "$TMP/idle" ] && break
	kill -0 $reader 2>/dev/null || break
	sleep 0.05
done
idle=$(cat "$TMP/idle") || fail "the reader did not start waiting"
for _i in $(seq 1 600); do
	[ -e jobs/$idle ] || break
	sleep 0.05
done
[ -e jobs/$idle ] && fail "the unstarted job did not expire within 30 s"
for _i in $(seq 1 600); do
	kill -0 $reader 2>/dev/null || break
	sleep 0.05
done
wait $reader || fail "the reader failed"
assert_eq ECANCELED "$(head -n 1 "$TMP/reader.out")" "the waiting reader"
assert_contains "$(tail -n 1 "$TMP/reader.out")" "expired" "error of the expired job"
ls jobs | grep -qx "$idle" && fail "the expired job is still listed"
assert_eq running "$(cat jobs/$busy/status)" "the started job stays"
echo > jobs/$busy/cancel
cd /
unmount_fs
echo ok
