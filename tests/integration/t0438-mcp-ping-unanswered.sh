#!/bin/bash
# A ping that gets no answer within timeout_ms takes the server down
# (the session is dead though its TCP connection lives), and the next
# call starts a new session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server hang-ping
spec_config ', "ping_interval_ms": 500, "timeout_ms": 1000'
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
waitlog '^POST ping '
wait_until grep -q "mcp web: down" "$MNT/.ctl/status"
assert_contains "$(cat "$MNT/.ctl/status")" "no answer to ping within 1000 ms" "status"
echo '{"text":"next"}' > "$MNT/tools/web/echo/call"
assert_eq next "$(cat "$MNT/tools/web/echo/result")" "a call after it"
assert_eq "POST tools/call version=2025-11-25 session=s2" \
	"$(grep '^POST tools/call' "$TMP/server.log")" "on a new session"
unmount_fs
echo ok
