#!/bin/bash
# Misbehaving MCP servers (tests/mcp/fake_server.py): each fault stays
# with its own server, gives a clear error, and never hides the others.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is missing"
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg"
srv() { # NAME MODE [STARTUP_TIMEOUT_MS]
	printf '"%s": {"command": "python3", "args": ["%s", "%s"], "timeout_ms": 5000, "startup_timeout_ms": %s}' \
		"$1" "$F" "$2" "${3:-15000}"
}
{
	echo '{"mcpServers": {'
	srv good ok; echo ,
	srv nostart crash-start; echo ,
	srv hang hang 1500; echo ,
	srv garbage garbage; echo ,
	srv long longline; echo ,
	srv badtools badtools; echo ,
	srv old oldversion; echo ,
	srv badver badversion; echo ,
	echo '"nocmd": {"command": "/nonexistent/server"}'
	echo '}}'
} > "$TMP/cfg/servers.json"
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }

# Start-up waits for all servers in parallel; a hung one costs its
# startup timeout (1.5 s), not the sum.
start=$(date +%s%N)
list=$(tx list) || fail "list"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 8000 ] || fail "start-up took ${ms} ms"
assert_contains "$list" "good:echo" "good server listed"
assert_contains "$list" "garbage:echo" "garbage server listed"
assert_contains "$list" "old:echo" "2024-11-05 server listed"
case "$list" in *nostart:*|*hang:*|*badver:*|*nocmd:*) fail "tools of a dead server listed: $list" ;; esac

# Invalid tools are skipped, good ones kept (first of a duplicate).
assert_contains "$list" "badtools:good_one" "valid tool"
assert_contains "$list" "badtools:good_two" "valid tool after invalid ones"
n=$(printf '%s\n' "$list" | grep -c '^badtools:')
assert_eq 2 "$n" "badtools count"

status=$(tx status)
assert_contains "$status" "mcp nostart: down" "crash at start in status"
assert_contains "$status" "cannot start: missing configuration" "stderr in status"
assert_contains "$status" "mcp hang: down" "hang in status"
assert_contains "$status" "no answer within 1500 ms" "hang reason"
assert_contains "$status" "1999-01-01" "bad version named"
assert_contains "$status" "supports 2025-11-25" "supported versions named"
assert_contains "$status" "/nonexistent/server" "missing command named"

# Garbage lines, unknown ids and notifications around an answer.
assert_eq "echo: x" "$(tx call garbage:echo '{"message":"x"}')" "garbage server answer"
assert_eq "echo: y" "$(tx call old:echo '{"message":"y"}')" "old protocol answer"

# An over-long line fails that call with EIO and resets the server.
out=$("$TOOLEXEC" -c "$TMP/cfg" chain '[{"tool":"long:big","args":{}},{"tool":"long:echo","args":{"message":"after"}}]' 2>&1)
assert_contains "$out" "over 16777216 bytes" "long line reason"

echo "ok"
