#!/bin/bash
# -o audit_log=PATH: one JSON line per finished call.  32 processes x 200
# calls (transactions, clone jobs, shell style, as t1040) through the
# mount; the log then has exactly one line per call: the multiset of
# argument digests in the log equals the one the callers computed, and
# every line names its caller's uid, pid and session.  Then the size cap
# rotates the file to PATH.1 without losing the line at the boundary.
. "$(dirname "$0")/lib.sh"
"$TOOLEXECFS" --help | grep -q 'audit_log=PATH' || fail "--help does not list audit_log"
log=$TMP/audit.log
mount_default -o "audit_log=$log,audit_log_max=100000000"
PROCS=${PROCS:-32}
CALLS=${CALLS:-200}
mkdir -p "$TMP/calls"
cat > "$TMP/client.py" <<'PY'
import json, os, random, sys

mnt, procs, calls, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
tool = os.path.join(mnt, "tools/builtin/echo")
modes = ("tx", "job", "shell")

def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return "fnv1a64:%016x" % h

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
        jid = f.read().decode().strip()
    jdir = os.path.join(mnt, "jobs", jid)
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
    os.close(fd)
    fd = os.open(tool + "/result", os.O_RDONLY)
    try:
        return read_all(fd)
    finally:
        os.close(fd)

def worker(w):
    mode = modes[w % 3]
    if mode == "shell":
        os.setsid()
    fn = {"tx": call_tx, "job": call_job, "shell": call_shell}[mode]
    rnd = random.Random(w)
    bad = 0
    with open(os.path.join(out, str(w)), "w") as rec:
        for i in range(calls):
            mine = {"worker": w, "call": i, "nonce": rnd.getrandbits(64)}
            args = json.dumps(mine).encode()
            try:
                if json.loads(fn(args)) != mine:
                    bad += 1
            except Exception as e:
                bad += 1
                sys.stderr.write("w%d c%d (%s): %s\n" % (w, i, mode, e))
            rec.write("%s %d %d %s\n" % (fnv1a64(args), os.getpid(),
                                         os.getsid(0), mode))
    os._exit(1 if bad else 0)

pids = []
for w in range(procs):
    pid = os.fork()
    if pid == 0:
        worker(w)
    pids.append(pid)
sys.exit(1 if sum(1 for p in pids if os.waitpid(p, 0)[1]) else 0)
PY
python3 "$TMP/client.py" "$MNT" "$PROCS" "$CALLS" "$TMP/calls" 2> "$TMP/client.err" ||
	{ head -n 20 "$TMP/client.err"; fail "calls failed"; }
# Lines are written before a result can be read: no waiting needed.
cat > "$TMP/check.py" <<'PY'
import collections, glob, json, sys
log, calls, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = collections.Counter()
who = {}
for f in glob.glob(calls + "/*"):
    for line in open(f):
        digest, pid, sid, mode = line.split()
        want[digest] += 1
        who[digest] = (int(pid), int(sid))
got = collections.Counter()
jobs = set()
for line in open(log):
    o = json.loads(line)
    for k in ("time", "job", "uid", "pid", "session", "tool",
              "arguments_digest", "outcome", "code", "errno", "duration_ms"):
        if k not in o:
            sys.exit("line without %s: %s" % (k, line))
    if o["job"] in jobs:
        sys.exit("job %s twice" % o["job"])
    jobs.add(o["job"])
    if o["tool"] != "builtin:echo" or o["outcome"] != "ok" or o["errno"] is not None:
        sys.exit("unexpected line: " + line)
    if o["uid"] != uid:
        sys.exit("wrong uid: " + line)
    d = o["arguments_digest"]
    got[d] += 1
    if d in who and (o["pid"], o["session"]) != who[d]:
        sys.exit("wrong caller %r for %s: %s" % (who[d], d, line))
if got != want:
    sys.exit("log and calls differ: %d lines for %d calls; missing %d, extra %d" % (
        sum(got.values()), sum(want.values()),
        sum((want - got).values()), sum((got - want).values())))
print("%d calls, %d lines" % (sum(want.values()), sum(got.values())))
PY
python3 "$TMP/check.py" "$log" "$TMP/calls" "$(id -u)" || fail "the audit log does not match the calls"
assert_eq "$((PROCS * CALLS))" "$(wc -l < "$log")" "lines in the audit log"
assert_contains "$(cat "$MNT/.ctl/status")" "audit_lines $((PROCS * CALLS))" "status counts the lines"
unmount_fs

# Rotation: a small cap renames the file to PATH.1 when the next line
# would not fit; the last line of PATH.1 and the first of PATH are
# consecutive jobs.
rm -f "$log"
mount_default -o "audit_log=$log,audit_log_max=4096"
for i in $(seq 1 40); do
	echo "{\"i\": $i}" > "$MNT/tools/builtin/echo/call" || fail "call $i"
done
unmount_fs
[ "$(stat -c %s "$log")" -le 4096 ] || fail "PATH is over the cap"
[ "$(stat -c %s "$log.1")" -le 4096 ] || fail "PATH.1 is over the cap"
last=$(tail -n 1 "$log.1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])')
first=$(head -n 1 "$log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])')
assert_eq $((last + 1)) "$first" "consecutive jobs across the rotation"
assert_eq 40 "$(tail -n 1 "$log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"])')" "the last call"
# A path inside the mount, or one that cannot be written, stops the mount
# before it starts, with a reason.
expect_fail "$TOOLEXECFS" -o "audit_log=/nonexistent-dir/a.log" "$TMP/mnt" 2> "$TMP/err"
assert_contains "$(cat "$TMP/err")" "audit_log /nonexistent-dir/a.log" "unwritable path"
expect_fail "$TOOLEXECFS" -o "audit_log=$TMP/mnt/a.log" "$TMP/mnt" 2> "$TMP/err"
assert_contains "$(cat "$TMP/err")" "inside the mount" "path inside the mount"
echo ok
