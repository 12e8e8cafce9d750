#!/bin/bash
# A tools/list that times out is cancelled (notifications/cancelled), not
# only dropped.  tests/mcp/http_hang_server.py never answers the second
# listing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
"$PYTHON" "$top/tests/mcp/http_hang_server.py" hang-relist "$TMP/port" "$TMP/server.log" &
srv=$!
at_exit "kill $srv"
wait_until test -s "$TMP/port"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$(cat "$TMP/port")/mcp",
  "timeout_ms": 1000, "startup_timeout_ms": 60000}}}
JSON
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/poke/call"
echo '{}' > "$MNT/tools/web/poke/call"
waitlog '^request tools/list 2$'
waitlog '^request notifications/cancelled 1$'
unmount_fs
echo ok
