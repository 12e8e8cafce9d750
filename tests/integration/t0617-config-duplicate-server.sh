#!/bin/bash
# Two files that define an MCP server of the same name: the first file
# (in name order) defines it; the second's definition is ignored, and
# the log says which file and which server.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
echo '{"mcpServers": {"s": {"command": "/nonexistent/first"}}}' > "$cfg/a.json"
echo '{"mcpServers": {"s": {"command": "/nonexistent/second"}}}' > "$cfg/b.json"
"$TOOLEXEC" -v -c "$cfg" status >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "status"
assert_contains "$(cat "$TMP/err")" 'error b.json: MCP server "s" is already defined in another file; ignored'
assert_contains "$(grep '^mcp s:' "$TMP/out")" 'cannot run "/nonexistent/first"'
if grep -q second "$TMP/out" "$TMP/err"; then
	fail "the second definition was used: $(cat "$TMP/out" "$TMP/err")"
fi
assert_eq 1 "$(grep -c '^mcp ' "$TMP/out")" "one server"
