#!/bin/bash
# MCP servers through the mount: the pinned npm servers' tools appear
# with docs and schemas and answer calls; progress streams into
# jobs/ID/stream; cancel, timeout (ETIMEDOUT), list_changed, a server
# killed mid-call (EIO within a second, then the next call works), and
# a server that keeps crashing is marked failed with its stderr.
. "$(dirname "$0")/lib.sh"
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no FUSE on this machine"
need_mcp_servers
F=$top/tests/mcp/fake_server.py
mkdir -p "$TMP/cfg" "$TMP/files" "$TMP/mnt"
echo "file content" > "$TMP/files/a.txt"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
$(mcp_npm_servers "$TMP/files" "$TMP/memory.jsonl")
  "fake": {"command": "$PYTHON", "args": ["$F", "ok", "--log", "$TMP/fake.log"], "timeout_ms": 20000},
  "short": {"command": "$PYTHON", "args": ["$F"], "timeout_ms": 2000},
  "crashy": {"command": "$PYTHON", "args": ["$F", "crash-call"]},
  "wrapped": {"command": "$top/tests/mcp/wrap_server.sh", "args": ["ok", "--log", "$TMP/wrapped.log"],
              "timeout_ms": 20000}
}}
JSON
"$TOOLEXECFS" -f -c "$TMP/cfg" "$TMP/mnt" >"$TMP/daemon.log" 2>&1 &
daemon=$!
at_exit "fusermount3 -u '$TMP/mnt'; kill $daemon; wait $daemon"
up() {
	kill -0 $daemon 2>/dev/null || fail "daemon died: $(cat "$TMP/daemon.log")"
	[ -e "$TMP/mnt/tools/fake/echo/call" ] && [ -e "$TMP/mnt/tools/everything/echo/call" ] &&
		[ -e "$TMP/mnt/tools/wrapped/echo/call" ] && [ -e "$TMP/mnt/tools/short/sleep/call" ]
}
wait_until -t 60 up
T=$TMP/mnt/tools
# calls LOG: how many tools/call the fake server of LOG has received.
calls() { grep -c '^call ' "$1" 2>/dev/null; }
# call_arrived LOG N: the server has received more than N calls.
call_arrived() { [ "$(calls "$1")" -gt "$2" ]; }
[ -d "$T/everything/echo" ] || fail "everything:echo missing: $(ls "$T")"

# Docs and schemas.
assert_contains "$(cat "$T/everything/echo/doc")" "message" "doc"
assert_contains "$(cat "$T/files/read_text_file/schema")" '"path"' "schema"
assert_contains "$(cat "$T/INDEX")" "memory:create_entities" "INDEX"
[ -e "$T/fake/structured/output_schema" ] || fail "output_schema missing"

# Transaction calls on the real servers.
exec 3<>"$T/everything/echo/call"
echo '{"message":"through the mount"}' >&3
assert_eq "Echo: through the mount" "$(cat <&3)" "echo transaction"
exec 3>&-
echo "{\"path\":\"$TMP/files/a.txt\"}" > "$T/files/read_text_file/call"
assert_eq "file content" "$(cat "$T/files/read_text_file/result")" "shell-style call"
echo '{"entities":[{"name":"Bob","entityType":"person","observations":["likes files"]}]}' \
	> "$T/memory/create_entities/call"
cat "$T/memory/create_entities/result" >/dev/null || fail "create_entities"
echo '{}' > "$T/memory/read_graph/call"
assert_contains "$(cat "$T/memory/read_graph/result")" "likes files" "memory graph"

# isError: content in result, status error.
echo '{}' > "$T/fake/fail/call"
assert_eq "it went wrong" "$(cat "$T/fake/fail/result")" "isError result"
assert_eq "error" "$(cat "$T/fake/fail/status")" "isError status"

# Progress of the long-running tool streams into jobs/ID/stream.
n=$(cat "$T/everything/trigger-long-running-operation/clone")
echo '{"duration":1,"steps":4}' > "$TMP/mnt/jobs/$n/call"
stream=$(cat "$TMP/mnt/jobs/$n/stream")
assert_contains "$stream" "progress 1/4" "first progress line"
assert_contains "$stream" "progress 4/4" "last progress line"
assert_contains "$(cat "$TMP/mnt/jobs/$n/result")" "Long running operation completed" "long-running result"

# Cancel, once the call has reached the server: the server is told.
n=$(cat "$T/fake/sleep/clone")
before=$(calls "$TMP/fake.log")
echo '{"seconds":30}' > "$TMP/mnt/jobs/$n/call"
wait_until call_arrived "$TMP/fake.log" "$before"
id=$(sed -n 's/^call sleep //p' "$TMP/fake.log" | tail -n 1)
echo > "$TMP/mnt/jobs/$n/cancel"
assert_eq "cancelled" "$(cat "$TMP/mnt/jobs/$n/status")" "cancelled status"
out=$(cat "$TMP/mnt/jobs/$n/result" 2>&1) && fail "result of a cancelled job readable"
assert_contains "$out" "Operation canceled" "ECANCELED"
wait_until grep -qx "cancelled $id" "$TMP/fake.log"

