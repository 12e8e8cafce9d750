#!/bin/bash
# "type": "sse" is the deprecated HTTP+SSE transport (2024-11-05), which
# legacy servers still speak: a GET event stream whose "endpoint" event
# names where to POST, every answer on that stream.  It used to be taken
# for Streamable HTTP.  server-everything's "sse" mode is the SDK's
# SSEServerTransport: calls and progress work; the stream's end takes
# the server down, and a call after it starts a new stream.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
srv=""
start_server() {
	: > "$TMP/server.log"
	PORT=$port node "$M/server-everything/dist/index.js" sse >"$TMP/server.log" 2>&1 &
	srv=$!
	wait_until grep -q "running on port" "$TMP/server.log"
}
start_server
at_exit 'kill $srv'
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/old.json" <<JSON
{"mcpServers": {"old": {"type": "sse", "url": "http://127.0.0.1:$port/sse", "timeout_ms": 20000}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/old
wait_until test -e "$T/echo/call"
echo '{"message":"legacy"}' > "$T/echo/call"
assert_eq "Echo: legacy" "$(cat "$T/echo/result")" "a call"
n=$(cat "$T/trigger-long-running-operation/clone")
echo '{"duration":0.6,"steps":3}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "Long running operation completed" "a long call"
assert_contains "$(cat "$MNT/jobs/$n/stream")" "progress 3/3" "its progress"
assert_contains "$(cat "$MNT/.ctl/status")" "mcp old: ready (http+sse" "status"

kill "$srv"; wait "$srv" 2>/dev/null
wait_until grep -q "mcp old: down" "$MNT/.ctl/status"
start_server
echo '{"message":"again"}' > "$T/echo/call"
assert_eq "Echo: again" "$(cat "$T/echo/result")" "a call on a new stream"
unmount_fs
echo ok
