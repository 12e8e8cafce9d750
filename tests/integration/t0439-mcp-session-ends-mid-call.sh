#!/bin/bash
# The server ends the session (the GET stream learns it: 404) while a
# call is in flight on it: the call is not cut off as unanswered; it
# gets the server's 404 and goes again, once, on the new session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server gone-mid-call
spec_config
mount_config "$TMP/cfg"
waitlog '^GET session=s1 '
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"mid"}' > "$MNT/tools/web/echo/call"
got=$(cat "$MNT/tools/web/echo/result") ||
	fail "the call failed: $(cat "$MNT/tools/web/echo/error"); the server's log: $(cat "$TMP/server.log")"
assert_eq mid "$got" "the call, sent again on the new session"
assert_eq "POST tools/call version=2025-11-25 session=s1
POST tools/call version=2025-11-25 session=s2" \
	"$(grep '^POST tools/call' "$TMP/server.log")" "the call on each session"
assert_contains "$(cat "$MNT/.ctl/log")" "server ended the session (HTTP 404 on the GET stream)" "the end logged"
unmount_fs
grep -q '^DELETE session=s1' "$TMP/server.log" && fail "DELETE for the ended session"
echo ok
