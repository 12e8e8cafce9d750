#!/bin/bash
# An idle HTTP session is pinged every ping_interval_ms: a server killed
# behind it is found by the ping (.ctl/status says down, with why)
# before any call, and the next call starts a new session.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
srv=""
start_server() {
	: > "$TMP/server.log"
	PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
	srv=$!
	wait_until grep -q "listening" "$TMP/server.log"
}
start_server
at_exit 'kill $srv'
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$port/mcp", "ping_interval_ms": 1000}}}
JSON
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
wait_until grep -q "mcp web: ready" "$MNT/.ctl/status"
kill "$srv"; wait "$srv" 2>/dev/null
wait_until grep -q "mcp web: down" "$MNT/.ctl/status"
assert_contains "$(cat "$MNT/.ctl/status")" "ping failed: HTTP request to http://127.0.0.1:$port/mcp failed" "status"
start_server
echo '{"message":"back"}' > "$MNT/tools/web/echo/call"
assert_eq "Echo: back" "$(cat "$MNT/tools/web/echo/result")" "a call after the ping found the server gone"
unmount_fs
echo ok
