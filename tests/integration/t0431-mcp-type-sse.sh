#!/bin/bash
# "type": "sse" (the deprecated HTTP+SSE transport) is refused with a
# clear error instead of being taken for Streamable HTTP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-mcp-spec.sh"
need_fuse
mkdir -p "$TMP/cfg"
echo '{"mcpServers": {"old": {"type": "sse", "url": "http://127.0.0.1:9/sse"}}}' > "$TMP/cfg/old.json"
mount_config "$TMP/cfg"
cfg=$(cat "$MNT/.ctl/config")
assert_contains "$cfg" 'old.json: $.mcpServers.old.type: \"sse\" is the deprecated HTTP+SSE transport' "error"
unmount_fs
echo ok
