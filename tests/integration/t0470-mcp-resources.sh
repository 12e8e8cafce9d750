#!/bin/bash
# Resources of server-everything (stdio) under resources/: INDEX, the
# tree the URIs map to, a static document read byte for byte, template
# variables bound by the name looked up (text, and a blob decoded), and
# ENOENT for what the server does not publish.
. "$(dirname "$0")/lib.sh"
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "everything": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"]}
}}
JSON
mount_config "$TMP/cfg"
R=$MNT/resources
wait_until -t 60 test -d "$R/everything"

# INDEX: namespace, URI, title, MIME type, path; templates too.
index=$(cat "$R/INDEX")
assert_contains "$index" "$(printf 'everything\tdemo://resource/static/document/architecture.md\tarchitecture.md\ttext/markdown\teverything/demo/resource/static/document/architecture.md')" "INDEX line"
assert_contains "$index" "$(printf 'everything\tdemo://resource/dynamic/text/{resourceId}\tDynamic Text Resource\ttext/plain\t')" "INDEX template line"
assert_eq 9 "$(wc -l < "$R/INDEX")" "INDEX lines"

# The tree: SCHEME://A/B/C is SCHEME/A/B/C.
assert_eq "INDEX everything" "$(ls "$R" | tr '\n' ' ' | sed 's/ $//')" "resources/"
assert_eq "dynamic static" "$(ls "$R/everything/demo/resource" | tr '\n' ' ' | sed 's/ $//')" "a directory"
assert_eq 7 "$(ls "$R/everything/demo/resource/static/document" | wc -l)" "documents"
# A template's variable has no listing: it binds whatever is looked up.
assert_eq "" "$(ls "$R/everything/demo/resource/dynamic/text")" "template directory"

# A read is resources/read: the document the server ships, to the byte.
cmp "$M/server-everything/dist/docs/architecture.md" \
	"$R/everything/demo/resource/static/document/architecture.md" || fail "static document differs"
# Not cached by size: a file without the server's size is 0 bytes long.
assert_eq 0 "$(stat -c %s "$R/everything/demo/resource/static/document/features.md")" "size without size"

# Templates: the name binds {resourceId}; blobs are base64-decoded.
assert_contains "$(cat "$R/everything/demo/resource/dynamic/text/7")" "Resource 7: This is a plaintext resource" "template text"
assert_contains "$(cat "$R/everything/demo/resource/dynamic/blob/3")" "Resource 3: This is a base64 blob" "template blob decoded"
[ -f "$R/everything/demo/resource/dynamic/text/42" ] || fail "a bound name is a file"

# What is not there: ENOENT; a name the server refuses: EIO.
assert_eq ENOENT "$(read_errno "$R/everything/demo/resource/static/document/nothere.md")" "unknown resource"
assert_eq ENOENT "$(read_errno "$R/nosuchserver/x")" "unknown namespace"
assert_eq EIO "$(read_errno "$R/everything/demo/resource/dynamic/text/notanumber")" "refused by the server"

# No open file or listener is left behind.
assert_contains "$(cat "$MNT/.ctl/stats")" "$(printf 'open_files\t0')" "open files"
unmount_fs
echo ok
