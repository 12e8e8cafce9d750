#!/bin/bash
# elicitation/create requests a server should not send
# (tests/mcp/elicit_server.py), through `toolexec call`: with
# "elicitation": "ask", a question no call of ours waits for is
# declined; params without a "message", with an unknown mode, or URL
# mode without a "url" are refused with -32602 and the reason; a server
# that was not offered elicitation gets -32601.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/el.json" <<JSON
{"mcpServers": {
  "el": {"command": "$PYTHON", "args": ["$top/tests/mcp/elicit_server.py"], "elicitation": "ask"},
  "eln": {"command": "$PYTHON", "args": ["$top/tests/mcp/elicit_server.py"]}
}}
JSON
call() {
	"$TOOLEXEC" -c "$TMP/cfg" call "$1" "$2" 2>>"$TMP/err" ||
		fail "call $1 failed: $(cat "$TMP/err")"
}

out=$("$TOOLEXEC" -v -c "$TMP/cfg" call el:early '{}' 2>"$TMP/early.err") ||
	fail "call el:early failed: $(cat "$TMP/early.err")"
assert_eq '{"result": {"action": "decline"}}' "$out" "no call waits"
assert_contains "$(cat "$TMP/early.err")" "mcp el: elicitation declined: no call of ours is waiting for it" "the log"
assert_eq '{"error": {"code": -32602, "message": "Invalid params: no \"message\""}}' \
	"$(call el:ask '{"params": {"requestedSchema": {"type": "object"}}}')" "no message"
assert_eq '{"error": {"code": -32602, "message": "Invalid params: unknown mode \"voice\""}}' \
	"$(call el:ask '{"params": {"message": "m", "mode": "voice"}}')" "unknown mode"
assert_eq '{"error": {"code": -32602, "message": "Invalid params: URL mode without a \"url\""}}' \
	"$(call el:ask '{"params": {"message": "m", "mode": "url"}}')" "URL mode without url"
assert_eq '{"error": {"code": -32602, "message": "Invalid params: no \"requestedSchema\" object"}}' \
	"$(call el:ask '{"params": {"message": "m", "requestedSchema": [1]}}')" "schema not an object"
# A well-formed question, and nobody here to answer it: declined.
assert_eq '{"result": {"action": "decline"}}' \
	"$(call el:ask '{"params": {"message": "Name?", "requestedSchema": {"type": "object"}}}')" "nobody to ask"
# Not offered elicitation: the method is not found.
assert_eq '{"error": {"code": -32601, "message": "Method not found: elicitation/create"}}' \
	"$(call eln:ask '{"params": {"message": "Name?", "requestedSchema": {"type": "object"}}}')" "not offered"
echo ok
