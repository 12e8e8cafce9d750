#!/bin/bash
# Every toolexec command prints each configuration error once on stderr
# (file, JSON path, what is wrong; every error of a file, one per line:
# bad1.json has six) and works with the good files;
# `toolexec check` exits 1 on a directory with a bad file, 0 on a good one.
. "$(dirname "$0")/lib.sh"
D=$TMP/conf
mkdir -p "$D"
cat > "$D/good.json" <<'JSON'
{"tools": [{"namespace": "mine", "name": "today",
  "description": "Prints today's date.", "input_schema": {"type": "object"},
  "command": ["date", "+%F"], "stdin": "none", "timeout_ms": 5000}]}
JSON
echo '{"tools": [{"namespace": "mine", "name": "x", "inputSchema": {}}]}' > "$D/bad1.json"
echo '{"tools": ' > "$D/bad2.json"

"$TOOLEXEC" -c "$D" list > "$TMP/out" 2> "$TMP/err" || fail "list failed"
assert_contains "$(cat "$TMP/out")" "mine:today" "the good file's tool"
assert_eq 7 "$(wc -l < "$TMP/err")" "one line per error: $(cat "$TMP/err")"
assert_contains "$(sed -n 1p "$TMP/err")" "toolexec: $D/bad1.json: \$.tools[0].inputSchema: unknown key" "bad1"
assert_contains "$(sed -n 6p "$TMP/err")" "toolexec: $D/bad1.json: \$.tools[0]: missing required key \"timeout_ms\"" "bad1's last"
assert_contains "$(sed -n 7p "$TMP/err")" "toolexec: $D/bad2.json: \$: unexpected end of JSON text" "bad2"
# The same errors with any command, even one that fails for itself.
"$TOOLEXEC" -c "$D" call mine:today > /dev/null 2> "$TMP/err" || fail "call failed"
assert_eq 7 "$(wc -l < "$TMP/err")" "call prints them too"
"$TOOLEXEC" -c "$D" doc no:such > /dev/null 2> "$TMP/err" && fail "doc of no tool"
assert_contains "$(cat "$TMP/err")" "bad2.json" "doc prints them too"

rc=0
"$TOOLEXEC" -c "$D" check > "$TMP/out" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "check on a bad directory"
assert_eq 7 "$(wc -l < "$TMP/err")" "check prints each error once"
rm "$D/bad1.json" "$D/bad2.json"
"$TOOLEXEC" -c "$D" check > "$TMP/out" 2> "$TMP/err" || fail "check on a good directory: $(cat "$TMP/err")"
assert_eq "" "$(cat "$TMP/err")" "nothing on stderr when all is well"
"$TOOLEXEC" check || fail "check of the embedded default"
rc=0
"$TOOLEXEC" -c "$TMP/none" check 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "check of a directory that does not exist"
assert_contains "$(cat "$TMP/err")" "No such file or directory" "why"
