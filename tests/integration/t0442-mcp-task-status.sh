#!/bin/bash
# A job that runs as an MCP task shows it: jobs/ID/task holds the task's
# ID, `status` says "working" or "input_required" while the task says
# so, result.json names the task; and when the task's ttl runs out
# before its result comes, the job ends (ETIMEDOUT, "task_expired") and
# the server is sent tasks/cancel.  tests/mcp/task_server.py reports
# the status written to a file.
. "$(dirname "$0")/lib.sh"
need_fuse
mkdir -p "$TMP/cfg"
C=$TMP/control
L=$TMP/server.log
cat > "$TMP/cfg/tk.json" <<JSON
{"mcpServers": {"tk": {"command": "$PYTHON", "args": ["$top/tests/mcp/task_server.py", "$C", "$L"],
  "timeout_ms": 5000}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/tk/job
wait_until test -e "$T/call"
status_is() { [ "$(cat "$MNT/jobs/$1/status")" = "$2" ]; }

# A job that is no task has an empty task file.
n=$(cat "$MNT/tools/builtin/echo/clone")
echo '{"message":"x"}' > "$MNT/jobs/$n/call"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "a plain job"
assert_eq "" "$(cat "$MNT/jobs/$n/task")" "a plain job has no task"

echo working > "$C"
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until grep -q "^created task-1" "$L"
wait_until status_is "$n" working
assert_eq task-1 "$(cat "$MNT/jobs/$n/task")" "the task's ID"

echo "input_required which one do you mean?" > "$C"
wait_until status_is "$n" input_required
assert_eq input_required "$(cat "$T/status")" "the tool's status file too"
wait_until grep -q "task task-1: input_required: which one do you mean?" "$MNT/jobs/$n/stream"

echo working > "$C"
wait_until status_is "$n" working
echo completed > "$C"
assert_eq "done: task-1" "$(cat "$MNT/jobs/$n/result")" "the task's result"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "ended"
assert_contains "$(cat "$MNT/jobs/$n/result.json")" '"task": "task-1"' "result.json names the task"
assert_eq task-1 "$(cat "$MNT/jobs/$n/task")" "the task stays"

# The ttl runs out while the task still works.
echo working > "$C"
n=$(cat "$T/clone")
echo '{"ttl": 1500}' > "$MNT/jobs/$n/call"
wait_until grep -q "^created task-2 ttl 1500" "$L"
wait_until status_is "$n" timeout
assert_eq ETIMEDOUT "$(read_errno "$MNT/jobs/$n/result")" "errno of an expired task"
err=$(cat "$MNT/jobs/$n/error")
assert_contains "$err" "task_expired" "error code"
assert_contains "$err" "task task-2 expired: its ttl of 1500 ms" "error text"
wait_until grep -q "^cancel task-2" "$L"
unmount_fs
echo ok
