#!/bin/bash
# Reads of a resource and gets of a prompt that a server answers late
# hold no FUSE thread: with 100 of them waiting (more than the mount's
# 64 worker threads) the daemon has fewer than 100 threads, and a tool's
# doc, a builtin call and another read of the same server still answer.  An interrupted reader ends at once;
# when the server answers, every waiting reader gets the whole text.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$TMP/cfg"
LOG=$TMP/held.log
GATE=$TMP/gate
: > "$LOG"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "held": {"command": "python3", "args": ["$top/tests/mcp/held_server.py", "$LOG", "$GATE"],
           "timeout_ms": 120000}
}}
JSON
mount_config "$TMP/cfg"
R=$MNT/resources/held/held/doc
P=$MNT/prompts/held/held
wait_until -t 60 test -d "$P"
wait_until -t 60 test -f "$R/a.txt"

# logged LINE N: LOG has at least N lines starting with LINE.
logged() { [ "$(grep -c "^$1" "$LOG")" -ge "$2" ]; }
# 50 readers of the resource, 50 gets of the prompt: 100 > 64 threads.
pids=
for i in $(seq 1 50); do
	cat "$R/a.txt" > "$TMP/res.$i" 2>"$TMP/res.$i.err" &
	pids="$pids $!"
	python3 -c 'import os,sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b"{\"who\": \"w%s\"}" % sys.argv[2].encode())
sys.stdout.write(os.read(fd, 65536).decode())' "$P/get" "$i" > "$TMP/get.$i" 2>"$TMP/get.$i.err" &
	pids="$pids $!"
done
wait_until -t 120 logged 'read held://doc/a.txt' 50
wait_until -t 120 logged 'get held' 50
for f in "$TMP"/res.*[0-9] "$TMP"/get.*[0-9]; do
	[ -s "$f" ] && fail "$f answered before the server did"
done
# A waiting reader that held a thread would take 100 of them.
threads=$(ls "/proc/$FS_PID/task" | wc -l)
[ "$threads" -lt 100 ] || fail "the daemon has $threads threads while 100 readers wait"

# Meanwhile: a doc, a builtin call, a read the server answers at once.
assert_contains "$(timeout 30 cat "$MNT/tools/held/ping/doc")" "Answers pong" "doc meanwhile"
exec 3<>"$MNT/tools/builtin/echo/call"
echo '{"text":"still here"}' >&3
assert_contains "$(timeout 30 cat <&3)" "still here" "builtin call meanwhile"
exec 3>&-
assert_eq "contents of held://doc/now.txt" "$(timeout 30 cat "$R/now.txt")" "another read meanwhile"

# An interrupted reader ends without waiting for the server.
cat "$R/a.txt" > /dev/null 2>&1 &
victim=$!
wait_until -t 60 logged 'read held://doc/a.txt' 51
kill -TERM "$victim" # (a background job ignores SIGINT)
wait_until gone "$victim"
wait "$victim" 2>/dev/null

# The server answers: every reader gets the whole text.
touch "$GATE"
for p in $pids; do
	wait "$p" || fail "a reader failed: $(cat "$TMP"/*.err)"
done
for i in $(seq 1 50); do
	assert_eq "contents of held://doc/a.txt" "$(cat "$TMP/res.$i")" "reader $i"
	assert_eq "$(printf 'user:\nlate for w%s' "$i")" "$(cat "$TMP/get.$i")" "get $i"
done
# The answers reached their open files, and nothing is left open.
assert_eq "contents of held://doc/a.txt" "$(cat "$R/a.txt")" "a read after the answers"
wait_until grep -q "$(printf 'open_files\t0')" "$MNT/.ctl/stats"
unmount_fs
echo ok
