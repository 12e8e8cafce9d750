#!/bin/bash
# A 404 on the standalone GET stream means the session ended: the client
# MUST start a new one (it used to give up the stream for the session).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server get-404
spec_config
mount_config "$TMP/cfg"
waitlog '^GET session=s2 '
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"after"}' > "$MNT/tools/web/echo/call"
assert_eq after "$(cat "$MNT/tools/web/echo/result")" "call on the new session"
assert_eq "POST tools/call version=2025-11-25 session=s2" \
	"$(grep '^POST tools/call' "$TMP/server.log")" "the call went to the new session"
grep -q '^DELETE session=s1' "$TMP/server.log" && fail "DELETE for the ended session"
unmount_fs
echo ok
