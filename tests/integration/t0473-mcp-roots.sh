#!/bin/bash
# "roots": the client declares roots with listChanged, answers
# roots/list with file:// URIs, and on a reload that changes them tells
# the running server (notifications/roots/list_changed) instead of
# restarting it.  server-filesystem, started with no directory of its
# own, works inside the roots it is given and refuses a path outside.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg" "$TMP/in" "$TMP/out"
echo "inside" > "$TMP/in/a.txt"
echo "outside" > "$TMP/out/b.txt"
: > "$TMP/res.log"
# config ROOT...: both servers with these roots.
config() {
	local r="" d
	for d in "$@"; do r="$r${r:+, }\"$d\""; done
	cat > "$TMP/cfg/servers.json.tmp" <<JSON
{"mcpServers": {
  "res": {"command": "$PYTHON", "args": ["$top/tests/mcp/res_server.py", "$TMP/res.log"], "roots": [$r]},
  "files": {"command": "node", "args": ["$M/server-filesystem/dist/index.js"], "roots": [$r]}
}}
JSON
	mv "$TMP/cfg/servers.json.tmp" "$TMP/cfg/servers.json"
}
config "$TMP/in" "/srv/a b"
mount_config "$TMP/cfg"
T=$MNT/tools
wait_until -t 60 test -d "$T/files/read_text_file"
wait_until grep -q "^roots " "$TMP/res.log"
assert_contains "$(grep '^client capabilities' "$TMP/res.log")" '"roots": {"listChanged": true}' "roots capability"
assert_eq "roots file://$TMP/in file:///srv/a%20b" "$(grep '^roots ' "$TMP/res.log")" "roots/list answer"

# read FILE: what read_text_file answers for FILE (text, error or not).
read_file() {
	echo "{\"path\":\"$1\"}" > "$T/files/read_text_file/call"
	cat "$T/files/read_text_file/result"
}
# server-filesystem asks for its roots after it is initialized and
# applies them in its own time: until then it knows no directory.
in_now() { [ "$(read_file "$TMP/in/a.txt")" = inside ]; }
wait_until in_now
assert_eq "inside" "$(read_file "$TMP/in/a.txt")" "a file inside the root"
out=$(read_file "$TMP/out/b.txt")
assert_contains "$out" "Access denied" "a file outside the roots"
assert_eq error "$(cat "$T/files/read_text_file/status")" "refused call"

# A reload that changes the roots: the servers keep running and are told.
config "$TMP/out"
echo 1 > "$MNT/.ctl/reload"
wait_until grep -qx "roots file://$TMP/out" "$TMP/res.log"
assert_eq 1 "$(grep -c '^ready' "$TMP/res.log")" "not restarted"
out_now() { [ "$(read_file "$TMP/out/b.txt")" = outside ]; }
wait_until out_now
assert_contains "$(read_file "$TMP/in/a.txt")" "Access denied" "the old root is gone"
unmount_fs
echo ok
