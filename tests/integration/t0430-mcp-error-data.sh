#!/bin/bash
# error.data of a JSON-RPC error is kept: for -32042 it carries the URL
# the user must visit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server plain
spec_config
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/fail-data/call"
echo '{}' > "$MNT/tools/web/fail-data/call"
assert_eq EIO "$(read_errno "$MNT/tools/web/fail-data/result")" "result"
assert_eq 'mcp_error: This request requires more information. (JSON-RPC error -32042; data: {"elicitations":[{"mode":"url","elicitationId":"el-1","url":"https://example.com/connect/el-1"}]})' \
	"$(cat "$MNT/tools/web/fail-data/error")" "error"
unmount_fs
echo ok
