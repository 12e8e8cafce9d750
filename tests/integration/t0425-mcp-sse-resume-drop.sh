#!/bin/bash
# A call's SSE stream that is cut off (the connection drops, not a clean
# end) is resumed: after the server's "retry" (1500 ms) a GET with
# Last-Event-ID of the last event seen, on which the answer arrives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server drop-call
spec_config ', "timeout_ms": 20000'
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
n=$(cat "$MNT/tools/web/echo/clone")
echo '{"text":"x"}' > "$MNT/jobs/$n/call"
assert_eq resumed "$(cat "$MNT/jobs/$n/result")" "the answer of the resumed stream"
assert_contains "$(cat "$MNT/jobs/$n/stream")" "progress 1/2" "progress before the drop"
waitlog '^GET session=s1 last-event-id=e2 '
dropped=$(sed -n 's/^dropped at=//p' "$TMP/server.log")
resumed=$(sed -n 's/^GET session=s1 last-event-id=e2 at=//p' "$TMP/server.log")
[ $((resumed - dropped)) -ge 1400 ] || fail "resumed $((resumed - dropped)) ms after the drop; retry was 1500"
unmount_fs
echo ok
