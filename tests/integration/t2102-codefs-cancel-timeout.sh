#!/bin/bash
# Runs that do not end by themselves: `rm NAME` stops a running run at
# once and removes its files; cancelling its job stops it too; a run past
# its timeout is killed.  NAME.out streams while the run goes, NAME.result
# blocks until the end, and poll() on both works.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mkdir -p "$TMP/conf"
echo '{"codeProfiles": {"quick": {"base": "standard", "timeout_ms": 1500}}}' > "$TMP/conf/code.json"
mount_config "$TMP/conf"
S=$MNT/code/standard
printf 'echo started\nexec sleep 600\n' > "$TMP/long.sh"

# rm while it runs.
drop "$TMP/long.sh"
# The first line arrives while the run goes (the read waits for it).
assert_eq started "$(timeout 60 head -n 1 "$S/long.sh.out")" "NAME.out while running"
j=$(cat "$MNT/jobs/"*/tool | grep -c code:standard)
assert_eq 1 "$j" "one run job"
j=$(for d in "$MNT"/jobs/*; do [ "$(cat "$d/tool")" = code:standard ] && basename "$d"; done)
assert_eq running "$(cat "$MNT/jobs/$j/status")" "the run's job runs"
rm "$S/long.sh" || fail "rm of a running run"
[ -e "$S/long.sh.out" ] && fail "NAME.out after rm"
assert_eq "" "$(ls "$S")" "rm removes the files"
wait_until test "$(cat "$MNT/jobs/$j/status")" = cancelled

# Cancelling its job, with poll() on the result and on stdout.
drop "$TMP/long.sh"
assert_eq started "$(timeout 60 head -n 1 "$S/long.sh.out")"
j=$(ls "$MNT/jobs" | sort -n | tail -n 1)
assert_eq code:standard "$(cat "$MNT/jobs/$j/tool")"
python3 - "$S/long.sh.result" "$S/long.sh.out" "$MNT/jobs/$j/cancel" <<'PY' || fail "poll on NAME.result"
import json, os, select, sys
res = os.open(sys.argv[1], os.O_RDONLY)
out = os.open(sys.argv[2], os.O_RDONLY)
assert os.read(out, 100) == b"started\n"
p = select.poll()
p.register(res, select.POLLIN)
p.register(out, select.POLLIN)
assert p.poll(0) == [], "ready before the end"
with open(sys.argv[3], "w") as f:
    f.write("x")
ready = dict(p.poll(30000))
while len(ready) < 2:
    ready.update(dict(p.poll(30000)))
assert ready[res] & select.POLLIN and ready[out] & select.POLLIN, ready
assert os.read(out, 100) == b"", "stdout ends"
r = json.loads(os.read(res, 1 << 20))
assert r["cancelled"] is True and r["exit_code"] == -1, r
PY

# A timeout (1.5 s in profile quick) kills the whole tree.
printf 'sleep 600 & sleep 600\n' > "$TMP/slow.sh"
drop "$TMP/slow.sh" quick
result slow.sh quick
assert_eq true "${R[timed_out]}" "timed_out"
assert_contains "${R[limits_hit]}" '"timeout"' "limits_hit"
assert_eq "$(cat "$MNT/jobs/${R[job]}/status")" timeout "the job's status"
cd /
unmount_fs
echo ok
