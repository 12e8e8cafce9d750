#!/bin/bash
# Exec tools at their edges: an argument with a NUL byte cannot go on a
# command line and is refused as an invalid argument; output that is
# not UTF-8 keeps its valid sequences and gets U+FFFD per bad byte; the
# configured environment overrides the defaults; a program that never
# reads its (large) input still succeeds.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/tools.json" <<'JSON'
{
  "tools": [
    {
      "namespace": "demo", "name": "echo", "description": "Prints its argument.",
      "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
      "command": ["printf", "%s", "{x}"], "stdin": "none", "timeout_ms": 10000
    },
    {
      "namespace": "demo", "name": "mixed", "description": "Prints bytes that are not all UTF-8.",
      "input_schema": {"type": "object"},
      "command": ["printf", "a\\303\\251b\\377c\\342\\202d"], "stdin": "none", "timeout_ms": 10000
    },
    {
      "namespace": "demo", "name": "env", "description": "Prints two variables.",
      "input_schema": {"type": "object"},
      "command": ["sh", "-c", "echo \"$LANG|$EXTRA\""], "stdin": "none", "timeout_ms": 10000,
      "env": {"LANG": "fr_FR.UTF-8", "EXTRA": "x"}
    },
    {
      "namespace": "demo", "name": "deaf", "description": "Never reads its input.",
      "input_schema": {"type": "object"},
      "command": ["true"], "stdin": "json", "timeout_ms": 10000
    }
  ]
}
JSON
T="$TOOLEXEC -c $TMP/cfg"

$T call demo:echo '{"x": "a\u0000b"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 2 $? "an argument with a NUL byte"
assert_eq "" "$(cat "$TMP/out")"
assert_eq 'toolexec: demo:echo: invalid_argument: argument "x" contains a NUL byte, which no command line can carry' \
	"$(cat "$TMP/err")"
assert_eq "a b" "$($T call demo:echo '{"x": "a b"}')"

$T call demo:mixed > "$TMP/out" || fail "mixed"
printf 'a\303\251b\357\277\275c\357\277\275\357\277\275d\n' > "$TMP/want"
cmp "$TMP/want" "$TMP/out" || fail "not cleaned as expected: $(od -c "$TMP/out")"

assert_eq "fr_FR.UTF-8|x" "$($T call demo:env)"

python3 -c 'import json; print(json.dumps({"s": "x" * 300000}))' > "$TMP/big.json"
$T call demo:deaf - < "$TMP/big.json" >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "a program that does not read its input"
assert_eq "" "$(cat "$TMP/err")"
