#!/bin/bash
# Every Streamable HTTP request has an idle limit (curl's low-speed
# limit: nothing received for the server's longest timeout plus 5 s):
# a request that the server accepts and never answers is dropped, not
# kept open for the life of the connection.  Here the server never
# answers notifications/initialized, which nothing else times out.
. "$(dirname "$0")/lib.sh"
need_fuse
"$PYTHON" "$top/tests/mcp/http_hang_server.py" hang-notify "$TMP/port" "$TMP/server.log" &
srv=$!
at_exit "kill $srv"
for _ in $(seq 300); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || fail "the test server did not start"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$(cat "$TMP/port")/mcp",
  "timeout_ms": 1000, "startup_timeout_ms": 1000}}}
JSON
mount_config "$TMP/cfg"
waitline() {
	for _ in $(seq $(($2 * 10))); do
		grep -qx "$1" "$TMP/server.log" && return 0
		sleep 0.1
	done
	fail "no \"$1\" within $2 s: $(cat "$TMP/server.log")"
}
waitline "request notifications/initialized 1" 30
# The server still works meanwhile.
[ -e "$MNT/tools/web/poke/call" ] || fail "no web:poke: $(cat "$MNT/.ctl/status")"
echo '{}' > "$MNT/tools/web/poke/call"
assert_eq poked "$(cat "$MNT/tools/web/poke/result")" "a call meanwhile"
# Idle limit: 1 s + 5 s, rounded up; generous bound.
waitline "closed notifications/initialized 1" 30
unmount_fs
echo ok
