#!/bin/bash
# The top-level "roots": every MCP server without roots of its own takes
# them (declared with listChanged, answered to roots/list as file://
# URIs), and a reload that changes them tells the running servers
# (notifications/roots/list_changed) without restarting them; a server
# with its own "roots" keeps them.  server-filesystem, started with no
# directory of its own, works inside the top-level roots.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg" "$TMP/in" "$TMP/out"
echo "inside" > "$TMP/in/a.txt"
echo "outside" > "$TMP/out/b.txt"
: > "$TMP/res.log"
: > "$TMP/own.log"
# config ROOT: the top-level roots, in a file of their own.
config() {
	printf '{"roots": ["%s"]}\n' "$1" > "$TMP/cfg/roots.json.tmp"
	mv "$TMP/cfg/roots.json.tmp" "$TMP/cfg/roots.json"
}
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "res": {"command": "$PYTHON", "args": ["$top/tests/mcp/res_server.py", "$TMP/res.log"]},
  "own": {"command": "$PYTHON", "args": ["$top/tests/mcp/res_server.py", "$TMP/own.log"], "roots": ["/srv/own"]},
  "files": {"command": "node", "args": ["$M/server-filesystem/dist/index.js"]}
}}
JSON
config "$TMP/in"
mount_config "$TMP/cfg"
T=$MNT/tools
wait_until -t 60 test -d "$T/files/read_text_file"
wait_until grep -q "^roots " "$TMP/res.log"
wait_until grep -q "^roots " "$TMP/own.log"
assert_contains "$(grep '^client capabilities' "$TMP/res.log")" '"roots": {"listChanged": true}' "roots capability"
assert_eq "roots file://$TMP/in" "$(grep '^roots ' "$TMP/res.log")" "the top-level roots"
assert_eq "roots file:///srv/own" "$(grep '^roots ' "$TMP/own.log")" "a server's own roots"

read_file() {
	echo "{\"path\":\"$1\"}" > "$T/files/read_text_file/call"
	cat "$T/files/read_text_file/result"
}
# server-filesystem applies its roots in its own time after it asked.
in_now() { [ "$(read_file "$TMP/in/a.txt")" = inside ]; }
wait_until in_now
assert_contains "$(read_file "$TMP/out/b.txt")" "Access denied" "a file outside the roots"

# A reload that changes the top-level roots: told, not restarted.
config "$TMP/out"
echo 1 > "$MNT/.ctl/reload"
wait_until grep -qx "roots file://$TMP/out" "$TMP/res.log"
assert_eq 1 "$(grep -c '^ready' "$TMP/res.log")" "not restarted"
out_now() { [ "$(read_file "$TMP/out/b.txt")" = outside ]; }
wait_until out_now
assert_contains "$(read_file "$TMP/in/a.txt")" "Access denied" "the old root is gone"
# The server with its own roots was neither told nor restarted.
assert_eq "roots file:///srv/own" "$(grep '^roots ' "$TMP/own.log")" "own roots kept"
assert_eq 1 "$(grep -c '^ready' "$TMP/own.log")" "own not restarted"

unmount_fs

# A relative top-level root is refused, as a server's own.
mkdir -p "$TMP/badcfg"
printf '{"roots": ["/ok", "rel"]}\n' > "$TMP/badcfg/bad.json"
rc=0
out=$("$TOOLEXEC" -c "$TMP/badcfg" check 2>&1) || rc=$?
assert_eq 1 "$rc" "check exits 1"
assert_contains "$out" 'bad.json: $.roots: [1]: a root is an absolute path' "relative root"

echo ok
