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
{"mcpServers": {"lazy": {"command": "$PYTHON", "args": ["$F", "ok", "--state", "$TMP/starts"], "lazy": true}}}
JSON
cat > "$TMP/cfg/par.json" <<JSON
{"mcpServers": {"many": {"command": "$PYTHON", "args": ["$F", "ok", "--log", "$TMP/many.log"]},
                "one": {"command": "$PYTHON", "args": ["$F", "ok", "--log", "$TMP/one.log"],
                        "max_concurrency": 1}}}
JSON
"$TOOLEXECFS" -f -c "$TMP/cfg" "$TMP/mnt" >"$TMP/daemon.log" 2>&1 &
daemon=$!
at_exit "fusermount3 -u '$TMP/mnt'; kill $daemon; wait $daemon"
wait_until -t 60 grep -q "idle (lazy" "$TMP/mnt/.ctl/status"
wait_until -t 60 test -d "$TMP/mnt/tools/many/sleep"
wait_until -t 60 test -d "$TMP/mnt/tools/one/sleep"
assert_contains "$(cat "$TMP/mnt/.ctl/status")" "mcp lazy: idle (lazy: starts at the next call)" "idle after listing"
[ -d "$TMP/mnt/tools/lazy/echo" ] || fail "lazy tools not listed"
assert_eq 1 "$(wc -l < "$TMP/starts")" "one start to list"
echo '{"message":"wake up"}' > "$TMP/mnt/tools/lazy/echo/call"
assert_eq "echo: wake up" "$(cat "$TMP/mnt/tools/lazy/echo/result")" "first call"
assert_eq 2 "$(wc -l < "$TMP/starts")" "started again for the call"
assert_contains "$(cat "$TMP/mnt/.ctl/status")" "mcp lazy: ready" "ready after the call"
pid=$(sed -n 's/^mcp lazy: ready (stdio, pid \([0-9]*\),.*/\1/p' "$TMP/mnt/.ctl/status")
[ -n "$pid" ] || fail "no pid for lazy in .ctl/status"
rm "$TMP/cfg/lazy.json"
(wait_until not test -d "$TMP/mnt/tools/lazy") || fail "tools stayed after the server was removed"
(wait_until gone "$pid") || fail "server process $pid still running"
# Three calls at once: on "many" all three reach the server while none
# has ended (each sleeps until cancelled); on "one" (max_concurrency 1)
# each starts only after the one before ended, as the server's log of
# "call" and "done" lines shows.
started() { [ "$(grep -c '^call sleep ' "$1" 2>/dev/null)" -ge "$2" ]; }
ids=""
for _ in 1 2 3; do ids="$ids $(cat "$TMP/mnt/tools/many/sleep/clone")"; done
for n in $ids; do echo '{"seconds":300}' > "$TMP/mnt/jobs/$n/call"; done
(wait_until started "$TMP/many.log" 3) ||
	fail "three calls on one connection did not run at once: $(cat "$TMP/many.log")"
for n in $ids; do
	assert_eq running "$(cat "$TMP/mnt/jobs/$n/status")" "call on many"
	echo > "$TMP/mnt/jobs/$n/cancel"
done
ids=""
for _ in 1 2 3; do ids="$ids $(cat "$TMP/mnt/tools/one/sleep/clone")"; done
for n in $ids; do echo '{"seconds":0.3}' > "$TMP/mnt/jobs/$n/call"; done
for n in $ids; do
	assert_eq "slept 0.3" "$(cat "$TMP/mnt/jobs/$n/result")" "result on one"
done
assert_eq "call done call done call done" \
	"$(cut -d' ' -f1 "$TMP/one.log" | tr '\n' ' ' | sed 's/ $//')" \
	"max_concurrency 1: one call at a time"
mcp_unmount_check "$TMP/mnt" "$daemon" "$TMP/daemon.log"
echo ok
