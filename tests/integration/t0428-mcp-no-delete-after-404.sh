#!/bin/bash
# A session the server ended (404) is not DELETEd; the call goes again
# on a new session, and that one is DELETEd at unmount.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server forget
spec_config
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"again"}' > "$MNT/tools/web/echo/call"
assert_eq again "$(cat "$MNT/tools/web/echo/result")" "the call, sent again"
unmount_fs
grep -q '^DELETE session=s1' "$TMP/server.log" && fail "DELETE for the ended session: $(cat "$TMP/server.log")"
assert_eq "DELETE session=s2" "$(grep '^DELETE' "$TMP/server.log")" "DELETE of the live session"
echo ok
