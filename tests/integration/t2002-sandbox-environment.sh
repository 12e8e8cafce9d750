#!/bin/bash
# The environment is built from nothing: PATH, HOME=/work, LANG, TMPDIR,
# what the profile names and what the caller adds; the daemon's own
# variables never arrive.  The working directory is /work, the host name
# the sandbox's, stdin is empty and there is no controlling terminal.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

export TOOLEXEC_DAEMON_SECRET=hunter2
cat > "$TMP/env.py" <<'S'
import os, sys
for k in sorted(os.environ):
    print("%s=%s" % (k, os.environ[k]))
print("cwd=" + os.getcwd())
print("host=" + os.uname().nodename)
print("stdin=%r" % sys.stdin.read())
try:
    os.open("/dev/tty", os.O_RDWR)
    print("tty=yes")
except OSError:
    print("tty=no")
print("sid=%d pid=%d" % (os.getsid(0), os.getpid()))
S
echo '{"standard": {"env": {"FROM_PROFILE": "p"}}}' > "$TMP/p.json"
run_sb standard "$TMP/env.py" -C "$TMP/p.json" -e EXTRA=1 || fail "did not run"
expected="EXTRA=1
FROM_PROFILE=p
HOME=/work
LANG=C.UTF-8
PATH=/usr/local/bin:/usr/bin:/bin
TMPDIR=/tmp
cwd=/work
host=toolexec
stdin=''
tty=no
sid=2 pid=2"
assert_eq "$expected" "$(cat "$TMP/out")" "environment"
run_sb hardened "$TMP/env.py" || fail "hardened did not run"
assert_contains "$(cat "$TMP/out")" "HOME=/work"
case "$(cat "$TMP/out")" in *SECRET*) fail "the daemon's environment leaked" ;; esac
