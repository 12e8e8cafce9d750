#!/bin/bash
# toolexec starts only the MCP server of the tool it calls (none for a
# built-in), and every server for list and search.
. "$(dirname "$0")/lib.sh"
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/s.json" <<JSON
{"mcpServers": {
  "one": {"command": "$PYTHON", "args": ["$F", "ok", "--state", "$TMP/one-starts"]},
  "two": {"command": "$PYTHON", "args": ["$F", "ok", "--state", "$TMP/two-starts"]}}}
JSON
out=$("$TOOLEXEC" -c "$TMP/cfg" call builtin:echo '{"message":"hi"}') ||
	fail "call builtin:echo failed"
assert_contains "$out" "hi" "builtin:echo"
[ -e "$TMP/one-starts" ] && fail "calling a built-in started server one"
[ -e "$TMP/two-starts" ] && fail "calling a built-in started server two"

out=$("$TOOLEXEC" -c "$TMP/cfg" doc builtin:echo) || fail "doc builtin:echo failed"
[ -e "$TMP/one-starts" ] && fail "a built-in's doc started server one"

out=$("$TOOLEXEC" -c "$TMP/cfg" call --json one:echo '{"message":"hi"}') ||
	fail "call one:echo failed"
assert_contains "$out" "echo: hi" "one:echo"
assert_eq 1 "$(wc -l < "$TMP/one-starts")" "server one started once"
[ -e "$TMP/two-starts" ] && fail "calling one:echo started server two"

rm -f "$TMP/one-starts"
out=$("$TOOLEXEC" -c "$TMP/cfg" list) || fail "list failed"
assert_contains "$out" "one:echo" "list shows one"
assert_contains "$out" "two:echo" "list shows two"
assert_eq 2 "$(cat "$TMP/one-starts" "$TMP/two-starts" | wc -l)" "list started both"
rm -f "$TMP/one-starts" "$TMP/two-starts"
"$TOOLEXEC" -c "$TMP/cfg" search echo >/dev/null || fail "search failed"
assert_eq 2 "$(cat "$TMP/one-starts" "$TMP/two-starts" | wc -l)" "search started both"
echo ok
