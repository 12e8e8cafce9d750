#!/bin/bash
# `toolexec validate SCHEMA [INSTANCE | -]`: exit 0 valid, 1 invalid
# (errors on stderr with JSON Pointers), 2 unusable schema or bad usage.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/schema.json" <<'JSON'
{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "path": {"type": "string"},
    "edits": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {"oldText": {"type": "string"}, "newText": {"type": "string"}},
        "required": ["oldText", "newText"]
      }
    },
    "count": {"type": "integer", "minimum": 1}
  },
  "required": ["path", "edits"]
}
JSON
echo '{"path":"a","edits":[{"oldText":"x","newText":"y"}],"count":2}' >"$TMP/good.json"
echo '{"path":"a","edits":[{"oldText":"x"}],"count":"3"}' >"$TMP/bad.json"

# valid: exit 0, nothing on stderr
"$TOOLEXEC" validate "$TMP/schema.json" "$TMP/good.json" 2>"$TMP/err"
assert_eq 0 $? "valid instance"
assert_eq "" "$(cat "$TMP/err")" "stderr for a valid instance"

# the same from stdin
"$TOOLEXEC" validate "$TMP/schema.json" - <"$TMP/good.json"
assert_eq 0 $? "valid instance on stdin"

# invalid: exit 1, one line per error, with pointers
"$TOOLEXEC" validate "$TMP/schema.json" "$TMP/bad.json" 2>"$TMP/err"
assert_eq 1 $? "invalid instance"
err=$(cat "$TMP/err")
assert_contains "$err" '/edits/0: missing required property "newText"'
assert_contains "$err" '/count: expected integer, got string "3"'

"$TOOLEXEC" validate "$TMP/schema.json" - <"$TMP/bad.json" 2>/dev/null
assert_eq 1 $? "invalid instance on stdin"

# --max-errors caps the lines
"$TOOLEXEC" validate --max-errors 1 "$TMP/schema.json" "$TMP/bad.json" 2>"$TMP/err"
assert_eq 1 $? "invalid instance, one error"
assert_eq 1 "$(wc -l <"$TMP/err")" "lines with --max-errors 1"

# formats are annotations unless asserted
echo '{"format":"date"}' >"$TMP/date.json"
echo '"2023-02-29"' >"$TMP/nodate.json"
"$TOOLEXEC" validate "$TMP/date.json" "$TMP/nodate.json"
assert_eq 0 $? "format as annotation"
"$TOOLEXEC" validate --assert-format "$TMP/date.json" "$TMP/nodate.json" 2>/dev/null
assert_eq 1 $? "format asserted"

# schema only: compiles or not
"$TOOLEXEC" validate "$TMP/schema.json"
assert_eq 0 $? "usable schema alone"

# unusable schemas: exit 2 with the reason
echo '{"type": "strin"}' >"$TMP/s1.json"
"$TOOLEXEC" validate "$TMP/s1.json" "$TMP/good.json" 2>"$TMP/err"
assert_eq 2 $? "bad type name"
assert_contains "$(cat "$TMP/err")" 'unknown type "strin"'

echo '{"$ref": "https://example.com/schema.json"}' >"$TMP/s2.json"
"$TOOLEXEC" validate "$TMP/s2.json" "$TMP/good.json" 2>"$TMP/err"
assert_eq 2 $? "remote ref"
assert_contains "$(cat "$TMP/err")" 'remote $ref'

echo '{"pattern": "("}' >"$TMP/s3.json"
"$TOOLEXEC" validate "$TMP/s3.json" 2>/dev/null
assert_eq 2 $? "bad pattern"

echo '{"type": ' >"$TMP/s4.json"
"$TOOLEXEC" validate "$TMP/s4.json" "$TMP/good.json" 2>/dev/null
assert_eq 2 $? "schema is not JSON"

"$TOOLEXEC" validate "$TMP/missing.json" "$TMP/good.json" 2>/dev/null
assert_eq 2 $? "missing schema file"

echo '{"a": ' >"$TMP/broken.json"
"$TOOLEXEC" validate "$TMP/schema.json" "$TMP/broken.json" 2>/dev/null
assert_eq 2 $? "instance is not JSON"

"$TOOLEXEC" validate 2>/dev/null
assert_eq 2 $? "no arguments"
"$TOOLEXEC" validate --bogus "$TMP/schema.json" 2>/dev/null
assert_eq 2 $? "unknown option"

# a catastrophic pattern is bounded, not a hang
printf '{"pattern": "^(a+)+$"}' >"$TMP/cat.json"
printf '"%s!"' "$(head -c 20000 /dev/zero | tr '\0' a)" >"$TMP/long.json"
timeout 120 "$TOOLEXEC" validate "$TMP/cat.json" "$TMP/long.json" 2>/dev/null
assert_eq 1 $? "catastrophic pattern"
