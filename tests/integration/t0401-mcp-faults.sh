#!/bin/bash
# Misbehaving MCP servers (tests/mcp/fake_server.py): each fault stays
# with its own server, gives a clear error, and never hides the others.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is missing"
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg"
srv() { # NAME MODE [STARTUP_TIMEOUT_MS [MORE ARGUMENTS...]]
	local name=$1 mode=$2 startup=${3:-30000} more=""
	shift 2
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] && more=$(printf ', "%s"' "$@")
	printf '"%s": {"command": "%s", "args": ["%s", "%s"%s], "timeout_ms": 20000, "startup_timeout_ms": %s}' \
		"$name" "$PYTHON" "$F" "$mode" "$more" "$startup"
}
{
	echo '{"mcpServers": {'
	srv good ok; echo ,
	srv nostart crash-start; echo ,
	for i in 1 2 3 4; do srv hang$i hang 2500; echo ,; done
	srv garbage garbage; echo ,
	srv long longline; echo ,
	srv badtools badtools; echo ,
	srv old oldversion; echo ,
	srv badver badversion; echo ,
	echo '"nocmd": {"command": "/nonexistent/server"}'
	echo '}}'
} > "$TMP/cfg/servers.json"
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }

# Start-up waits for all servers in parallel: the four hung ones cost
# their startup timeout (2.5 s) once, not the sum (10 s, which servers
# started one after another could not beat on any machine).
start=$(date +%s%N)
list=$(tx list) || fail "list"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 10000 ] || fail "start-up took ${ms} ms: servers started one by one?"
echo "start-up with four hung servers: ${ms} ms"
assert_contains "$list" "good:echo" "good server listed"
assert_contains "$list" "garbage:echo" "garbage server listed"
assert_contains "$list" "old:echo" "2024-11-05 server listed"
case "$list" in *nostart:*|*hang?:*|*badver:*|*nocmd:*) fail "tools of a dead server listed: $list" ;; esac

# Invalid tools are skipped, good ones kept (first of a duplicate).
assert_contains "$list" "badtools:good_one" "valid tool"
assert_contains "$list" "badtools:good_two" "valid tool after invalid ones"
n=$(printf '%s\n' "$list" | grep -c '^badtools:')
assert_eq 2 "$n" "badtools count"

status=$(tx status)
# A failed start is retried with back-off: "down", then "failed" after
# three failures in a row.
down_in_status() {
	printf '%s\n' "$status" | grep -Eq "^mcp $1: (down|failed) \(" ||
		fail "$1 not down in status: $status"
}
down_in_status nostart
assert_contains "$status" "cannot start: missing configuration" "stderr in status"
for i in 1 2 3 4; do
	down_in_status "hang$i"
done
assert_contains "$status" "no answer within 2500 ms" "hang reason"
assert_contains "$status" "1999-01-01" "bad version named"
assert_contains "$status" "supports 2025-11-25" "supported versions named"
assert_contains "$status" "/nonexistent/server" "missing command named"

# Garbage lines, unknown ids and notifications around an answer.
assert_eq "echo: x" "$(tx call garbage:echo '{"message":"x"}')" "garbage server answer"
assert_eq "echo: y" "$(tx call old:echo '{"message":"y"}')" "old protocol answer"

# An over-long line fails that call and resets the server: the next
# call runs on a new server process and returns its exact result.
mkdir -p "$TMP/cfg-long"
{ echo '{"mcpServers": {'; srv long longline 30000 --state "$TMP/long.starts"; echo '}}'; } \
	> "$TMP/cfg-long/s.json"
: > "$TMP/long.starts"
"$TOOLEXEC" -c "$TMP/cfg-long" chain --json \
	'[{"tool":"long:big","args":{},"continue_on_error":true},{"tool":"long:echo","args":{"message":"after"}}]' \
	> "$TMP/long.json" || fail "chain with the long line: exit $?"
python3 - "$TMP/long.json" <<'PY' || fail "the call after the reset: $(cat "$TMP/long.json")"
import json, sys
env = json.load(open(sys.argv[1]))
big, after = env["structuredContent"]["steps"]
assert big["tool"] == "long:big" and big["status"] == "error", big
assert big["error"]["code"] == "backend_failed", big["error"]
assert big["error"]["message"] == \
    "MCP server long: server sent a message over 16777216 bytes", big["error"]
assert after["tool"] == "long:echo" and after["status"] == "ok", after
assert after["content"] == [{"type": "text", "text": "echo: after"}], after
assert env["status"] == "ok" and env["content"] == \
    [{"type": "text", "text": "echo: after\n"}], env
PY
# Two starts of the server, two processes: the reset was a restart.
assert_eq 2 "$(wc -l < "$TMP/long.starts")" "starts of the long server"
assert_eq 2 "$(sort -u "$TMP/long.starts" | wc -l)" "distinct long server processes"

echo "ok"
