#!/bin/bash
# Hot reload seen through the mount: a changed tool's cached doc is
# invalidated, new tools appear, removed ones vanish, and callers waiting
# on a removed tool get its outcome instead of hanging.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
tool() { # NAME DESCRIPTION COMMAND-JSON
	printf '{"namespace": "t", "name": "%s", "description": "%s", "input_schema": {"type": "object"}, "stdin": "none", "command": %s, "timeout_ms": 20000}' "$1" "$2" "$3"
}
echo "{\"tools\": [$(tool a 'Version one of a.' '["echo","a"]'), $(tool slow 'Sleeps.' '["sleep","10"]')]}" > "$cfg/t.json"
mount_config "$cfg"
cd "$MNT" || fail cd
# Cache the static files in the kernel first.
assert_contains "$(cat tools/t/a/doc)" "Version one" "doc v1"
assert_contains "$(cat tools/t/INDEX)" "Version one" "INDEX v1"
size1=$(stat -c %s tools/t/a/doc)

# Callers waiting on t:slow: a transaction, a shell-style reader, a job.
# The tool goes away only once both readers are blocked in their read.
( python3 -c "
import errno, os
fd = os.open('tools/t/slow/call', os.O_RDWR); os.write(fd, b'{}')
try: os.read(fd, 4096); print('OK')
except OSError as e: print(errno.errorcode[e.errno])" > $TMP/tx.out ) &
txpid=$!
echo '{}' > tools/t/slow/call
( read_errno tools/t/slow/result > $TMP/shell.out ) &
shpid=$!
n=$(cat tools/t/slow/clone)
echo '{}' > jobs/$n/call
assert_eq running "$(cat jobs/$n/status)" "job before the reload"
wait_until fuse_reading $txpid
wait_until fuse_reading $shpid

# Change a, remove slow, add b (through the watcher, no reload call).
echo "{\"tools\": [$(tool a 'Version two of a, now longer.' '["echo","a2"]'), $(tool b 'The new one.' '["echo","b"]')]}" > "$cfg/t.json.tmp"
mv "$cfg/t.json.tmp" "$cfg/t.json"
wait_until test -d tools/t/b
wait_until grep -q "Version two" tools/t/a/doc
[ "$(stat -c %s tools/t/a/doc)" -ne "$size1" ] || fail "doc size not invalidated"
assert_contains "$(cat tools/t/INDEX)" "Version two" "INDEX v2"
assert_contains "$(cat tools/INDEX)" "t:b" "tools/INDEX has b"
wait_until test ! -e tools/t/slow
assert_eq ENOENT "$(read_errno tools/t/slow/doc)" "vanished tool doc"
ls tools/t | grep -qx slow && fail "slow still listed"
# The waiting callers got an answer (the engine fails their jobs).
for p in $txpid $shpid; do
	wait_until gone $p
done
assert_eq ENOENT "$(cat $TMP/tx.out)" "transaction on a removed tool"
assert_eq ENOENT "$(cat $TMP/shell.out)" "shell reader on a removed tool"
assert_eq error "$(cat jobs/$n/status)" "job of a removed tool"
assert_contains "$(cat jobs/$n/error)" "removed" "job error says why"
# New and changed tools work.
echo '{}' > tools/t/b/call
assert_eq b "$(cat tools/t/b/result)" "new tool"
echo '{}' > tools/t/a/call
assert_eq a2 "$(cat tools/t/a/result)" "changed tool"
# A whole namespace going away, through .ctl/reload.
echo '{"tools": []}' > "$cfg/t.json"
echo > .ctl/reload
wait_until test ! -e tools/t
assert_eq ENOENT "$(read_errno tools/t/INDEX)" "namespace INDEX gone"
ls 'search/new one' | grep -q 't:b' && fail "search still finds a removed tool"
# A bad file keeps the last good plan and says so.
echo "{\"tools\": [$(tool c 'Comes back.' '["echo","c"]')]}" > "$cfg/t.json"
wait_until test -d tools/t/c
echo '{ broken' > "$cfg/t.json"
wait_until grep -q "t.json: .*keeping the last good version" .ctl/log
[ -d tools/t/c ] || fail "a bad config file removed the last good tools"

cd /
unmount_fs
echo ok
