#!/bin/bash
# `toolexec call` has no mount where a person could answer: a server
# whose "elicitation" is "ask" gets a decline at once (the call goes
# on and ends with the server's answer to it), and the log says so.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
                       "elicitation": "ask"}}}
JSON
out=$("$TOOLEXEC" -v -c "$TMP/cfg" call ev:trigger-elicitation-request '{}' 2>"$TMP/err") ||
	fail "call failed: $(cat "$TMP/err")"
assert_contains "$out" "User declined to provide the requested information." "declined"
assert_contains "$(cat "$TMP/err")" 'asks "Please provide inputs for the following fields:": declined, nobody can answer here' "the log"
echo ok
