#!/bin/bash
# resources/ and prompts/ against a server whose answers are odd
# (tests/mcp/bad_res_server.py): a read answer without a "contents"
# array, or with a blob that is not base64, is EIO; JSON-RPC errors map
# to EINVAL (-32602), ENOENT (-32002) and EIO (others); several contents
# are joined, entries with neither text nor blob skipped, URL-safe
# unpadded base64 decoded; a template the server does not complete
# lists nothing yet binds any name; a prompt the server fails is EIO.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "bad": {"command": "$PYTHON", "args": ["$top/tests/mcp/bad_res_server.py"]}
}}
JSON
mount_config "$TMP/cfg"
R=$MNT/resources/bad/mem/bad
wait_until test -d "$R"
assert_eq "gone internal invalid mixed noarray notarray notb64 t urlsafe" \
	"$(ls "$R" | tr '\n' ' ' | sed 's/ $//')" "resources"

assert_eq EIO "$(read_errno "$R/noarray")" "no contents"
assert_eq EIO "$(read_errno "$R/notarray")" "contents not an array"
assert_eq EIO "$(read_errno "$R/notb64")" "blob not base64"
assert_eq EINVAL "$(read_errno "$R/invalid")" "-32602"
assert_eq EIO "$(read_errno "$R/internal")" "-32603"
assert_eq ENOENT "$(read_errno "$R/gone")" "-32002"
assert_eq "ABC" "$(cat "$R/mixed")" "text, blob, nothing, text"
assert_eq "fbff" "$(od -An -tx1 "$R/urlsafe" | tr -d ' \n')" "URL-safe base64"

# No completions: the template lists nothing, a name still binds.
assert_eq "" "$(ls "$R/t")" "template without completions"
assert_eq "id=42" "$(cat "$R/t/42")" "bound name"

P=$MNT/prompts/bad
assert_eq "user:
fine" "$(cat "$P/fine/get")" "a prompt"
assert_eq EIO "$(read_errno "$P/broken/get")" "a prompt the server fails"

unmount_fs
echo ok
