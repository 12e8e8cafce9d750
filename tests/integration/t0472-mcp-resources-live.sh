#!/bin/bash
# resources/ against a server we control (tests/mcp/res_server.py): the
# server's size is the file's size; a URI without "//" (urn:) and a
# template with a part after its variable map to paths; list_changed
# adds a file without a remount; an open file is subscribed, sees the
# server's change (notifications/resources/updated) when it reads from
# the start again, and is unsubscribed when closed.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
: > "$TMP/res.log"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "res": {"command": "$PYTHON", "args": ["$top/tests/mcp/res_server.py", "$TMP/res.log"]}
}}
JSON
mount_config "$TMP/cfg"
R=$MNT/resources/res
wait_until test -d "$R"
assert_eq "mem urn:" "$(ls "$R" | tr '\n' ' ' | sed 's/ $//')" "schemes"
assert_eq "notes users" "$(ls "$R/mem" | tr '\n' ' ' | sed 's/ $//')" "mem://"

# Sizes the server gave are the files' sizes; the bytes are exact.
assert_eq 10 "$(stat -c %s "$R/mem/notes/a.txt")" "a.txt size"
assert_eq "version 1" "$(cat "$R/mem/notes/a.txt")" "a.txt"
assert_eq 256 "$(stat -c %s "$R/mem/notes/b.bin")" "b.bin size"
python3 -c 'import sys; assert open(sys.argv[1],"rb").read() == bytes(range(256))' "$R/mem/notes/b.bin" ||
	fail "blob bytes"
# urn:x:plain is urn:/x:plain; several contents one after the other.
assert_eq "$(printf 'plain one\nplain two')" "$(cat "$R/urn:/x:plain")" "urn resource"
assert_contains "$(cat "$MNT/resources/INDEX")" "$(printf 'res\turn:x:plain\tplain\t-\tres/urn:/x:plain')" "INDEX"
# mem://users/{id}/profile: a name binds {id}, and is a directory.
[ -d "$R/mem/users/alice" ] || fail "users/alice is not a directory"
assert_eq "profile" "$(ls "$R/mem/users/alice")" "below a bound name"
assert_eq "profile of alice" "$(cat "$R/mem/users/alice/profile")" "bound template"
assert_eq "profile of b%20c" "$(cat "$R/mem/users/b c/profile")" "a bound name is percent-encoded"

# list_changed: a new resource appears.
echo '{"name":"c.txt"}' > "$MNT/tools/res/add_resource/call"
assert_eq added "$(cat "$MNT/tools/res/add_resource/result")" "add_resource"
wait_until test -f "$R/mem/notes/c.txt"
assert_eq "note c.txt" "$(cat "$R/mem/notes/c.txt")" "new resource"

# Subscriptions: open is subscribe; the server's update is seen by a
# reader that reads from the start again; close is unsubscribe.
exec 3< "$R/mem/notes/a.txt"
wait_until grep -qx "subscribe mem://notes/a.txt" "$TMP/res.log"
assert_eq "version 1" "$(python3 -c 'import os; print(os.pread(3, 100, 0).decode(), end="")')" "before"
echo '{}' > "$MNT/tools/res/bump/call"
assert_eq bumped "$(cat "$MNT/tools/res/bump/result")" "bump"
wait_until grep -qx "updated mem://notes/a.txt" "$TMP/res.log"
reread() { [ "$(python3 -c 'import os; print(os.pread(3, 100, 0).decode(), end="")')" = "version 2, longer" ]; }
wait_until reread
exec 3<&-
wait_until grep -qx "unsubscribe mem://notes/a.txt" "$TMP/res.log"
assert_eq 18 "$(stat -c %s "$R/mem/notes/a.txt")" "new size after list"
unmount_fs
echo ok
