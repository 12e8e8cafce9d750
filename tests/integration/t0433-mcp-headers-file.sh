#!/bin/bash
# headersFile: headers read from a file that only its owner may read,
# at each new session (a rotated token is used from the next one); a
# file others may read is refused with its mode.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server plain
mkdir -p "$TMP/cfg"
printf '# written by a token refresher\nX-Token: first-token\n' > "$TMP/headers"
chmod 600 "$TMP/headers"
spec_config ", \"headersFile\": \"$TMP/headers\""
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"header"}' > "$MNT/tools/web/echo/call"
assert_eq first-token "$(cat "$MNT/tools/web/echo/result")" "the header from the file"
unmount_fs

chmod 644 "$TMP/headers"
mount_config "$TMP/cfg"
assert_contains "$(cat "$MNT/.ctl/config")" "\$.mcpServers.web.headersFile: headersFile $TMP/headers: mode 0644" "refused"
case "$(cat "$MNT/.ctl/config")" in *first-token*) fail "the token shows in .ctl/config" ;; esac
unmount_fs
echo ok
