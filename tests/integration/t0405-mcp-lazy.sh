#!/bin/bash
# "lazy": true - the server runs at mount time only to list its tools,
# then stops; it starts again at its first call.  Removing the server
# from the configuration removes its tools and ends its process.  Calls
# run concurrently on one connection, unless max_concurrency says not.
. "$(dirname "$0")/lib.sh"
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no FUSE on this machine"
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg" "$TMP/mnt"
cat > "$TMP/cfg/lazy.json" <<JSON
{"mcpServers": {"lazy": {"command": "python3", "args": ["$F", "ok", "--state", "$TMP/starts"], "lazy": true}}}
JSON
cat > "$TMP/cfg/par.json" <<JSON
{"mcpServers": {"many": {"command": "python3", "args": ["$F"]},
                "one": {"command": "python3", "args": ["$F"], "max_concurrency": 1}}}
JSON
"$TOOLEXECFS" -f -c "$TMP/cfg" "$TMP/mnt" >"$TMP/daemon.log" 2>&1 &
daemon=$!
at_exit "fusermount3 -u '$TMP/mnt'; kill $daemon; wait $daemon"
for _ in $(seq 200); do
	grep -q "idle (lazy" "$TMP/mnt/.ctl/status" 2>/dev/null && break
	sleep 0.05
done
assert_contains "$(cat "$TMP/mnt/.ctl/status")" "mcp lazy: idle (lazy: starts at the next call)" "idle after listing"
[ -d "$TMP/mnt/tools/lazy/echo" ] || fail "lazy tools not listed"
assert_eq 1 "$(wc -l < "$TMP/starts")" "one start to list"
echo '{"message":"wake up"}' > "$TMP/mnt/tools/lazy/echo/call"
assert_eq "echo: wake up" "$(cat "$TMP/mnt/tools/lazy/echo/result")" "first call"
assert_eq 2 "$(wc -l < "$TMP/starts")" "started again for the call"
assert_contains "$(cat "$TMP/mnt/.ctl/status")" "mcp lazy: ready" "ready after the call"
pid=$(sed -n 's/^mcp lazy: ready (stdio, pid \([0-9]*\),.*/\1/p' "$TMP/mnt/.ctl/status")
rm "$TMP/cfg/lazy.json"
for _ in $(seq 60); do [ -d "$TMP/mnt/tools/lazy" ] || break; sleep 0.1; done
[ -d "$TMP/mnt/tools/lazy" ] && fail "tools stayed after the server was removed"
for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "server process $pid still running"
# Three 0.6 s calls at once: together on "many", one after another on "one".
par() { # NS -> elapsed ms for three concurrent sleep calls
	local ids="" start
	for _ in 1 2 3; do ids="$ids $(cat "$TMP/mnt/tools/$1/sleep/clone")"; done
	start=$(date +%s%N)
	for n in $ids; do echo '{"seconds":0.6}' > "$TMP/mnt/jobs/$n/call"; done
	for n in $ids; do
		assert_eq "slept 0.6" "$(cat "$TMP/mnt/jobs/$n/result")" "concurrent result"
	done
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}
ms=$(par many)
[ "$ms" -lt 1500 ] || fail "three calls on one connection took ${ms} ms: not concurrent"
ms=$(par one)
[ "$ms" -ge 1700 ] || fail "max_concurrency 1: three calls took only ${ms} ms"
mcp_unmount_check "$TMP/mnt" "$daemon" "$TMP/daemon.log"
echo ok
