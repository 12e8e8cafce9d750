#!/bin/bash
# Many callers at once: 32 processes x 200 calls with arguments unique to
# each, mixing transactions, clone jobs and shell style (one session per
# process).  Every caller must read back exactly its own result: zero
# mix-ups, zero lost calls.
. "$(dirname "$0")/lib.sh"
# Every call of the run is kept: at the default job_keep_max (1000) a
# shell-style caller that the scheduler holds back between its write and
# its read can find its finished call already collected (ENODATA, as
# documented), since the other callers finish 1000 calls in well under a
# second.  This test is about mix-ups, not retention.
mount_default -o job_keep_max=20000
PROCS=${PROCS:-32}
CALLS=${CALLS:-200}
cat > "$TMP/client.py" <<'PY'
import json, os, random, sys

mnt, procs, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tool = os.path.join(mnt, "tools/builtin/echo")
modes = ("tx", "job", "shell")

def read_all(fd):
    out = b""
    while True:
        b = os.read(fd, 65536)
        if not b:
            return out
        out += b

def call_tx(args):
    fd = os.open(tool + "/call", os.O_RDWR)
    try:
        os.write(fd, args)
        return read_all(fd)
    finally:
        os.close(fd)

def call_job(args):
    with open(tool + "/clone", "rb") as f:
        jid = f.read().decode()
    assert jid.endswith("\n") and jid[:-1].isdigit(), jid
    jdir = os.path.join(mnt, "jobs", jid[:-1])
    fd = os.open(jdir + "/call", os.O_WRONLY)
    os.write(fd, args)
    os.close(fd)
    fd = os.open(jdir + "/result", os.O_RDONLY)
    try:
        return read_all(fd)
    finally:
        os.close(fd)

def call_shell(args):
    fd = os.open(tool + "/call", os.O_WRONLY | os.O_TRUNC)
    os.write(fd, args)
    os.close(fd)                    # the call is registered here (FLUSH)
    fd = os.open(tool + "/result", os.O_RDONLY)
    try:
        return read_all(fd)
    finally:
        os.close(fd)

def worker(w):
    mode = modes[w % 3]
    if mode == "shell":
        os.setsid()                 # shell style: one session per process
    fn = {"tx": call_tx, "job": call_job, "shell": call_shell}[mode]
    rnd = random.Random(w)
    bad = 0
    for i in range(calls):
        mine = {"worker": w, "call": i, "mode": mode,
                "nonce": rnd.getrandbits(64), "pad": "x" * rnd.randrange(200)}
        try:
            got = fn(json.dumps(mine).encode())
            if json.loads(got) != mine:
                bad += 1
                sys.stderr.write("MIXUP w%d c%d: %r\n" % (w, i, got[:120]))
        except Exception as e:
            bad += 1
            sys.stderr.write("LOST w%d c%d (%s): %s\n" % (w, i, mode, e))
    os._exit(1 if bad else 0)

pids = []
for w in range(procs):
    pid = os.fork()
    if pid == 0:
        worker(w)
    pids.append(pid)
failed = 0
for pid in pids:
    _, status = os.waitpid(pid, 0)
    if status:
        failed += 1
print("workers failed: %d of %d; calls: %d" % (failed, procs, procs * calls))
sys.exit(1 if failed else 0)
PY
start=$(date +%s)
python3 "$TMP/client.py" "$MNT" "$PROCS" "$CALLS" 2> "$TMP/client.err"
rc=$?
secs=$(( $(date +%s) - start ))
head -n 20 "$TMP/client.err"
[ "$rc" -eq 0 ] || fail "mix-ups or lost calls (see above)"
[ -s "$TMP/client.err" ] && fail "client reported errors"
echo "$((PROCS * CALLS)) calls in ${secs}s"
# Interrupt races: transactions and result readers interrupted at random
# moments around the end of their calls (the listener, the INTERRUPT and
# the reply race each other); every read ends with the result or with
# ECANCELED/EINTR, and the daemon stays healthy.
cat > "$TMP/intr.py" <<'PY'
import errno, os, random, signal, sys
mnt = sys.argv[1]
S = os.path.join(mnt, "tools/builtin/sleep")
signal.signal(signal.SIGALRM, lambda *a: None)
def worker(w):
    rnd = random.Random(w)
    os.setsid()
    for i in range(40):
        secs = rnd.choice((0, 0.01, 0.02, 0.05))
        args = ('{"seconds": %s}' % secs).encode()
        try:
            if i % 2:
                fd = os.open(S + "/call", os.O_RDWR)
                os.write(fd, args)
            else:
                wfd = os.open(S + "/call", os.O_WRONLY); os.write(wfd, args); os.close(wfd)
                fd = os.open(S + "/result", os.O_RDONLY)
            signal.setitimer(signal.ITIMER_REAL, rnd.uniform(0.001, 0.06))
            try:
                out = os.read(fd, 4096)
                assert out.startswith(b"slept"), out
            except OSError as e:
                assert e.errno in (errno.ECANCELED, errno.EINTR), e
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                os.close(fd)
        except Exception as e:
            sys.stderr.write("w%d i%d: %r\n" % (w, i, e))
            os._exit(1)
    os._exit(0)
pids = []
for w in range(8):
    pid = os.fork()
    if pid == 0:
        worker(w)
    pids.append(pid)
bad = sum(1 for p in pids if os.waitpid(p, 0)[1])
sys.exit(1 if bad else 0)
PY
python3 "$TMP/intr.py" "$MNT" || fail "interrupt races"
# The daemon is still healthy and counted every call.
echo '{"after":1}' > "$MNT/tools/builtin/echo/call"
assert_contains "$(cat "$MNT/tools/builtin/echo/result")" '"after": 1' "call after the storm"
unmount_fs
echo ok
