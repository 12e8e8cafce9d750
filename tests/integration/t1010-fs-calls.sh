#!/bin/bash
# The three calling ways of DESIGN 2.3 through a real mount: transaction,
# shell style scoped by session then user, and clone jobs.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd"
E=tools/builtin/echo
S=tools/builtin/sleep
njobs() { ls jobs | wc -l; }
# json_is FILE JSON: FILE holds exactly the JSON value JSON (any layout).
json_is() {
	python3 - "$1" "$2" <<'PY' || fail "$1: expected the JSON $2, got [$(cat "$1")]"
import json, sys
sys.exit(json.load(open(sys.argv[1])) != json.loads(sys.argv[2]))
PY
}
# A unique number for this run's arguments: a result that carries it
# can only come from the call that was just made.
nonce=$$$RANDOM$RANDOM

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
# Seeking back to 0 reads the last answer again from its first byte.
assert os.lseek(fd, 0, os.SEEK_SET) == 0
assert json.loads(os.read(fd, 1 << 20)) == json.loads(args), "seek back"
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
# Reading blocks while the call runs; status never blocks: read right
# after the call starts, it says running (a status that waited would say
# ok), then result waits for the end.  One process, so nothing but a few
# system calls comes between the start and the status read.
python3 - "$S" <<'PY' || fail "blocking result, status while running"
import os, sys
S = sys.argv[1]
def slurp(path):
    with open(path, "rb") as f:
        return f.read().decode()
fd = os.open(S + "/call", os.O_WRONLY)
os.write(fd, b'{"seconds": 2.5}')
os.close(fd)                        # the call is registered (FLUSH)
st = slurp(S + "/status")
assert st == "running\n", ("status while running", st)
res = slurp(S + "/result")
assert res == "slept 2.5 s\n", ("blocking result", res)
st = slurp(S + "/status")
assert st == "ok\n", ("status after", st)
PY
# Sessions: each session sees its own latest call, even when the other
# sessions call after it (each reads once all three have written).
pids=""
for who in a b c; do
	setsid -w bash -c "echo '{\"who\":\"$who\"}' > $E/call; touch $TMP/wrote.$who
		for _ in \$(seq 3000); do
			[ -e $TMP/wrote.a ] && [ -e $TMP/wrote.b ] && [ -e $TMP/wrote.c ] && break
			sleep 0.01
		done
		cat $E/result > $TMP/sess.$who" &
	pids="$pids $!"
done
wait $pids
for who in a b c; do
	json_is $TMP/sess.$who "{\"who\": \"$who\"}"
done
# A session that made no call sees its user's latest call: the one just
# made from yet another session, with this run's nonce.
setsid -w bash -c "echo '{\"who\":\"latest\",\"nonce\":$nonce}' > $E/call"
setsid -w bash -c "cat $E/result > $TMP/sess.none"
json_is $TMP/sess.none "{\"who\": \"latest\", \"nonce\": $nonce}"
# ...while this session still sees its own latest, not the user's.
cat $E/result > $TMP/sess.mine
json_is $TMP/sess.mine '{"who": "me"}'
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
cat jobs/$n/result > $TMP/job.out &
rdr=$!
wait_until fuse_reading $rdr
assert_eq new "$(cat jobs/$n/status)" "job not started while its reader waits"
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

# poll(): a result descriptor becomes readable when the call ends (a
# call that lasts seconds, polled right after it started, in one
# process).
python3 - "$S" <<'PY' || fail "poll"
import os, select, sys
S = sys.argv[1]
fd = os.open(S + "/call", os.O_WRONLY)
os.write(fd, b'{"seconds": 1.5}')
os.close(fd)
fd = os.open(S + "/result", os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
first = p.poll(0)
assert not first, ("readable too early", first)
ev = p.poll(30000)
assert ev and ev[0][1] & select.POLLIN, ev
out = os.read(fd, 4096)
assert out == b"slept 1.5 s\n", out
os.close(fd)
PY

# Interrupts.  interrupt.py MODE FILE ARGS starts a call with ARGS,
# reads its outcome with read(2) itself (Python would retry an EINTR),
# and has another thread send SIGINT to the reading thread once it is
# blocked in that read (seen in /proc); prints what the read returned.
# MODE tx: a transaction on FILE (call, opened read-write); MODE shell:
# FILE is the tool's directory, the call is made shell style and
# result is read.
cat > "$TMP/interrupt.py" <<'PY'
import ctypes, errno, os, platform, signal, sys, threading, time
mode, path, args = sys.argv[1], sys.argv[2], sys.argv[3].encode()
libc = ctypes.CDLL(None, use_errno=True)
READ_NR = {"x86_64": 0, "aarch64": 63, "riscv64": 63}.get(platform.machine())
signal.signal(signal.SIGINT, lambda *a: None)   # Ctrl-C, caught
if mode == "tx":
    fd = os.open(path, os.O_RDWR)
    os.write(fd, args)
else:
    w = os.open(path + "/call", os.O_WRONLY)
    os.write(w, args)
    os.close(w)
    fd = os.open(path + "/result", os.O_RDONLY)
reader = threading.get_native_id()

def blocked_in_read():
    task = "/proc/self/task/%d/" % reader
    try:
        wchan = open(task + "wchan").read().strip()
        sc = open(task + "syscall").read().split()
    except OSError:
        return False
    return (wchan == "request_wait_answer" and len(sc) > 1 and
            sc[1] == hex(fd) and (READ_NR is None or sc[0] == str(READ_NR)))

def interrupt():
    deadline = time.monotonic() + 30
    while not blocked_in_read():
        if time.monotonic() > deadline:
            print("the read never blocked", flush=True)
            os._exit(3)
        time.sleep(0.01)
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

threading.Thread(target=interrupt, daemon=True).start()
buf = ctypes.create_string_buffer(4096)
n = libc.read(fd, buf, len(buf))
if n < 0:
    print(errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()))
else:
    print("read %r" % buf.raw[:n])
if mode == "shell":
    # The call went on: status says so, and result waits for its end.
    st = open(path + "/status").read()
    print("status " + st.strip())
    out = os.read(fd, 4096)
    print("then %r" % out)
os.close(fd)
PY
# Ctrl-C on a blocked transaction read cancels its call: the read says
# ECANCELED (not EINTR, the call did not go on), the job is cancelled.
args="{\"seconds\": 9.$nonce}"
out=$(python3 "$TMP/interrupt.py" tx "$S/call" "$args") || fail "interrupt.py tx: $out"
assert_eq ECANCELED "$out" "Ctrl-C on a transaction read"
job=""
for d in jobs/*; do
	[ "$(cat "$d/args")" = "$args" ] && job=$d
done
[ -n "$job" ] || fail "no job has the transaction's arguments $args"
assert_eq cancelled "$(cat "$job/status")" "status of the interrupted transaction"
assert_eq ECANCELED "$(read_errno "$job/result")" "result of the interrupted transaction"
assert_contains "$(cat .ctl/log)" "job ${job#jobs/} builtin:sleep cancelled" "log shows cancel"
# Ctrl-C on a result reader only stops its wait: EINTR, the call goes on.
out=$(python3 "$TMP/interrupt.py" shell "$S" '{"seconds": 2.5}') || fail "interrupt.py shell: $out"
assert_eq "EINTR
status running
then b'slept 2.5 s\n'" "$out" "Ctrl-C on a result reader"
assert_eq ok "$(cat $S/status)" "call survives an interrupted reader"

cd /
unmount_fs
echo ok
