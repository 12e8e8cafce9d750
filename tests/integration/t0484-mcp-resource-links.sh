#!/bin/bash
# resource_link content in a tool result (server-everything's
# get-resource-links) appears as relative symbolic links in
# jobs/ID/links/, each named after its URI's last part and pointing at
# the resource's file under resources/ (the URI-to-path rule); reading
# through a link reads the resource.  A job whose result has no link has
# an empty links/.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/ev/get-resource-links
wait_until test -e "$T/call"
n=$(cat "$T/clone")
echo '{"count": 3}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "Here are 3 resource links" "result"
L=$MNT/jobs/$n/links
assert_eq "1 2 3" "$(ls "$L" | tr '\n' ' ' | sed 's/ $//')" "links/"
# Odd IDs are blobs, even ones text (the server's rule).
assert_eq "../../../resources/ev/demo/resource/dynamic/blob/1" "$(readlink "$L/1")" "link 1"
assert_eq "../../../resources/ev/demo/resource/dynamic/text/2" "$(readlink "$L/2")" "link 2"
[ -L "$L/3" ] || fail "3 is not a symbolic link"
assert_eq 50 "$(stat -c %s "$L/1")" "a link's size is its target's length"
assert_contains "$(cat "$L/2")" "Resource 2: This is a plaintext resource" "read through a link"
assert_contains "$(cat "$L/1")" "Resource 1: This is a base64 blob" "a blob, decoded"
assert_eq "$(realpath "$MNT/resources/ev/demo/resource/dynamic/text/2")" "$(realpath "$L/2")" "where it points"
assert_eq ENOENT "$(read_errno "$L/4")" "no such link"

# No resource_link: nothing in links/.
e=$(cat "$MNT/tools/ev/echo/clone")
echo '{"message": "hi"}' > "$MNT/jobs/$e/call"
assert_eq "Echo: hi" "$(cat "$MNT/jobs/$e/result")" "echo"
assert_eq "" "$(ls "$MNT/jobs/$e/links")" "no links"
rm -r "$MNT/jobs/$n" || fail "rm -r of a job with links"
[ ! -e "$MNT/jobs/$n" ] || fail "the job is still there"
unmount_fs
echo ok
