#!/bin/bash
# A configuration file over the 4 MiB cap is refused whole with one
# message that ends its line: what `toolexec` prints next (its own
# output, or the next error) starts a line of its own, on the terminal
# where stderr and stdout meet as in a pipe of both.  The other files of
# the directory still load.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/good.json" <<'JSON'
{"tools": [{"namespace": "ok", "name": "hello", "description": "Says hello.",
  "input_schema": {"type": "object"}, "command": ["echo", "hello"],
  "stdin": "none", "timeout_ms": 5000}]}
JSON
# One byte over the cap: a valid document padded with spaces.
{ printf '{"tools": []}'; head -c $((4 * 1024 * 1024 + 1 - 13)) /dev/zero | tr '\0' ' '; } \
	> "$TMP/cfg/big.json"
assert_eq 4194305 "$(stat -c %s "$TMP/cfg/big.json")" "size of big.json"
msg="toolexec: $TMP/cfg/big.json: \$: file is 4194305 bytes, more than the limit of 4194304: split its tools over files of about 100 each"

"$TOOLEXEC" -c "$TMP/cfg" list >"$TMP/out" 2>"$TMP/err" || fail "list failed"
assert_eq "$msg" "$(cat "$TMP/err")" "stderr of list"
# The message's last byte is its newline.
assert_eq 0a "$(tail -c 1 "$TMP/err" | od -An -tx1 | tr -d ' ')" "last byte of stderr"
assert_contains "$(cat "$TMP/out")" "ok:hello	Says hello." "good file's tool"

# Both streams into one: the message is a line of its own, then the list.
"$TOOLEXEC" -c "$TMP/cfg" list >"$TMP/both" 2>&1 || fail "list failed"
assert_eq "$msg" "$(sed -n 1p "$TMP/both")" "first line of the combined output"
case $(sed -n 2p "$TMP/both") in
builtin:* | ok:*) ;;
*) fail "second line is not a tool: [$(sed -n 2p "$TMP/both")]" ;;
esac
assert_eq $(( $(wc -l <"$TMP/out") + 1 )) "$(wc -l <"$TMP/both")" "lines of both"

# `check` names it and fails; a second bad file is a line of its own.
printf '{"tools": [' >"$TMP/cfg/cut.json"
rc=0
"$TOOLEXEC" -c "$TMP/cfg" check >"$TMP/out" 2>"$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit status of check"
assert_eq "$msg" "$(grep 'big.json' "$TMP/err")" "check names the big file"
assert_eq 2 "$(grep -c '^toolexec: ' "$TMP/err")" "one line per bad file"
assert_eq 2 "$(wc -l <"$TMP/err")" "lines on stderr"
