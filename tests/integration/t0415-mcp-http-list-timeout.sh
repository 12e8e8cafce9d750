#!/bin/bash
# A tools/list over Streamable HTTP that times out ends its transfer:
# the server sees the request closed soon after timeout_ms (it used to
# stay open until the connection ended).  The server here answers the
# first listing, announces a change in a call, then never answers the
# second listing.
. "$(dirname "$0")/lib.sh"
need_fuse
"$PYTHON" "$top/tests/mcp/http_hang_server.py" hang-relist "$TMP/port" "$TMP/server.log" &
srv=$!
at_exit "kill $srv"
for _ in $(seq 300); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || fail "the test server did not start"
mkdir -p "$TMP/cfg"
# startup_timeout_ms is long on purpose: the transfer's idle limit
# (the longer timeout plus 5 s) must not be what ends it here.
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$(cat "$TMP/port")/mcp",
  "timeout_ms": 1000, "startup_timeout_ms": 60000}}}
JSON
mount_config "$TMP/cfg"
[ -e "$MNT/tools/web/poke/call" ] || fail "no web:poke: $(cat "$MNT/.ctl/status")"
echo '{}' > "$MNT/tools/web/poke/call"
assert_eq poked "$(cat "$MNT/tools/web/poke/result")" "the call"
# waitline LINE SECONDS: waits for LINE in the server's log.
waitline() {
	for _ in $(seq $(($2 * 10))); do
		grep -qx "$1" "$TMP/server.log" && return 0
		sleep 0.1
	done
	fail "no \"$1\" within $2 s: $(cat "$TMP/server.log")"
}
waitline "request tools/list 2" 30
waitline "closed tools/list 2" 15
assert_contains "$(cat "$MNT/.ctl/log")" "re-listing tools failed, keeping the old list" "logged"
[ -e "$MNT/tools/web/poke/call" ] || fail "the old tool list was not kept"
unmount_fs
echo ok
