#!/bin/bash
# Streamable HTTP through the mount: progress over SSE into the job's
# stream, and a server restart that forgets our session (404, or 400
# from the SDK's servers): the client starts a new session and the call
# still succeeds.
. "$(dirname "$0")/lib.sh"
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no FUSE on this machine"
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
srv=""
start_server() {
	# Emptied here, not by the server's redirection: the wait below must
	# not see the line of the server before.
	: > "$TMP/server.log"
	PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
	srv=$!
	(wait_until grep -q "listening" "$TMP/server.log") ||
		fail "HTTP server did not start: $(cat "$TMP/server.log")"
}
start_server
at_exit 'kill $srv'
mkdir -p "$TMP/cfg" "$TMP/mnt"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$port/mcp", "timeout_ms": 20000}}}
JSON
"$TOOLEXECFS" -f -c "$TMP/cfg" "$TMP/mnt" >"$TMP/daemon.log" 2>&1 &
daemon=$!
at_exit "fusermount3 -u '$TMP/mnt'; kill $daemon; wait $daemon"
wait_until -t 60 test -e "$TMP/mnt/tools/web/echo/call"
T=$TMP/mnt/tools/web
echo '{"message":"one"}' > "$T/echo/call"
assert_eq "Echo: one" "$(cat "$T/echo/result")" "first call"

n=$(cat "$T/trigger-long-running-operation/clone")
echo '{"duration":0.8,"steps":4}' > "$TMP/mnt/jobs/$n/call"
stream=$(cat "$TMP/mnt/jobs/$n/stream")
assert_contains "$stream" "progress 4/4" "progress over SSE"

# The server restarts and forgets every session.
kill "$srv"; wait "$srv" 2>/dev/null
start_server
echo '{"message":"two"}' > "$T/echo/call"
got=$(cat "$T/echo/result") ||
	fail "call after the session was lost: $(cat "$T/echo/error"); the log: $(tail -n 20 "$TMP/mnt/.ctl/log")"
assert_eq "Echo: two" "$got" "call after the session was lost"
assert_contains "$(cat "$TMP/mnt/.ctl/log")" "server ended the session (HTTP 40" "404 logged"
mcp_unmount_check "$TMP/mnt" "$daemon" "$TMP/daemon.log"
echo ok
