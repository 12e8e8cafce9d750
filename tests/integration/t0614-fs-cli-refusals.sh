#!/bin/bash
# toolexecfs refuses what it cannot mount with the reason and exit 2
# (usage) or 1: an unknown option, a number or an option list too long,
# a mount point that does not exist.  A mount point whose path has a
# space (octal-escaped in /proc/self/mountinfo) is still recognised as
# mounted already; a relative audit_log is taken from the directory
# toolexecfs was started in.
. "$(dirname "$0")/lib.sh"
need_fuse
F=$TOOLEXECFS
mkdir -p "$TMP/m"
# refused STATUS STDERR-LINE ARGS...: exit status, first stderr line.
refused() {
	local want=$1 line=$2 rc=0
	shift 2
	"$F" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	assert_eq "$want" "$rc" "exit status of $*"
	assert_eq "$line" "$(head -1 "$TMP/err")" "stderr of $*"
	assert_eq "" "$(cat "$TMP/out")" "stdout of $*"
}
refused 2 "$F: unrecognized option '--bogus'" --bogus "$TMP/m"
assert_contains "$(sed -n 2p "$TMP/err")" "usage: toolexecfs"
refused 2 "toolexecfs: bad -o wait_max=123456789012345678901" \
	-o wait_max=123456789012345678901 "$TMP/m"
long=$(printf 'x%.0s' $(seq 1 5000))
refused 2 "toolexecfs: bad -o $long" -o "$long" "$TMP/m"
refused 1 "toolexecfs: $TMP/absent: No such file or directory" "$TMP/absent"
mountpoint -q "$TMP/m" && fail "a refused mount was made"

# A path with a space, and a relative audit log.
MNT="$TMP/with space"
mkdir -p "$MNT"
(cd "$TMP" && exec "$F" -f -o audit_log=rel.log "with space") >"$TMP/fs.log" 2>&1 &
FS_PID=$!
at_exit 'fusermount3 -u "$MNT"; wait $FS_PID'
wait_until test -e "$MNT/README"
refused 1 "toolexecfs: $MNT is already a toolexecfs mount (fusermount3 -u $MNT first, or -o stack to mount another on top of it)" "$MNT"
python3 - "$MNT/tools/builtin/echo/call" <<'PY' || fail "call"
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"text": "hi"}')
out = b""
while True:
    b = os.read(fd, 65536)
    if not b:
        break
    out += b
os.close(fd)
assert b"hi" in out, out
PY
wait_until test -s "$TMP/rel.log"
assert_contains "$(cat "$TMP/rel.log")" '"tool":"builtin:echo"'
fusermount3 -u "$MNT" || fail "unmount"
wait $FS_PID || fail "toolexecfs exited with $?"
