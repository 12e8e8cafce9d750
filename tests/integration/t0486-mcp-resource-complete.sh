#!/bin/bash
# Completion of a partly typed template variable (completion/complete):
# below a resource template's literal parts, "PREFIX*" is a directory of
# the values the server proposes, each a symbolic link to the name it
# binds.  server-everything completes {resourceId} with the value typed
# when it is a positive integer, and with nothing otherwise.  A server
# that does not declare "completions" (tests/mcp/res_server.py) binds
# such a name as any other.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
: > "$TMP/res.log"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]},
  "res": {"command": "$PYTHON", "args": ["$top/tests/mcp/res_server.py", "$TMP/res.log"]}
}}
JSON
mount_config "$TMP/cfg"
D=$MNT/resources/ev/demo/resource/dynamic/text
wait_until -t 60 test -d "$D"
assert_eq "42" "$(ls "$D/42*")" "completions of 42"
assert_eq "../42" "$(readlink "$D/42*/42")" "a link to the bound name"
assert_contains "$(cat "$D/42*/42")" "Resource 42: This is a plaintext resource" "read through it"
assert_eq "" "$(ls "$D/x*")" "no completion"
assert_eq ENOENT "$(read_errno "$D/42*/43")" "not proposed"
# The same for the blob template.
assert_eq "7" "$(ls "$MNT/resources/ev/demo/resource/dynamic/blob/7*")" "blob completions"

# Without "completions": the name binds the variable.
wait_until test -d "$MNT/resources/res/mem/users"
[ -d "$MNT/resources/res/mem/users/al*" ] || fail "al* is not a bound name"
assert_eq "profile" "$(ls "$MNT/resources/res/mem/users/al*")" "below a bound name"
unmount_fs
echo ok
