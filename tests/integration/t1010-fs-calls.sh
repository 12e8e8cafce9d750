#!/bin/bash
# The three calling ways of DESIGN 2.3 through a real mount: transaction,
# shell style scoped by session then user, and clone jobs.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd"
E=tools/builtin/echo
S=tools/builtin/sleep
njobs() { ls jobs | wc -l; }

# 1. Transaction: the result from its first byte whatever the offset (the
# descriptor is at N after writing N bytes), a second call on the same fd.
python3 - "$E/call" <<'PY' || fail "transaction"
import json, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(3):
    args = json.dumps({"i": i, "pad": "x" * (i * 3000)}).encode()
    os.write(fd, args)
    out = b""
    while True:
        b = os.read(fd, 7)          # small reads: the position is ours
        if not b:
            break
        out += b
    assert json.loads(out) == json.loads(args), (out[:80], args[:80])
try:
    os.lseek(fd, 0, os.SEEK_SET)
    raise SystemExit("lseek on a transaction should fail")
except OSError:
    pass
os.close(fd)
PY
# A blocking transaction: the read waits for the call.
start=$(date +%s%N)
exec 3<>$S/call
echo '{"seconds":1}' >&3
out=$(cat <&3)
exec 3<&-
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_contains "$out" "slept" "blocking transaction"
[ "$ms" -ge 900 ] || fail "transaction returned after $ms ms"

# 2. Shell style: registered at close, read by the next command.
echo '{"who":"me"}' > $E/call
assert_contains "$(cat $E/result)" '"who": "me"' "shell result"
# Reading blocks while the call runs; status never blocks.
echo '{"seconds":1}' > $S/call
t0=$(date +%s%N)
assert_eq running "$(cat $S/status)" "status while running"
[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 500 ] || fail "status blocked"
assert_contains "$(cat $S/result)" "slept" "blocking result"
assert_eq ok "$(cat $S/status)" "status after"
# Sessions: each session sees its own latest call.
for who in a b c; do
	setsid bash -c "echo '{\"who\":\"$who\"}' > $E/call; sleep 0.3; cat $E/result > $TMP/sess.$who" &
	pids="${pids:-} $!"
done
wait $pids
for who in a b c; do
	assert_contains "$(cat $TMP/sess.$who)" "\"who\": \"$who\"" "session $who"
done
# A session that made no call sees its user's latest.
setsid bash -c "cat $E/result > $TMP/sess.none"
grep -q '"who"' $TMP/sess.none || fail "uid fallback: $(cat $TMP/sess.none)"
# One call per write on a held descriptor (each echo's close flushes).
before=$(njobs)
exec 4>$E/call
echo '{"n":1}' >&4
echo '{"n":2}' >&4
exec 4>&-
assert_eq $((before + 2)) "$(njobs)" "two calls on one fd"
assert_contains "$(cat $E/result)" '"n": 2' "latest of the two"
# touch and empty writes start nothing.
before=$(njobs)
touch $E/call
: > $E/call
printf '' > $E/call
printf '  \n' > $E/call
assert_eq "$before" "$(njobs)" "touch/empty started a call"
assert_contains "$(cat $E/result)" '"n": 2' "result unchanged"

# 3. Jobs: clone returns the ID and a newline, nothing else.
n=$(cat $E/clone)
assert_eq "$n" "$(printf '%s' "$n" | tr -cd 0-9)" "clone is a number"
python3 -c "
d=open('$E/clone','rb').read()
assert d.endswith(b'\n') and d[:-1].isdigit() and d.count(b'\n')==1, d" || fail "clone bytes"
assert_eq new "$(cat jobs/$n/status)" "cloned job state"
# Another process reads the result while a third starts the job.
(cat jobs/$n/result > $TMP/job.out) &
rdr=$!
sleep 0.2
echo '{"from":"jobs"}' > jobs/$n/call
wait $rdr
assert_contains "$(cat $TMP/job.out)" '"from": "jobs"' "job result via another reader"
# Starting it again is refused.
assert_eq EALREADY "$(write_errno jobs/$n/call '{"x":1}')" "second start"
# A job started as a transaction on jobs/ID/call.
n=$(cat $E/clone)
out=$(python3 -c "
import os; fd=os.open('jobs/$n/call', os.O_RDWR); os.write(fd, b'{\"t\":7}')
print(os.read(fd, 4096).decode()); os.close(fd)")
assert_contains "$out" '"t": 7' "transaction on jobs/ID/call"
# Cancel, then remove.
n=$(cat $S/clone)
echo '{"seconds":30}' > jobs/$n/call
echo > jobs/$n/cancel
assert_eq cancelled "$(cat jobs/$n/status)" "cancelled"
assert_eq ECANCELED "$(read_errno jobs/$n/result)" "result of cancelled"
assert_contains "$(cat jobs/$n/error)" "cancel" "error of cancelled"
n=$(cat $S/clone)
echo '{"seconds":30}' > jobs/$n/call
rm -r jobs/$n || fail "rm -r"
[ -d jobs/$n ] && fail "job dir still there"

# poll(): a result descriptor becomes readable when the call ends.
echo '{"seconds":1}' > $S/call
python3 - "$S/result" <<'PY' || fail "poll"
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
t = time.time()
first = p.poll(0)
assert not first, ("readable too early", first)
ev = p.poll(5000)
assert ev and ev[0][1] & select.POLLIN, ev
assert time.time() - t > 0.5
assert b"slept" in os.read(fd, 4096)
os.close(fd)
PY

# Interrupting a transaction read cancels its call; a result reader's
# interrupt only stops its wait.
python3 - "$S/call" <<'PY' || fail "interrupt transaction"
import errno, os, signal, sys
signal.signal(signal.SIGALRM, lambda *a: None)
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"seconds":20}')
signal.setitimer(signal.ITIMER_REAL, 0.3)
try:
    os.read(fd, 4096)
    raise SystemExit("read returned")
except OSError as e:
    assert e.errno in (errno.ECANCELED, errno.EINTR), e
os.close(fd)
PY
assert_contains "$(tail -n 3 .ctl/log)" "cancelled" "log shows cancel"
echo '{"seconds":1}' > $S/call
timeout -s INT 0.3 cat $S/result && fail "cat should be interrupted"
assert_eq running "$(cat $S/status)" "call survives an interrupted reader"
assert_contains "$(cat $S/result)" "slept" "result after interrupted reader"

cd /
unmount_fs
echo ok
