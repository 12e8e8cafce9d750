#!/bin/bash
# Tasks (2025-11-25): server-everything's simulate-research-query must be
# called as a task.  Through the mount it works: the call becomes a
# task, tasks/get reports its status in jobs/ID/stream (and keeps the
# 2 s idle timeout from ending a 4 s task), tasks/result brings the
# result; cancelling the job sends tasks/cancel.  Over Streamable HTTP
# too.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
  "timeout_ms": 2000}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/ev/simulate-research-query
wait_until test -e "$T/call"
n=$(cat "$T/clone")
echo '{"topic": "bees"}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "# Research Report: bees" "the task's result"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "status"
stream=$(cat "$MNT/jobs/$n/stream")
assert_contains "$stream" "task " "the task in the stream"
assert_contains "$stream" ": working: Generating report..." "its status from tasks/get"

n=$(cat "$T/clone")
echo '{"topic": "wasps"}' > "$MNT/jobs/$n/call"
wait_until grep -q "working" "$MNT/jobs/$n/stream"
echo > "$MNT/jobs/$n/cancel"
assert_eq cancelled "$(cat "$MNT/jobs/$n/status")" "cancelled"
task=$(sed -n 's/^task \([^:]*\): .*/\1/p' "$MNT/jobs/$n/stream" | head -1)
[ -n "$task" ] || fail "no task ID in the stream"
wait_until grep -q "tasks/cancel for task $task" "$MNT/.ctl/log"
unmount_fs

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
srv=$!
at_exit "kill $srv"
wait_until grep -q "listening" "$TMP/server.log"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"url": "http://127.0.0.1:$port/mcp", "timeout_ms": 2000}}}
JSON
mount_config "$TMP/cfg"
wait_until test -e "$T/call"
n=$(cat "$T/clone")
echo '{"topic": "ants"}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "# Research Report: ants" "the task's result over HTTP"
assert_contains "$(cat "$MNT/jobs/$n/stream")" ": working: Generating report..." "its status over HTTP"
unmount_fs
echo ok
