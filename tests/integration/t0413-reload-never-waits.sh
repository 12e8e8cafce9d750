#!/bin/bash
# No FUSE handler waits on an MCP server: with a server that takes 60 s
# to answer initialize, `echo 1 > .ctl/reload` and `cat .ctl/status`
# return at once (they used to wait for the server, holding the lock
# that status needs).  The reload still does its work: a quick server
# of the same file comes up and answers while the slow one starts, and
# removing the slow one is as quick.
. "$(dirname "$0")/lib.sh"
need_fuse
F=$top/tests/mcp/fake_server.py
cfg=$TMP/cfg
mkdir -p "$cfg"
echo '{"tools": []}' > "$cfg/empty.json"
mount_config "$cfg"
# ms CMD...: runs CMD and prints how long it took, in milliseconds.
ms() {
	local start
	start=$(date +%s%N)
	"$@" >/dev/null || fail "$*"
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}
cat > "$cfg/servers.json" <<JSON
{"mcpServers": {
  "slow": {"command": "python3", "args": ["$F", "ok", "--init-delay", "60"]},
  "quick": {"command": "python3", "args": ["$F"]}
}}
JSON
t=$(ms sh -c "echo 1 > '$MNT/.ctl/reload'")
[ "$t" -lt 10000 ] || fail ".ctl/reload took $t ms with a slow server starting"
t=$(ms cat "$MNT/.ctl/status")
[ "$t" -lt 10000 ] || fail ".ctl/status took $t ms with a slow server starting"
assert_contains "$(cat "$MNT/.ctl/status")" "mcp slow: starting" "status while it starts"
# The quick server is not held up by the slow one.
for _ in $(seq 300); do
	[ -e "$MNT/tools/quick/echo/call" ] && break
	sleep 0.1
done
echo '{"message":"meanwhile"}' > "$MNT/tools/quick/echo/call" || fail "call quick:echo"
assert_eq "echo: meanwhile" "$(cat "$MNT/tools/quick/echo/result")" "quick server answers"
assert_contains "$(cat "$MNT/.ctl/status")" "mcp slow: starting" "slow one still starting"
# Removing the starting server: as quick, and its status says so.
cat > "$cfg/servers.json" <<JSON
{"mcpServers": {"quick": {"command": "python3", "args": ["$F"]}}}
JSON
t=$(ms sh -c "echo 1 > '$MNT/.ctl/reload'")
[ "$t" -lt 10000 ] || fail ".ctl/reload took $t ms stopping a starting server"
t=$(ms cat "$MNT/.ctl/status")
[ "$t" -lt 10000 ] || fail ".ctl/status took $t ms"
case "$(cat "$MNT/.ctl/status")" in
*"mcp slow: starting"*) fail "slow is still listed as starting" ;;
esac
echo '{"message":"still"}' > "$MNT/tools/quick/echo/call" || fail "call quick:echo"
assert_eq "echo: still" "$(cat "$MNT/tools/quick/echo/result")" "quick server kept"
unmount_fs
echo ok
