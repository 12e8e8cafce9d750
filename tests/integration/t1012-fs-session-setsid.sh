#!/bin/bash
# A process that calls setsid() is in its new session at once: a call it
# makes after that is the new session's, not the old one's (the session
# is asked of the kernel at each request, never remembered per pid).
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd"
"$PYTHON" - > "$TMP/new" <<'PY' || fail "the script failed"
import os, sys
E = "tools/builtin/echo"
def call(who):
    with open(E + "/call", "w") as f:
        f.write('{"who": "%s"}' % who)
# setsid() needs a process that leads no process group.
if os.getpgrp() == os.getpid() and os.fork():
    _, st = os.wait()
    sys.exit(os.waitstatus_to_exitcode(st))
call("before")
os.setsid()
call("after")
with open(E + "/result") as f:
    sys.stdout.write(f.read())
PY
assert_contains "$(cat "$TMP/new")" '"who": "after"' "the new session's own call"
got=$(cat tools/builtin/echo/result)
assert_contains "$got" '"who": "before"' "the old session's latest call"
cd /
unmount_fs
echo ok
