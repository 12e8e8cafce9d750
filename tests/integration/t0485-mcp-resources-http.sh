#!/bin/bash
# resources/ of server-everything over Streamable HTTP: INDEX, a static
# document read byte for byte, a template's variable bound by the name
# looked up, ENOENT for what is not published; and a subscription: an
# open file is subscribed, and once the server sends
# notifications/resources/updated (toggle-subscriber-updates) a read
# from the start reads the resource again, without a remount.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
srv=$!
at_exit "kill $srv"
wait_until grep -q "listening" "$TMP/server.log"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {"web": {"url": "http://127.0.0.1:$port/mcp"}}}
JSON
mount_config "$TMP/cfg"
R=$MNT/resources
wait_until -t 60 test -d "$R/web"

index=$(cat "$R/INDEX")
assert_contains "$index" "$(printf 'web\tdemo://resource/static/document/architecture.md\tarchitecture.md\ttext/markdown\tweb/demo/resource/static/document/architecture.md')" "INDEX line"
assert_contains "$index" "$(printf 'web\tdemo://resource/dynamic/text/{resourceId}\tDynamic Text Resource\ttext/plain\t')" "INDEX template line"
assert_eq 9 "$(wc -l < "$R/INDEX")" "INDEX lines"
cmp "$M/server-everything/dist/docs/architecture.md" \
	"$R/web/demo/resource/static/document/architecture.md" || fail "static document differs"
assert_contains "$(cat "$R/web/demo/resource/dynamic/text/7")" "Resource 7: This is a plaintext resource" "template text"
assert_contains "$(cat "$R/web/demo/resource/dynamic/blob/3")" "Resource 3: This is a base64 blob" "template blob decoded"
assert_eq ENOENT "$(read_errno "$R/web/demo/resource/static/document/nothere.md")" "unknown resource"

# Subscription.  The text carries the time of its making (to the
# second): the open file keeps what it read until the server says the
# resource changed, then reads it anew.
F=$R/web/demo/resource/dynamic/text/5
exec 3< "$F"
pread0() { python3 -c 'import os; print(os.pread(3, 4096, 0).decode(), end="")'; }
first=$(pread0)
assert_contains "$first" "Resource 5: This is a plaintext resource created at" "before"
echo '{}' > "$MNT/tools/web/toggle-subscriber-updates/call"
assert_contains "$(cat "$MNT/tools/web/toggle-subscriber-updates/result")" \
	"Started simulated resource updated notifications" "updates on"
changed() { [ "$(pread0)" != "$first" ]; }
wait_until changed
assert_contains "$(pread0)" "Resource 5: This is a plaintext resource created at" "after"
exec 3<&-
# The kernel sends RELEASE after close() returns.
closed() { grep -q "$(printf '^open_files\t0$')" "$MNT/.ctl/stats"; }
wait_until closed
unmount_fs
echo ok
