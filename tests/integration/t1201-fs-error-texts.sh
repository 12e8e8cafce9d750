#!/bin/bash
# Errors that say what to do: error.path holds the JSON Pointer the
# message begins with; a timeout names its limit and the key that sets
# it; output_too_large names the stream's path; text after the object is
# reported at its own byte; builtin:sleep's schema allows no wait its
# timeout would end.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/t.json" <<'JSON'
{"tools": [
 {"namespace": "t", "name": "slow", "description": "Sleeps past its timeout.",
  "input_schema": {"type": "object"}, "stdin": "none", "command": ["sleep", "30"], "timeout_ms": 300},
 {"namespace": "t", "name": "loud", "description": "Writes too much.",
  "input_schema": {"type": "object"}, "stdin": "none",
  "command": ["sh", "-c", "yes | head -c 100000"], "timeout_ms": 10000, "max_output_bytes": 1000},
 {"namespace": "t", "name": "strict", "description": "Needs an integer n.",
  "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}},
                   "required": ["n"], "additionalProperties": false},
  "stdin": "none", "command": ["echo", "{n}"], "timeout_ms": 5000}
]}
JSON
mount_config "$cfg"
cd "$MNT" || fail cd

path_of() { "$PYTHON" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["error"]["path"]))' "$1"; }

# error.path: the pointer of the first error, "" for the whole object.
expect_fail sh -c 'echo "{\"n\": \"seven\"}" > tools/t/strict/call'
assert_eq '"/n"' "$(path_of tools/t/strict/result.json)" "path of a property"
expect_fail sh -c 'echo "{}" > tools/t/strict/call'
assert_eq '""' "$(path_of tools/t/strict/result.json)" "path of the root"
expect_fail sh -c 'echo "[{\"tool\":\"t:strict\",\"args\":{\"n\":\"x\"}}]" > chain/call'
assert_eq '"/steps/0/args/n"' "$(path_of chain/result.json)" "path into a chain step"
expect_fail sh -c 'echo "{\"a\":1,,}" > tools/t/strict/call'
assert_eq 'null' "$(path_of tools/t/strict/result.json)" "no path for bad JSON"

# Text after the object: its own byte.
expect_fail sh -c 'printf "{\"n\":1} x" > tools/t/strict/call'
assert_contains "$(cat tools/t/strict/error)" "at byte 8" "byte of the trailing text"

# A timeout: the limit and the key.
echo '{}' > tools/t/slow/call
err=$(cat tools/t/slow/error)   # waits for the end
assert_eq timeout "$(cat tools/t/slow/status)" "timed out"
assert_contains "$err" "within 300 ms" "the limit"
assert_contains "$err" '"timeout_ms"' "the key"

# output_too_large: where the first bytes are.
echo '{}' > tools/t/loud/call
n=$(cat tools/t/loud/result.json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["job"])')
assert_contains "$(cat tools/t/loud/error)" "jobs/$n/stream" "the stream's path"
[ -e "jobs/$n/stream" ] || fail "the path named does not exist"

# The mount's README says what EAGAIN after a long wait means.
assert_contains "$(cat README)" "fails with EAGAIN" "README on wait_max"
assert_contains "$(cat README)" "the call goes on, read again" "README on wait_max"

# builtin:sleep: the schema's maximum fits in the timeout its doc shows.
"$PYTHON" - tools/builtin/sleep/schema tools/builtin/sleep/doc <<'PY' || fail "sleep schema"
import json, re, sys
mx = json.load(open(sys.argv[1]))["properties"]["seconds"]["maximum"]
ms = int(re.search(r"Timeout: (\d+) ms", open(sys.argv[2]).read()).group(1))
assert mx * 1000 < ms, (mx, ms)
PY
cd /
unmount_fs
