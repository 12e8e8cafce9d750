#!/bin/bash
# A session ID MUST be visible ASCII (0x21-0x7E): one with a space is
# refused, and the server is reported down with the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server bad-session
spec_config
mount_config "$TMP/cfg"
wait_until grep -q "mcp web: down" "$MNT/.ctl/status"
assert_contains "$(cat "$MNT/.ctl/status")" "MCP-Session-Id that is not visible ASCII" "status"
grep -q "^POST tools/list" "$TMP/server.log" && fail "the session was used"
unmount_fs
echo ok
