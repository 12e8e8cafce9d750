#!/bin/bash
# server-everything in its Streamable HTTP mode, configured by "url":
# sessions, JSON and SSE replies, progress, and DELETE at the end.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
srv=$!
at_exit "kill $srv"
wait_until grep -q "listening" "$TMP/server.log"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$port/mcp",
                        "headers": {"X-Test-Header": "toolexecfs"}}}}
JSON
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }
list=$(tx list) || fail "list"
assert_contains "$list" "web:echo"$'\t' "http tools listed"
assert_eq "Echo: over http" "$(tx call web:echo '{"message":"over http"}')" "http echo"
out=$(tx call --json web:trigger-long-running-operation '{"duration":0.6,"steps":3}') || fail "long-running over http"
assert_contains "$out" "Long running operation completed" "long-running result"
assert_contains "$(tx status)" "mcp web: ready (http, session " "session in status"
# Every session we opened was closed again with DELETE (four commands
# above; the server may log the last one after toolexec has exited).
closed() { [ "$(grep -c "Received session termination request" "$TMP/server.log")" -ge "$1" ]; }
(wait_until closed 4) || fail "expected DELETE per session, log: $(cat "$TMP/server.log")"
opened=$(grep -c "Session initialized\|session initialized" "$TMP/server.log" || true)
closed=$(grep -c "Received session termination request" "$TMP/server.log" || true)
echo "ok (sessions opened $opened, closed $closed)"
