#!/bin/bash
# ${VAR} in url and headers comes from the daemon's environment: the
# token reaches the server (it echoes the X-Token header), and it shows
# nowhere in the mount (.ctl/config, .ctl/status, .ctl/log, a tool's doc)
# nor in the daemon's log; the url is shown as written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
spec_server plain
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<'JSON'
{"mcpServers": {"web": {"url": "http://127.0.0.1:${TX_T_PORT}/mcp",
  "headers": {"X-Token": "${TX_T_TOKEN}",
              "X-Unused": "${TX_T_UNSET:-none}"}}}}
JSON
export TX_T_PORT=$PORT TX_T_TOKEN=tok-$RANDOM-sekrit
unset TX_T_UNSET
mount_config "$TMP/cfg"
wait_until test -e "$MNT/tools/web/echo/call"
echo '{"text":"header"}' > "$MNT/tools/web/echo/call"
assert_eq "$TX_T_TOKEN" "$(cat "$MNT/tools/web/echo/result")" "the header the server got"
for f in .ctl/config .ctl/status .ctl/log tools/web/echo/doc; do
	case "$(cat "$MNT/$f")" in
	*"$TX_T_TOKEN"*) fail "the token shows in $f" ;;
	esac
done
assert_contains "$(cat "$MNT/tools/web/echo/doc")" 'http://127.0.0.1:${TX_T_PORT}/mcp' "the url as written"
unmount_fs
grep -q "$TX_T_TOKEN" "$FS_LOG" && fail "the token shows in the daemon's log"
echo ok
