#!/bin/bash
# What an MCP stdio server inherits from the daemon: descriptors 0, 1
# and 2 only (not one the daemon got without close-on-exec, as libcurl's
# sockets are), and by default only HOME, LOGNAME, PATH, SHELL, TERM and
# USER plus the server's "env"; "inherit_env": true passes everything.
. "$(dirname "$0")/lib.sh"
need_fuse
F=$top/tests/mcp/fake_server.py
# The interpreter itself, not a version manager's shim, which would add
# variables of its own to what the server sees.
PY=$(python3 -c 'import sys; print(sys.executable)') || fail "python3"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/servers.json" <<JSON
{"mcpServers": {
  "plain": {"command": "$PY", "args": ["$F"], "env": {"EXTRA": "from the config"}},
  "inherit": {"command": "$PY", "args": ["$F"], "inherit_env": true}
}}
JSON
export TX_SECRET_TOKEN=s3cret-token SSH_AUTH_SOCK=$TMP/agent.sock
: > "$TMP/leak"
exec 7<"$TMP/leak"
mount_config "$cfg"
exec 7<&-
assert_eq "$TMP/leak" "$(readlink "/proc/$FS_PID/fd/7")" "the daemon holds descriptor 7"
for ns in plain inherit; do
	for _ in $(seq 300); do
		[ -e "$MNT/tools/$ns/report/call" ] && break
		sleep 0.1
	done
	[ -e "$MNT/tools/$ns/report/call" ] || fail "server $ns did not list its tools: $(cat "$MNT/.ctl/status")"
done
report() { # NS -> the report tool's JSON
	echo '{}' > "$MNT/tools/$1/report/call" || fail "call $1:report"
	cat "$MNT/tools/$1/report/result" || fail "result of $1:report"
}

report plain > "$TMP/plain.json"
python3 - "$TMP/plain.json" "/proc/$FS_PID/environ" <<'PY' || fail "plain server: $(cat "$TMP/plain.json")"
import json, sys
r = json.load(open(sys.argv[1]))
daemon = dict(kv.decode().split("=", 1)
              for kv in open(sys.argv[2], "rb").read().split(b"\0") if b"=" in kv)
assert daemon["TX_SECRET_TOKEN"] == "s3cret-token"
assert r["fds"] == [0, 1, 2], "descriptors %s" % r["fds"]
safe = {"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"}
env = r["env"]
assert set(env) <= safe | {"EXTRA"}, "unexpected variables %s" % sorted(set(env) - safe - {"EXTRA"})
assert env["EXTRA"] == "from the config", env
for k in safe:
    assert env.get(k) == daemon.get(k), "%s: %r, daemon has %r" % (k, env.get(k), daemon.get(k))
PY

report inherit > "$TMP/inherit.json"
python3 - "$TMP/inherit.json" <<'PY' || fail "inherit_env server: $(cat "$TMP/inherit.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["fds"] == [0, 1, 2], "descriptors %s" % r["fds"]
assert r["env"].get("TX_SECRET_TOKEN") == "s3cret-token", r["env"]
assert r["env"].get("SSH_AUTH_SOCK"), r["env"]
PY
unset TX_SECRET_TOKEN SSH_AUTH_SOCK
unmount_fs
echo ok
