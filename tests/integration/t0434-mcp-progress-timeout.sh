#!/bin/bash
# timeout_ms is an idle timeout that each progress notification starts
# again; max_timeout_ms caps the call; tool_timeouts overrides both for
# one tool.  server-everything's trigger-long-running-operation reports
# progress every duration/steps seconds.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {
  "ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
         "timeout_ms": 2000, "max_timeout_ms": 5000},
  "ov": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
         "timeout_ms": 1000,
         "tool_timeouts": {"trigger-long-running-operation": {"timeout_ms": 4000}}}
}}
JSON
mount_config "$TMP/cfg"
L=trigger-long-running-operation
wait_until test -e "$MNT/tools/ev/$L/call"
wait_until test -e "$MNT/tools/ov/$L/call"

# 3.5 s with progress every 0.5 s outlives the 2 s timeout.
n=$(cat "$MNT/tools/ev/$L/clone")
echo '{"duration": 3.5, "steps": 7}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "Long running operation completed" "progress kept it alive"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "status"

# Progress every second for 30 s: stopped by max_timeout_ms (5 s).
n=$(cat "$MNT/tools/ev/$L/clone")
start=$SECONDS
echo '{"duration": 30, "steps": 30}' > "$MNT/jobs/$n/call"
assert_eq ETIMEDOUT "$(read_errno "$MNT/jobs/$n/result")" "capped"
assert_eq timeout "$(cat "$MNT/jobs/$n/status")" "status"
[ $((SECONDS - start)) -ge 4 ] || fail "stopped after $((SECONDS - start)) s, before the cap"
assert_contains "$(cat "$MNT/jobs/$n/stream")" "progress 3/30" "progress seen"

# No progress for 3 s: the 2 s idle timeout ends it.
n=$(cat "$MNT/tools/ev/$L/clone")
echo '{"duration": 3, "steps": 1}' > "$MNT/jobs/$n/call"
assert_eq ETIMEDOUT "$(read_errno "$MNT/jobs/$n/result")" "idle"
assert_contains "$(cat "$MNT/jobs/$n/error")" "sent neither an answer nor progress for 2000 ms" "error"

# The same on "ov", whose 1 s timeout is 4 s for this tool.
n=$(cat "$MNT/tools/ov/$L/clone")
echo '{"duration": 2, "steps": 1}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "Long running operation completed" "per-tool timeout"
unmount_fs
echo ok
