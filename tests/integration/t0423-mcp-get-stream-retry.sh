#!/bin/bash
# The standalone GET stream: only 405 means "no stream".  A transient
# 502 is tried again with back-off, and the stream that finally opens
# delivers tools/list_changed (a new tool appears).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server get-502
spec_config
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
wait_until test -e "$MNT/tools/web/fresh/call"
assert_eq 3 "$(grep -c '^GET session=s1' "$TMP/server.log")" "GETs"
assert_contains "$(cat "$MNT/.ctl/log")" "GET stream: HTTP 502" "logged"
unmount_fs
echo ok
