#!/bin/bash
# server-everything's simulate-research-query runs as a task (four
# stages of a second each): while it works, jobs/ID/status says
# "working" and jobs/ID/task holds the task's ID, the one the stream
# names; the job ends ok with the report, and result.json names the task.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/ev/simulate-research-query
wait_until test -e "$T/call"
n=$(cat "$T/clone")
echo '{"topic": "moths"}' > "$MNT/jobs/$n/call"
has_task() { [ -n "$(cat "$MNT/jobs/$n/task")" ]; }
wait_until has_task
task=$(cat "$MNT/jobs/$n/task")
st=$(cat "$MNT/jobs/$n/status")
case "$st" in
working | ok) ;; # ok: the machine took the four seconds meanwhile
*) fail "status of a working task: $st" ;;
esac
assert_contains "$(cat "$MNT/jobs/$n/result")" "# Research Report: moths" "the report"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "ended"
assert_eq "$task" "$(sed -n 's/^task \([^:]*\): .*/\1/p' "$MNT/jobs/$n/stream" | head -1)" "the stream's task"
assert_contains "$(cat "$MNT/jobs/$n/result.json")" "\"task\": \"$task\"" "result.json"
unmount_fs
echo ok