# Timeout (short's timeout_ms is 2 s): ETIMEDOUT on the transaction read.
out=$(python3 - "$T/short/sleep/call" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"seconds":30}')
try:
    os.read(fd, 4096)
    print("no error")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
)
assert_eq "ETIMEDOUT" "$out" "timeout errno"

# list_changed: a new tool appears in the tree at once.
echo '{"name":"fresh_tool"}' > "$T/fake/add_tool/call"
assert_eq "added fresh_tool" "$(cat "$T/fake/add_tool/result")" "add_tool"
(wait_until test -d "$T/fake/fresh_tool") || fail "list_changed did not add fresh_tool"
echo '{}' > "$T/fake/fresh_tool/call"
assert_eq "hello from fresh_tool" "$(cat "$T/fake/fresh_tool/result")" "new tool call"

# kill_mid_call CALL PID LOG: starts a 30 s sleep through CALL, kills
# PID once the server has the call (its LOG says so), and fails unless
# the read gets EIO, within 5 s of the kill (within a second on a quiet
# machine; far less than the call would take, or its 20 s timeout).
kill_mid_call() {
	python3 - "$@" <<'PY'
import errno, os, signal, sys, threading, time
call, pid, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def calls():
    try:
        return sum(l.startswith("call ") for l in open(log))
    except OSError:
        return 0
before = calls()
killed = []
def kill_once_there():
    deadline = time.monotonic() + 30
    while calls() == before:
        if time.monotonic() > deadline:
            print("the call never reached the server", flush=True)
            os._exit(3)
        time.sleep(0.01)
    killed.append(time.monotonic())
    os.kill(pid, signal.SIGKILL)
fd = os.open(call, os.O_RDWR)
os.write(fd, b'{"seconds":30}')
threading.Thread(target=kill_once_there, daemon=True).start()
try:
    os.read(fd, 4096)
    sys.exit("read succeeded")
except OSError as e:
    if e.errno != errno.EIO:
        sys.exit("expected EIO, got %s" % errno.errorcode[e.errno])
    if not killed:
        sys.exit("EIO before the kill")
    if time.monotonic() - killed[0] > 5:
        sys.exit("EIO came %.1f s after the kill" % (time.monotonic() - killed[0]))
PY
}

# Killing the server mid-call: EIO at once; the next call works.
pid=$(sed -n 's/^mcp fake: ready (stdio, pid \([0-9]*\),.*/\1/p' "$TMP/mnt/.ctl/status")
[ -n "$pid" ] || fail "no pid for fake in .ctl/status"
kill_mid_call "$T/fake/sleep/call" "$pid" "$TMP/fake.log" || fail "kill mid-call"
out=$(cat "$TMP/mnt/jobs/"*/error 2>/dev/null | grep -c "killed by signal 9" || true)
[ "$out" -ge 1 ] || fail "no job says the server was killed"
echo '{"message":"again"}' > "$T/fake/echo/call"
assert_eq "echo: again" "$(cat "$T/fake/echo/result")" "call after the crash"

# The same when only the server's leader dies and a child it started
# keeps its stdout open (npx -> node): the whole group is ended.
pid=$(sed -n 's/^mcp wrapped: ready (stdio, pid \([0-9]*\),.*/\1/p' "$TMP/mnt/.ctl/status")
[ -n "$pid" ] || fail "no pid for wrapped in .ctl/status"
kill_mid_call "$T/wrapped/sleep/call" "$pid" "$TMP/wrapped.log" || fail "kill of the leader mid-call"
echo '{"message":"back"}' > "$T/wrapped/echo/call"
assert_eq "echo: back" "$(cat "$T/wrapped/echo/result")" "wrapped call after the crash"

# A server that crashes at every call: failed, with its stderr lines.
# Each call goes to a new start of it: after a crash the next call waits
# until the restart delay is over (.ctl/status no longer says "after").
crashy_state() { grep '^mcp crashy: ' "$TMP/mnt/.ctl/status"; }
restart_due() { crashy_state | grep -q 'restarts on the next call)'; }
for i in 1 2 3; do
	echo '{"message":"x"}' > "$T/crashy/echo/call"
	cat "$T/crashy/echo/result" >/dev/null 2>&1 && fail "crashy answered"
	[ $i -lt 3 ] && wait_until restart_due
done
status=$(cat "$TMP/mnt/.ctl/status")
assert_contains "$status" "mcp crashy: failed" "crash loop marked failed"
assert_contains "$status" "stderr: fake: crashing at a call" "stderr in status"
assert_contains "$(cat "$TMP/mnt/.ctl/status")" "mcp everything: ready" "other servers untouched"

mcp_unmount_check "$TMP/mnt" "$daemon" "$TMP/daemon.log"
echo ok
