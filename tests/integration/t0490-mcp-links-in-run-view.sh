#!/bin/bash
# The links of jobs/ID/links/ resolve inside a code run's view too: a
# script calls server-everything's get-resource-links from its sandbox
# and reads a resource through /jobs/ID/links/N, which points at
# ../../../resources/..., bound (read-only) onto /resources.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
. "$here/lib-codefs.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]}}}
JSON
mount_config "$TMP/cfg"
wait_until -t 60 test -e "$MNT/tools/ev/get-resource-links/call"
cat > "$TMP/links.sh" <<'S'
set -e
n=$(cat /tools/ev/get-resource-links/clone)
echo '{"count": 2}' > /jobs/$n/call
cat /jobs/$n/result > /dev/null
echo "link: $(readlink /jobs/$n/links/2)"
echo "text: $(cat /jobs/$n/links/2)"
echo "job: $n"
if echo x > /resources/ev/demo/resource/dynamic/text/2 2>/dev/null; then echo "wrote"; else echo "read-only"; fi
S
drop "$TMP/links.sh"
result links.sh
out=$(cat "$MNT/code/standard/links.sh.out")
assert_eq 0 "${R[exit_code]}" "exit code: $(cat "$MNT/code/standard/links.sh.err")"
assert_contains "$out" "link: ../../../resources/ev/demo/resource/dynamic/text/2" "the link"
assert_contains "$out" "text: Resource 2: This is a plaintext resource" "read through the link inside"
assert_contains "$out" "read-only" "/resources is read-only"
unmount_fs
echo ok
