#!/bin/bash
# What the command line reads, and its bounds: `toolexec config` shows
# each file of the configuration with its status and tools (a broken
# file with its error, which also goes to stderr); call arguments,
# scripts and instances read from a directory or over their limits are
# refused with the reason and the documented exit status, nothing on
# stdout; an instance on stdin larger than one read buffer is read whole;
# output that cannot be written (a full disk) fails the command.
. "$(dirname "$0")/lib.sh"
T=$TOOLEXEC
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/a.json" <<'JSON'
{"tools": [{"namespace": "zoo", "name": "feed", "description": "Feeds.",
  "input_schema": {"type": "object"}, "command": ["true"], "stdin": "none",
  "timeout_ms": 5000}]}
JSON
echo '{"tools": 3}' > "$cfg/b.json"

"$T" -c "$cfg" config >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "config exit status"
assert_eq "toolexec: $cfg/b.json: \$.tools: expected an array of tools, got int" \
	"$(cat "$TMP/err")" "config stderr"
python3 - "$TMP/out" "$cfg" <<'PY' || fail "config text: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config_dir"] == sys.argv[2], d
f = {x["name"]: x for x in d["files"]}
assert list(f) == ["a.json", "b.json"], f
assert f["a.json"]["status"] == "ok" and f["a.json"]["tools"] == ["zoo:feed"], f
assert f["b.json"]["status"] == "error" and f["b.json"]["tools"] == [], f
assert f["b.json"]["error"].endswith("$.tools: expected an array of tools, got int"), f
assert "zoo:feed" in open(sys.argv[1]).read()
PY
rm "$cfg/b.json"

# check STATUS STDERR CMD... (stdin from $IN): exit status, the whole
# stderr, and an empty stdout.
check() {
	local want=$1 line=$2 rc
	shift 2
	"$@" <"$IN" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	assert_eq "$want" "$rc" "exit status of $*"
	assert_eq "$line" "$(cat "$TMP/err")" "stderr of $*"
	assert_eq "" "$(cat "$TMP/out")" "stdout of $*"
}
# Arguments from stdin: a directory, and one byte over 1 MiB.
IN=$TMP
check 2 "toolexec: Is a directory" "$T" -c "$cfg" call zoo:feed -
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$TMP/big"
IN=$TMP/big
check 2 "toolexec: standard input is larger than the argument limit" \
	"$T" -c "$cfg" call zoo:feed -

# Scripts: a directory, and one byte over 4 MiB (never run: 125).
IN=/dev/null
check 125 "toolexec: $TMP: Is a directory" "$T" -c "$cfg" code "$TMP"
{ echo '#!/bin/sh'; head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' '#'; } > "$TMP/big.sh"
check 125 "toolexec: $TMP/big.sh: larger than the script limit (4 MiB)" \
	"$T" -c "$cfg" code "$TMP/big.sh"

# Instances on stdin: 300 KB is read whole (valid, then invalid at its
# last item); a directory and one byte over 64 MiB are refused (2).
echo '{"type": "array", "items": {"type": "integer"}}' > "$TMP/s.json"
python3 -c 'print("[" + ",".join(["1234567"] * 40000) + "]")' > "$TMP/i.json"
"$T" validate "$TMP/s.json" - <"$TMP/i.json" || fail "a long instance on stdin"
sed 's/]$/,"x"]/' "$TMP/i.json" > "$TMP/j.json"
"$T" validate "$TMP/s.json" - <"$TMP/j.json" 2>"$TMP/err"
assert_eq 1 $? "invalid long instance"
assert_contains "$(cat "$TMP/err")" "/40000: expected integer"
IN=$TMP
check 2 "toolexec validate: stdin: Is a directory" "$T" validate "$TMP/s.json" -
head -c $((64 * 1024 * 1024 + 1)) /dev/zero > "$TMP/huge"
IN=$TMP/huge
check 2 "toolexec validate: stdin: File too large" "$T" validate "$TMP/s.json" -

# Output to a full disk: a failure, and said.
for c in list status "doc zoo:feed" "call builtin:echo {\"a\":1}" "search feeds"; do
	# shellcheck disable=SC2086
	"$T" -c "$cfg" $c >/dev/full 2>"$TMP/err"
	assert_eq 1 $? "exit status of $c to a full disk"
	assert_contains "$(cat "$TMP/err")" "No space left on device" "stderr of $c"
done
