#!/bin/bash
# toolexecfs in the foreground prints each MCP server's start-up as it
# happens: its name, how long it took, how many tools it listed; or the
# error of a server that could not start.
. "$(dirname "$0")/lib.sh"
F=$top/tests/mcp/fake_server.py
D=$TMP/cfg
mkdir -p "$D"
cat > "$D/servers.json" <<JSON
{"mcpServers": {
  "fake": {"command": "$PYTHON", "args": ["$F", "ok"], "timeout_ms": 20000},
  "broken": {"command": "$TMP/no-such-server", "timeout_ms": 20000}
}}
JSON
mount_config "$D"
wait_until grep -qE "mcp fake: ready in [0-9]+ ms, [0-9]+ tools" "$FS_LOG"
n=$(sed -n 's/.*mcp fake: ready in [0-9]* ms, \([0-9]*\) tools.*/\1/p' "$FS_LOG" | head -1)
assert_eq "$n" "$(grep -c '^fake:' "$MNT/tools/INDEX")" "the count is the tools listed"
wait_until grep -q "mcp broken: failed to start" "$FS_LOG"
unmount_fs
