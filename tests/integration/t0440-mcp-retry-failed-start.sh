#!/bin/bash
# A server whose start fails has no tools, so no call can restart it:
# it starts again by itself, with back-off, and `echo 1 > .ctl/reload`
# starts it again at once.  Neither needs a remount.
. "$(dirname "$0")/lib.sh"
need_fuse
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg"
# "flaky" fails its first start only (as a first `npx` download that
# outlasts the start-up timeout); "broken" fails until $TMP/fixed exists.
cat > "$TMP/cfg/s.json" <<JSON
{"mcpServers": {
  "flaky": {"command": "sh", "args": ["-c",
     "if [ -e '$TMP/flaky-once' ]; then exec \"\$0\" '$F' ok --state '$TMP/flaky-starts'; fi; touch '$TMP/flaky-once'; echo first start fails >&2; exit 1",
     "$PYTHON"]},
  "broken": {"command": "sh", "args": ["-c",
     "if [ -e '$TMP/fixed' ]; then exec \"\$0\" '$F' ok; fi; echo not yet >&2; exit 1",
     "$PYTHON"]}}}
JSON
mount_config "$TMP/cfg"

# 1. The failed first start is retried with no action from anyone.
wait_until test -d "$MNT/tools/flaky/echo"
echo '{"message":"back"}' > "$MNT/tools/flaky/echo/call"
assert_eq "echo: back" "$(cat "$MNT/tools/flaky/echo/result")" "call after the retry"
assert_contains "$(cat "$MNT/.ctl/status")" "mcp flaky: ready" "flaky is ready"

# 2. "broken" keeps failing, each retry later than the one before.
failures() {
	sed -n 's/^mcp broken: failed (\([0-9]*\) failures in a row; starts again after .*/\1/p' "$MNT/.ctl/status"
}
backed_off() { n=$(failures); [ -n "$n" ] && [ "$n" -ge 4 ]; }
wait_until backed_off
assert_contains "$(cat "$MNT/.ctl/status")" "stderr: not yet" "the server's stderr is in the status"
[ -d "$MNT/tools/broken" ] && fail "tools of a server that never started"

# Fixed, then reloaded: it starts again at once, not after its back-off.
touch "$TMP/fixed"
echo 1 > "$MNT/.ctl/reload"
st=$(grep '^mcp broken:' "$MNT/.ctl/status")
case "$st" in
*" after "*) fail "reload left the back-off in place: $st" ;;
esac
wait_until test -d "$MNT/tools/broken/echo"
echo '{"message":"fixed"}' > "$MNT/tools/broken/echo/call"
assert_eq "echo: fixed" "$(cat "$MNT/tools/broken/echo/result")" "call after reload"
grep -q "mcp broken: down; starting again on reload" "$MNT/.ctl/log" ||
	fail "the reload's retry is not in the log"
unmount_fs
echo ok
