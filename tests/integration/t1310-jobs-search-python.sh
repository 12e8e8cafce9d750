#!/bin/bash
# Python's habits on jobs and search (lib-matrix.sh says what each case
# checks): text and binary, buffered and unbuffered (os.read); a job
# started shell style and as a transaction on jobs/ID/call; three jobs
# waited for with select.poll and with select.select.  Exact answers.
. "$(dirname "$0")/lib.sh"
. "$here/lib-matrix.sh"
python3 - "$MNT" "$WANT" "$Q" > "$TMP/out" 2>&1 <<'PY' || fail "python: $(cat "$TMP/out")"
import json, os, select, sys
M, W, Q = sys.argv[1:4]
def same(got, want, what):
    if got != want:
        raise SystemExit("%s: got %r, want %r" % (what, got[:300], want[:300]))
def echoed(t):
    return '{\n  "text": "%s"\n}\n' % t
def clone(tool):
    with open(M + "/tools/builtin/%s/clone" % tool) as f:
        return M + "/jobs/" + f.read().strip()
def raw(path):                     # unbuffered: os.read to end of file
    fd = os.open(path, os.O_RDONLY)
    out = b""
    while True:
        b = os.read(fd, 100)
        if not b:
            break
        out += b
    os.close(fd)
    return out

# jobs: shell style, read back text, binary and unbuffered
for how in ("text", "binary", "unbuffered"):
    t = "héllo ✓ python " + how
    J = clone("echo")
    with open(J + "/call", "w", encoding="utf-8") as f:
        json.dump({"text": t}, f, ensure_ascii=False)
    if how == "text":
        with open(J + "/result", encoding="utf-8") as f:
            same(f.read(), echoed(t), "jobs text")
    elif how == "binary":
        with open(J + "/result", "rb") as f:
            same(f.read(), echoed(t).encode(), "jobs binary")
    else:
        same(raw(J + "/result"), echoed(t).encode(), "jobs unbuffered")
# jobs/ID/call as a transaction (buffered binary, seek(0))
J = clone("echo")
t = "héllo ✓ python transaction"
with open(J + "/call", "r+b") as f:
    f.write(json.dumps({"text": t}, ensure_ascii=False).encode())
    f.flush()
    f.seek(0)
    same(f.read(), echoed(t).encode(), "jobs/ID/call r+b")
# three jobs at once, waited for with poll, then with select
for waiter in ("poll", "select"):
    fds = {}
    for s in ("0.3", "0.1", "0.2"):
        J = clone("sleep")
        with open(J + "/call", "w") as f:
            f.write('{"seconds": %s}' % s)
        fds[os.open(J + "/result", os.O_RDONLY)] = s
    got = {}
    if waiter == "poll":
        p = select.poll()
        for fd in fds:
            p.register(fd, select.POLLIN)
        while len(got) < 3:
            ready = p.poll(30000)
            if not ready:
                raise SystemExit("poll: no job ended in 30 s")
            for fd, ev in ready:
                got[fd] = os.read(fd, 4096)
                p.unregister(fd)
    else:
        left = list(fds)
        while left:
            r, _, _ = select.select(left, [], [], 30)
            if not r:
                raise SystemExit("select: no job ended in 30 s")
            for fd in r:
                got[fd] = os.read(fd, 4096)
                left.remove(fd)
    for fd, s in fds.items():
        same(got[fd], ("slept %s s\n" % s).encode(), waiter)
        os.close(fd)

# search: the files, text, binary and unbuffered
want_txt = open(W + "/results", "rb").read()
want_json = open(W + "/results.json", "rb").read()
S = M + "/search/" + Q
with open(S + "/results", encoding="utf-8") as f:
    same(f.read(), want_txt.decode(), "results text")
with open(S + "/results.json", encoding="utf-8") as f:
    same(f.read(), want_json.decode(), "results.json text")
with open(S + "/results.json", "rb") as f:
    same(f.read(), want_json, "results.json binary")
same(raw(S + "/results"), want_txt, "results unbuffered")
with open(S + "/results.json") as f:
    same(json.load(f)["hits"][0]["id"], "builtin:echo", "results.json parsed")
same(sorted(os.listdir(S))[0], "01-builtin:echo", "ls search/QUERY")
# search/query as a transaction: text r+ with seek(0), unbuffered binary
with open(M + "/search/query", "r+", encoding="utf-8") as f:
    f.write(Q)
    f.flush()
    f.seek(0)
    same(f.read(), want_txt.decode(), "search/query r+")
with open(M + "/search/query", "r+b", buffering=0) as f:
    f.write(Q.encode())
    same(f.read(), want_txt, "search/query unbuffered")
print("python jobs and search ok")
PY
assert_eq "python jobs and search ok" "$(cat "$TMP/out")"
unmount_fs
