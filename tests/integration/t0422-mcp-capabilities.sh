#!/bin/bash
# Only negotiated capabilities are used: a server that declares no
# "tools" (prompts only) is never sent tools/list (which it refuses);
# it is ready with no tools instead of restarting forever, and its
# "instructions" are kept (.ctl/status).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server no-tools
spec_config
mount_config "$TMP/cfg"
wait_until grep -q "mcp web: ready" "$MNT/.ctl/status"
status=$(cat "$MNT/.ctl/status")
assert_contains "$status" "0 tools" "status"
assert_contains "$status" "instructions: Ask for prompts. ..." "instructions"
assert_contains "$status" "declared no tools capability" "status"
grep -q "^POST tools/list" "$TMP/server.log" && fail "tools/list was sent: $(cat "$TMP/server.log")"
assert_eq 1 "$(grep -c '^POST initialize' "$TMP/server.log")" "initialize count"
unmount_fs
echo ok
