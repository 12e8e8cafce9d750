#!/bin/bash
# Files are read on a thread per CPU, and what a load does and says
# still follows the order of the files: 24 files, among them one that
# does not parse, one with a tool whose schema cannot compile and one
# that defines a tool another file defines first.  Tools left out are
# named by `toolexec check` (which fails), by every command's stderr,
# by .ctl/status and .ctl/config; a duplicate comes in once its rival
# has left.  An MCP server's tool that a file holds first is named in
# the server's status.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
tool() { # NS NAME [PATTERN]
	local props='{}'
	[ -n "${3-}" ] && props="{\"a\": {\"type\": \"string\", \"pattern\": \"$3\"}}"
	printf '{"namespace": "%s", "name": "%s", "description": "Tool %s of %s.", "input_schema": {"type": "object", "properties": %s}, "stdin": "none", "command": ["echo", "%s"], "timeout_ms": 5000}' \
		"$1" "$2" "$2" "$1" "$props" "$2"
}
for i in $(seq -w 1 24); do
	t=
	for k in 1 2 3 4 5; do
		t="$t${t:+, }$(tool "n$i" "t$k")"
	done
	case $i in
	07) t="$t, $(tool n07 bad '((')" ;;
	15) t="$t, $(tool n03 t2)" ;; # n03:t2 is 03.json's
	esac
	echo "{\"tools\": [$t]}" > "$cfg/f$i.json"
done
echo '{"tools": [' > "$cfg/f11.json"
e_parse="$cfg/f11.json: \$: unexpected end of JSON text"
e_bad="$cfg/f07.json: n07:bad: unusable input schema: #/properties/a: invalid pattern \"((\""
e_dup="$cfg/f15.json: n03:t2 already defined by file:f03.json (left out)"

rc=0
"$TOOLEXEC" -c "$cfg" check > "$TMP/out" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "check fails"
assert_contains "$(cat "$TMP/err")" "$e_parse" "check: the file that does not parse"
assert_contains "$(cat "$TMP/err")" "$e_bad" "check: the tool left out"
assert_contains "$(cat "$TMP/err")" "$e_dup" "check: the duplicate"
assert_eq 3 "$(wc -l < "$TMP/err")" "check: one line each"

# Every good tool is there, the others are not: 23 files of 5 (the
# builtins apart).
"$TOOLEXEC" -c "$cfg" list > "$TMP/list" 2> "$TMP/err" || fail "list"
assert_eq 115 "$(grep -c '^n[0-9]*:' "$TMP/list")" "tools listed"
grep -q '^n07:bad' "$TMP/list" && fail "the bad tool is listed"
grep -q '^n11:' "$TMP/list" && fail "a tool of the bad file is listed"
assert_eq 3 "$(wc -l < "$TMP/err")" "list names what is wrong too"

# What a load logs comes file by file, whichever thread read what.
"$TOOLEXEC" -v -c "$cfg" list > /dev/null 2> "$TMP/log" || fail "list -v"
grep -v '^toolexec: ' "$TMP/log" | sed 's/^[^ ]* //' > "$TMP/log1"
for run in 1 2 3 4 5; do
	"$TOOLEXEC" -v -c "$cfg" list > /dev/null 2> "$TMP/log" || fail "list -v"
	grep -v '^toolexec: ' "$TMP/log" | sed 's/^[^ ]* //' > "$TMP/logn"
	cmp -s "$TMP/log1" "$TMP/logn" || fail "run $run logged otherwise: $(diff "$TMP/log1" "$TMP/logn")"
done
grep -o 'config: f[0-9]*\.json loaded' "$TMP/log1" > "$TMP/order"
sort -c "$TMP/order" || fail "files logged out of order: $(cat "$TMP/log1")"
assert_eq 23 "$(wc -l < "$TMP/order")" "every good file in the log"
grep -A1 'config: f07.json loaded' "$TMP/log1" | grep -q '^error f07.json: n07:bad: ' ||
	fail "f07.json's refusal does not follow its load: $(cat "$TMP/log1")"

need_fuse
mount_config "$cfg"
st=$(cat "$MNT/.ctl/status")
assert_contains "$st" "file f07.json ok; left out: n07:bad: unusable input schema" "status: the bad tool"
assert_contains "$st" "file f15.json ok; left out: n03:t2 already defined by file:f03.json" "status: the duplicate"
conf=$(cat "$MNT/.ctl/config")
python3 - "$conf" <<'PY' || fail "config: $conf"
import json, sys
files = {f["name"]: f for f in json.loads(sys.argv[1])["files"]}
assert files["f15.json"]["left_out"] == ["n03:t2 already defined by file:f03.json"], files["f15.json"]
assert "left_out" not in files["f03.json"], files["f03.json"]
PY

# f03.json leaves: n03:t2 is f15.json's now.
rm "$cfg/f03.json"
echo 1 > "$MNT/.ctl/reload" || fail "reload"
wait_until test ! -e "$MNT/tools/n03/t1"
assert_contains "$(cat "$MNT/tools/n03/t2/doc")" "Tool t2 of n03." "the duplicate came in"
echo '{}' > "$MNT/tools/n03/t2/call"
assert_eq t2 "$(cat "$MNT/tools/n03/t2/result")" "and runs"
assert_contains "$(cat "$MNT/.ctl/status")" "file f15.json ok" "status: f15.json is whole"
case $(cat "$MNT/.ctl/status") in
*"left out: n03"*) fail "status still names the duplicate" ;;
esac
unmount_fs

# An MCP server whose namespace a file uses too: fake:echo is the file's.
mkdir -p "$TMP/cfg2"
echo "{\"tools\": [$(tool fake echo)]}" > "$TMP/cfg2/a.json"
cat > "$TMP/cfg2/b.json" <<JSON
{"mcpServers": {"fake": {"command": "$PYTHON",
  "args": ["$top/tests/mcp/fake_server.py"], "timeout_ms": 4000}}}
JSON
st=$("$TOOLEXEC" -c "$TMP/cfg2" status) || fail "status"
assert_contains "$st" "  left out: fake:echo already defined by file:a.json" "status: the server's tool left out"
assert_eq echo "$("$TOOLEXEC" -c "$TMP/cfg2" call fake:echo "{}")" "the file's tool answers"
