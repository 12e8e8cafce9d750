#!/bin/bash
# Chains as a newcomer finds them: chain/ has a summary and a schema like
# any tool, its doc names every key a step takes, the bare array of steps
# that `toolexec chain` takes works on chain/call too, and previous_to
# feeds the previous result to a tool whose schema refuses `previous`.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd"

assert_eq "call clone doc error job result result.json schema status summary" \
	"$(ls chain | sort | tr '\n' ' ' | sed 's/ $//')" "chain/ files"
"$PYTHON" - chain/schema <<'PY' || fail "chain/schema"
import json, sys
s = json.load(open(sys.argv[1]))
step = s["properties"]["steps"]["items"]["properties"]
for k in ("tool", "args", "previous_to", "previous_from", "use_previous",
          "continue_on_error"):
    assert k in step, k
PY
assert_contains "$(cat chain/summary)" "Run tools one after another" "summary"
doc=$(cat chain/doc)
for k in continue_on_error previous_to previous_from use_previous; do
	assert_contains "$doc" "\`$k\`" "chain/doc names $k"
done

# The README's bare array, shell style and as a transaction.
steps='[{"tool":"builtin:echo","args":{"v":41}},{"tool":"builtin:echo","use_previous":true}]'
echo "$steps" > chain/call || fail "bare array refused by chain/call"
assert_contains "$(cat chain/result)" '"v": 41' "bare array, shell style"
assert_eq ok "$(cat chain/status)" "status"
out=$("$PYTHON" - "$steps" <<'PY'
import os, sys
fd = os.open("chain/call", os.O_RDWR)
os.write(fd, sys.argv[1].encode())
print(os.read(fd, 65536).decode(), end="")
PY
)
assert_contains "$out" '"previous": {' "bare array, transaction"
# The same text through toolexec gives the same result.
assert_eq "$("$TOOLEXEC" chain "$steps")" "$(cat chain/result)" "both faces"

# previous_to: json_get takes the previous result as its "json".
echo '[{"tool":"builtin:echo","args":{"size":42}},
       {"tool":"builtin:json_get","args":{"pointer":"/size"},"previous_to":"/json"}]' \
	> chain/call || fail "previous_to refused"
assert_eq '{
  "value": 42
}' "$(cat chain/result)" "previous_to /json"
# The doc's own example runs as written.
sed -n '/^    \[{"tool": "builtin:echo", "args": {"size": 42}},/,/^$/p' chain/doc \
	> "$TMP/example"
[ -s "$TMP/example" ] || fail "the doc's example is missing"
cat "$TMP/example" > chain/call || fail "the doc's example is refused"
assert_contains "$(cat chain/result)" '"value": 42' "the doc's example"
# A non-chain tool still wants an object.
expect_fail sh -c 'echo "[1]" > tools/builtin/echo/call'
assert_contains "$(cat tools/builtin/echo/error)" \
	"arguments must be a JSON object, got array" "array to a tool"
cd /
unmount_fs
