#!/bin/bash
# Python's habits on the transaction files (call, chain/call, jobs/ID/call,
# search/query): text and binary, buffered and unbuffered, seek(0) after
# writing, pread at 0, reading on from the descriptor's offset; shell
# style and a job followed with poll().  Each case checks the exact answer.
. "$(dirname "$0")/lib.sh"
mount_default
python3 - "$MNT" <<'PY' || fail "python idioms"
import json, os, select, sys
M = sys.argv[1]
E = M + "/tools/builtin/echo"
def same(got, want, what):
    if json.loads(got) != want:
        raise SystemExit("%s: got %r, want %r" % (what, got[:200], want))
def args(case):
    return {"lang": "python", "case": case}

# open(call, "r+") text: write, flush, seek(0), read(); twice on one file.
with open(E + "/call", "r+") as f:
    for i in range(2):
        f.write(json.dumps(args("r+ text %d" % i)))
        f.flush()
        f.seek(0)
        same(f.read(), args("r+ text %d" % i), "r+ text")
# open(call, "w+")
with open(E + "/call", "w+") as f:
    f.write(json.dumps(args("w+")))
    f.flush()
    f.seek(0)
    same(f.read(), args("w+"), "w+")
# open(call, "r+b") buffered binary
with open(E + "/call", "r+b") as f:
    f.write(json.dumps(args("r+b")).encode())
    f.flush()
    f.seek(0)
    same(f.read(), args("r+b"), "r+b")
# unbuffered binary, read() from the descriptor's offset (no seek)
with open(E + "/call", "r+b", buffering=0) as f:
    f.write(json.dumps(args("r+b unbuffered")).encode())
    same(f.read(), args("r+b unbuffered"), "r+b unbuffered")
# os.pread at 0 after os.write, then on at later offsets in small pieces
fd = os.open(E + "/call", os.O_RDWR)
want = args("pread" + "x" * 5000)
os.write(fd, json.dumps(want).encode())
out = b""
while True:
    b = os.pread(fd, 700, len(out))
    if not b:
        break
    out += b
same(out, want, "pread")
# a seek back starts the answer again
os.lseek(fd, 0, os.SEEK_SET)
same(os.read(fd, 1 << 20), want, "seek back")
os.close(fd)
# chain/call and jobs/ID/call the same way
chain = {"steps": [{"tool": "builtin:echo", "args": args("chain")}]}
with open(M + "/chain/call", "r+") as f:
    f.write(json.dumps(chain))
    f.flush()
    f.seek(0)
    res = json.loads(f.read())
    if "chain" not in json.dumps(res):
        raise SystemExit("chain/call: %r" % res)
with open(E + "/clone") as f:
    jid = f.read().strip()
with open(M + "/jobs/%s/call" % jid, "r+") as f:
    f.write(json.dumps(args("job")))
    f.flush()
    f.seek(0)
    same(f.read(), args("job"), "jobs/ID/call r+")
# search/query: write, seek(0), read
with open(M + "/search/query", "r+") as f:
    f.write("echo text back")
    f.flush()
    f.seek(0)
    hits = f.read()
    if "builtin:echo" not in hits:
        raise SystemExit("search/query: %r" % hits[:300])
# shell style from Python: write and close, then read result
with open(E + "/call", "w") as f:
    json.dump(args("shell"), f)
with open(E + "/result") as f:
    same(f.read(), args("shell"), "shell style")
# a job followed with poll(): result readable once the call ends
with open(M + "/tools/builtin/sleep/clone") as f:
    jid = f.read().strip()
J = M + "/jobs/" + jid
with open(J + "/call", "w") as f:
    f.write('{"seconds": 0.2}')
fd = os.open(J + "/result", os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN)
if not p.poll(30000):
    raise SystemExit("poll on jobs/ID/result never became readable")
out = os.read(fd, 4096).decode()
os.close(fd)
if "slept" not in out:
    raise SystemExit("jobs/ID/result after poll: %r" % out)
print("python idioms ok")
PY
unmount_fs
