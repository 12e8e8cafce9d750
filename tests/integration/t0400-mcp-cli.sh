#!/bin/bash
# MCP servers through the toolexec command (no mount): the pinned npm
# servers over stdio, and a fake server for errors and timeouts.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg" "$TMP/files"
echo "hello from a file" > "$TMP/files/a.txt"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
$(mcp_npm_servers "$TMP/files" "$TMP/memory.jsonl")
  "fake": {"command": "$PYTHON", "args": ["$top/tests/mcp/fake_server.py"],
           "timeout_ms": 4000}
}}
JSON
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }
# One directory per server too, so that a command starts only the server
# it talks to (every toolexec command starts every configured server).
python3 - "$TMP" <<'PY'
import json, os, sys
tmp = sys.argv[1]
servers = json.load(open(os.path.join(tmp, "cfg", "servers.json")))["mcpServers"]
for name, spec in servers.items():
    os.makedirs(os.path.join(tmp, "cfg-" + name))
    with open(os.path.join(tmp, "cfg-" + name, "s.json"), "w") as f:
        json.dump({"mcpServers": {name: spec}}, f)
PY
tx1() { # COMMAND [--json] ID ...: only the server of ID's namespace
	local a ns=""
	for a in "$@"; do
		case "$a" in *:*) ns=${a%%:*}; break ;; esac
	done
	"$TOOLEXEC" -c "$TMP/cfg-$ns" "$@"
}
list=$(tx list) || fail "list failed"
for id in everything:echo everything:get-sum files:read_text_file \
	memory:create_entities memory:read_graph fake:echo fake:sleep; do
	assert_contains "$list" "$id"$'\t' "list"
done

doc=$(tx1 doc everything:echo) || fail "doc failed"
assert_contains "$doc" "message" "doc of everything:echo"
schema=$(tx1 schema files:read_text_file) || fail "schema failed"
assert_contains "$schema" '"path"' "schema"

assert_eq "Echo: hi there" "$(tx1 call everything:echo '{"message":"hi there"}')" "echo"
assert_contains "$(tx1 call everything:get-sum '{"a":2,"b":3}')" "5" "get-sum"
assert_eq "hello from a file" "$(tx1 call files:read_text_file "{\"path\":\"$TMP/files/a.txt\"}")" "read_text_file"
tx1 call memory:create_entities \
	'{"entities":[{"name":"Ada","entityType":"person","observations":["wrote the first program"]}]}' >/dev/null ||
	fail "create_entities"
assert_contains "$(tx1 call memory:read_graph)" "wrote the first program" "memory graph"

# Structured content and images stay in the envelope.
env=$(tx1 call --json everything:get-tiny-image) || fail "tiny image"
assert_contains "$env" '"type": "image"' "image block"
assert_contains "$env" '"mimeType": "image/png"' "image mime type"

# isError: content still delivered, exit 1.
out=$(tx1 call fake:fail 2>&1); rc=$?
assert_eq 1 "$rc" "isError exit status"
assert_contains "$out" "it went wrong" "isError content"

# A JSON-RPC error.
out=$(tx1 call fake:rpc_error 2>&1); rc=$?
assert_eq 1 "$rc" "rpc error exit status"
assert_contains "$out" "the server says no" "rpc error text"

# Arguments the schema refuses never reach the server.
out=$(tx1 call everything:echo '{"message":5}' 2>&1); rc=$?
assert_eq 2 "$rc" "invalid arguments exit status"

# Timeout: the fake server's timeout_ms is 4 s, the call would take 60.
start=$(date +%s%N)
out=$(tx1 call fake:sleep '{"seconds":60}' 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 124 "$rc" "timeout exit status"
[ "$ms" -lt 30000 ] || fail "timeout took ${ms} ms"

# Ping and sampling requests from the server: pong, and method not found.
out=$(tx1 call fake:ask) || fail "ask"
assert_contains "$out" '"ping": {"id": 1000, "jsonrpc": "2.0", "result": {}}' "ping answered"
assert_contains "$out" '-32601' "sampling refused"

status=$(tx status) || fail "status"
assert_contains "$status" "mcp everything: ready" "status"
echo "ok"
