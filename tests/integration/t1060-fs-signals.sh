#!/bin/bash
# The command line, clean unmount on SIGTERM/SIGINT (children ended), a
# killed daemon's mount cleared by fusermount3 -u, and scripts/run.sh.
. "$(dirname "$0")/lib.sh"
need_fuse
assert_contains "$("$TOOLEXECFS" --help)" "usage: toolexecfs" "--help"
assert_contains "$("$TOOLEXECFS" --version)" "toolexecfs " "--version"
expect_fail "$TOOLEXECFS" 2>/dev/null
expect_fail "$TOOLEXECFS" -c "$TMP/nonexistent" "$TMP" 2>/dev/null
expect_fail "$TOOLEXECFS" -o wait_max=zero "$TMP" 2>/dev/null

cfg=$TMP/cfg
mkdir -p "$cfg"
echo '{"tools": [{"namespace": "t", "name": "long", "description": "Sleeps long.", "input_schema": {"type": "object"}, "stdin": "none", "command": ["sleep", "300"], "timeout_ms": 600000}]}' > "$cfg/t.json"
children_sleeping() { # PID: "sleep 300" processes below the daemon
	ps -o pid=,args= --ppid "$1" 2>/dev/null | grep -c 'sleep 300'
}
for sig in TERM INT; do
	mount_config "$cfg"
	echo '{}' > "$MNT/tools/t/long/call"
	n=$(cat "$MNT/tools/t/long/clone")
	echo '{}' > "$MNT/jobs/$n/call"
	two_sleeping() { [ "$(children_sleeping $FS_PID)" -ge 2 ]; }
	(wait_until two_sleeping) || fail "the calls did not start"
	kids=$(ps -o pid= --ppid "$FS_PID")
	kill -$sig "$FS_PID"
	rc=0
	wait "$FS_PID" || rc=$?
	pid=$FS_PID
	FS_PID=""
	assert_eq 0 "$rc" "exit status after SIG$sig"
	mountpoint -q "$MNT" && fail "still mounted after SIG$sig"
	for k in $kids; do
		kill -0 "$k" 2>/dev/null && fail "child $k survived SIG$sig"
	done
	fs_log_check
done

# kill -9: the mount is left dead, and fusermount3 -u clears it.
mount_default
kill -9 "$FS_PID"
wait "$FS_PID" 2>/dev/null
FS_PID=""
expect_fail ls "$MNT/tools" 2>/dev/null
fusermount3 -u "$MNT" || fail "fusermount3 -u after kill -9"
mountpoint -q "$MNT" && fail "mount left after fusermount3 -u"

# scripts/run.sh (make run): mounts, prints the tour, unmounts on a signal,
# and does not need a terminal.
rmnt=$TMP/runmnt
MNT=$rmnt BUILD=$BUILD "$top/scripts/run.sh" > "$TMP/run.out" 2>&1 &
rpid=$!
at_exit "fusermount3 -u -z '$rmnt' 2>/dev/null; kill $rpid 2>/dev/null"
wait_until grep -q "Try" "$TMP/run.out"
assert_contains "$(cat "$TMP/run.out")" "cat $rmnt/tools/INDEX" "tour"
# The three commands of the tour work as printed.
cmds=$(grep -E '^  (cat|echo|ls) ' "$TMP/run.out")
[ "$(printf '%s\n' "$cmds" | wc -l)" -eq 3 ] || fail "tour has not three commands: $cmds"
out=$(bash -c "$cmds" 2>&1) || fail "tour commands failed: $out"
assert_contains "$out" '"text": "hello"' "tour output"
assert_contains "$out" "local:word_count" "tour search"
# (A background job of a script has SIGINT ignored for good, so the test
# sends SIGTERM; at a terminal Ctrl-C takes the same path.)
kill -TERM $rpid
wait $rpid
mountpoint -q "$rmnt" && fail "run.sh left the mount"
assert_contains "$(cat "$TMP/run.out")" "unmounted" "run.sh end"
echo ok
