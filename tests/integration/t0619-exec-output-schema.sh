#!/bin/bash
# An exec tool that declares an output schema: JSON output that matches
# is its structured result; output that does not match, or that is not
# JSON at all, makes the call fail as output_invalid, with where and why.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/o.json" <<'JSON'
{"tools": [
 {"namespace": "o", "name": "count", "description": "Counts.",
  "input_schema": {"type": "object", "properties": {"out": {"type": "string"}},
                   "required": ["out"]},
  "output_schema": {"type": "object", "properties": {"n": {"type": "integer"}},
                    "required": ["n"]},
  "command": ["printf", "%s", "{out}"], "stdin": "none", "timeout_ms": 5000}
]}
JSON
T=$TOOLEXEC
"$T" -c "$cfg" call --json o:count '{"out": "{\"n\": 3}"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "matching output: $(cat "$TMP/err")"
python3 - "$TMP/out" <<'PY' || fail "envelope: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "ok" and d["structuredContent"] == {"n": 3}, d
PY

"$T" -c "$cfg" call o:count '{"out": "{\"n\": \"x\"}"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 1 $? "output against the schema"
assert_eq 'toolexec: o:count: output_invalid: /n: expected integer, got string "x"' \
	"$(cat "$TMP/err")"

"$T" -c "$cfg" call --json o:count '{"out": "plain"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 1 $? "output that is not JSON"
assert_eq 'toolexec: o:count: output_invalid: the tool declares an output schema but returned no structured content' \
	"$(cat "$TMP/err")"
python3 - "$TMP/out" <<'PY' || fail "envelope: $(cat "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "error", d
assert d["error"]["code"] == "output_invalid", d
PY
