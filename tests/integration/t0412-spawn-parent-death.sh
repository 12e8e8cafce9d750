#!/bin/bash
# Children die with the daemon: after `kill -9` of toolexecfs, an MCP
# stdio server that ignores the end of its stdin, and an exec tool's
# program in the middle of a call, are gone too (PR_SET_PDEATHSIG, set
# by the spawn module for every child).
. "$(dirname "$0")/lib.sh"
need_fuse
F=$top/tests/mcp/fake_server.py
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/t.json" <<JSON
{"mcpServers": {"stubborn": {"command": "python3", "args": ["$F", "ok", "--ignore-eof"]}},
 "tools": [
  {"namespace": "t", "name": "long", "description": "Sleeps a long time.",
   "input_schema": {"type": "object"}, "stdin": "none", "timeout_ms": 600000,
   "command": ["/bin/sh", "-c", "echo \$\$ > '$TMP/exec.pid'; exec sleep 300"]}
]}
JSON
mount_config "$cfg"
for _ in $(seq 300); do
	grep -q "^mcp stubborn: ready" "$MNT/.ctl/status" && break
	sleep 0.1
done
server=$(sed -n 's/^mcp stubborn: ready (stdio, pid \([0-9]*\),.*/\1/p' "$MNT/.ctl/status")
[ -n "$server" ] || fail "no pid for the server: $(cat "$MNT/.ctl/status")"
n=$(cat "$MNT/tools/t/long/clone")
echo '{}' > "$MNT/jobs/$n/call"
for _ in $(seq 300); do [ -s "$TMP/exec.pid" ] && break; sleep 0.1; done
prog=$(cat "$TMP/exec.pid")
[ -n "$prog" ] || fail "the exec tool did not start"
# gone PID: true once PID has exited (a zombie counts as gone).
gone() {
	local st
	st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}
gone "$server" && fail "the server is not running before the kill"
gone "$prog" && fail "the program is not running before the kill"
kill -9 "$FS_PID"
wait "$FS_PID" 2>/dev/null
FS_PID=""
fusermount3 -u -z "$MNT" 2>/dev/null
for _ in $(seq 300); do
	gone "$server" && gone "$prog" && break
	sleep 0.1
done
at_exit "kill -9 $server $prog 2>/dev/null"
gone "$server" || fail "MCP server $server outlived the daemon"
gone "$prog" || fail "exec program $prog outlived the daemon"
echo ok
