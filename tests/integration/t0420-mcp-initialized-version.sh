#!/bin/bash
# notifications/initialized is a request after initialization, so over
# HTTP it MUST carry MCP-Protocol-Version (2025-11-25, "Protocol Version
# Header"); it used to go out before the version was set.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server plain
spec_config
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
waitlog '^POST notifications/initialized '
assert_eq "POST notifications/initialized version=2025-11-25 session=s1" \
	"$(grep '^POST notifications/initialized' "$TMP/server.log")" "the notification"
unmount_fs
echo ok
