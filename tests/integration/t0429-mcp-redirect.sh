#!/bin/bash
# HTTP redirects are followed (307 keeps the POST and its body).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server redirect
mkdir -p "$TMP/cfg"
echo "{\"mcpServers\": {\"web\": {\"url\": \"http://127.0.0.1:$PORT/old\"}}}" > "$TMP/cfg/web.json"
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"moved"}' > "$MNT/tools/web/echo/call"
assert_eq moved "$(cat "$MNT/tools/web/echo/result")" "a call through the redirect"
unmount_fs
echo ok
