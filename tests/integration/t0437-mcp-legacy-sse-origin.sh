#!/bin/bash
# Legacy HTTP+SSE: an "endpoint" event that names another origin is
# ignored (our headers, tokens included, must not go to another host):
# nothing is POSTed, and the server is reported down.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server legacy-foreign
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"type": "sse", "url": "http://127.0.0.1:$PORT/sse",
  "headers": {"Authorization": "Bearer not-for-others"}, "startup_timeout_ms": 1000}}}
JSON
mount_config "$TMP/cfg"
wait_until grep -q "mcp web: down" "$MNT/.ctl/status"
assert_contains "$(cat "$MNT/.ctl/log")" "the server's endpoint is not on its origin; ignored" "logged"
assert_contains "$(cat "$MNT/.ctl/status")" "initialize: no answer within 1000 ms" "status"
grep -q "^POST" "$TMP/server.log" && fail "something was POSTed: $(cat "$TMP/server.log")"
unmount_fs
echo ok
