#!/bin/bash
# Two writers on one cloned job, one with valid arguments and one with
# arguments the schema refuses, race to start it.  Exactly one wins: if
# the valid start wins, the job runs to its own outcome and the refused
# write fails with EALREADY; if the refusal wins, the job ends as
# invalid_arguments and the valid writer gets EALREADY.  A refusal never
# ends a running call.
. "$(dirname "$0")/lib.sh"
mount_default
cat > "$TMP/race.py" <<'PY'
import errno, os, sys, threading
mnt = sys.argv[1]
tool = os.path.join(mnt, "tools/builtin/sleep")
good_wins = bad_wins = 0
for i in range(int(sys.argv[2])):
    with open(tool + "/clone") as f:
        jid = f.read().strip()
    jdir = os.path.join(mnt, "jobs", jid)
    fa = os.open(jdir + "/call", os.O_WRONLY)
    fb = os.open(jdir + "/call", os.O_WRONLY)
    go = threading.Barrier(2)
    res = {}
    os.write(fa, b'{"seconds": 0.05}')    # complete; starts at close
    def good():
        go.wait()
        try:
            os.close(fa)          # the start: FLUSH
            res["good"] = "OK"
        except OSError as e:
            res["good"] = errno.errorcode[e.errno]
            try: os.close(fa)
            except OSError: pass
    def bad():
        go.wait()
        try:
            os.write(fb, b'{"pad": "' + b"x" * 60000 + b'", "seconds": "soon"}')
            res["bad"] = "OK"
        except OSError as e:
            res["bad"] = errno.errorcode[e.errno]
        os.close(fb)
    ts = [threading.Thread(target=good), threading.Thread(target=bad)]
    for t in ts: t.start()
    for t in ts: t.join()
    with open(jdir + "/result", "rb") as f:   # blocks until final
        out = f.read() if res["good"] == "OK" else b""
    status = open(jdir + "/status").read().strip()
    error = open(jdir + "/error").read()
    if res["good"] == "OK":
        good_wins += 1
        ok = res["bad"] == "EALREADY" and status == "ok" and out.startswith(b"slept")
    else:
        bad_wins += 1
        ok = (res["good"] == "EALREADY" and res["bad"] == "EINVAL"
              and status == "error" and "invalid_arguments" in error)
    if not ok:
        print("job %s: good=%s bad=%s status=%s error=%r" % (
            jid, res["good"], res["bad"], status, error))
        sys.exit(1)
print("valid start won %d, refusal won %d" % (good_wins, bad_wins))
PY
python3 "$TMP/race.py" "$MNT" 150 || fail "a start race ended wrongly"
unmount_fs
echo ok
