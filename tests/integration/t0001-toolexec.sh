#!/bin/bash
# toolexec as a person uses it, on the embedded default: list, doc,
# schema, calls that succeed, fail and time out, chains, exit codes.
. "$(dirname "$0")/lib.sh"

out=$("$TOOLEXEC" list) || fail "list"
assert_contains "$out" "builtin:echo	Echo the arguments back"
assert_contains "$out" "builtin:sleep	"
# One tool a line: ID, a tab, a summary.
bad=$(printf '%s\n' "$out" | grep -cv '^[^	:]*:[^	]*	.')
assert_eq 0 "$bad" "lines not shaped ID<TAB>summary"

doc=$("$TOOLEXEC" doc builtin:sleep) || fail "doc"
assert_contains "$doc" "# builtin:sleep"
assert_contains "$doc" "| \`seconds\` | number | yes |"
"$TOOLEXEC" schema builtin:sleep | grep -q '"required"' || fail "schema"

# A successful call prints what `result` shows.
out=$("$TOOLEXEC" call builtin:echo '{"name":"World"}') || fail "echo"
assert_contains "$out" '"name": "World"'
out=$(echo '{"text":"hi"}' | "$TOOLEXEC" call builtin:base64 -) || fail "stdin args"
assert_eq "aGk=" "$out"
out=$("$TOOLEXEC" call --json builtin:echo '{"a":1}') || fail "--json"
assert_contains "$out" '"status": "ok"'
assert_contains "$out" '"structuredContent"'

# Failures: exit codes and the reason on stderr.
"$TOOLEXEC" call builtin:nope '{}' 2>"$TMP/err"; assert_eq 3 $? "no tool"
assert_contains "$(cat "$TMP/err")" 'no tool "builtin:nope"'
"$TOOLEXEC" call builtin:sleep '{"seconds":"x"}' 2>"$TMP/err"; assert_eq 2 $? "bad args"
assert_contains "$(cat "$TMP/err")" '/seconds: expected number'
"$TOOLEXEC" call builtin:echo '{"a":' 2>"$TMP/err"; assert_eq 2 $? "bad json"
"$TOOLEXEC" call builtin:base64 '{"text":"!!","mode":"decode"}' >"$TMP/out" 2>"$TMP/err"
assert_eq 1 $? "isError"
assert_contains "$(cat "$TMP/out")" "not valid base64"
"$TOOLEXEC" bogus 2>/dev/null; assert_eq 2 $? "unknown command"

# A call that outlives its timeout: the message names the limit and the
# key that sets it.
mkdir -p "$TMP/slowcfg"
cat > "$TMP/slowcfg/slow.json" <<'JSON'
{"tools": [{"namespace": "t", "name": "slow", "description": "Sleeps past its timeout.",
  "input_schema": {"type": "object"}, "stdin": "none", "command": ["sleep", "30"], "timeout_ms": 300}]}
JSON
start=$(date +%s)
"$TOOLEXEC" -c "$TMP/slowcfg" call t:slow 2>"$TMP/err"; assert_eq 124 $? "timeout"
assert_contains "$(cat "$TMP/err")" "timeout"
assert_contains "$(cat "$TMP/err")" "within 300 ms" "the limit"
assert_contains "$(cat "$TMP/err")" '"timeout_ms"' "the key"
[ $(( $(date +%s) - start )) -lt 25 ] || fail "timeout took too long"

# Ctrl-C cancels the call (sent once toolexec has its handler).
"$TOOLEXEC" call builtin:sleep '{"seconds":9}' 2>"$TMP/err" &
pid=$!
wait_until sigint_caught $pid "$TOOLEXEC"
kill -INT $pid
wait $pid; assert_eq 130 $? "interrupted"
assert_contains "$(cat "$TMP/err")" "cancelled"

# Chains, in both shapes.
out=$("$TOOLEXEC" chain '[{"tool":"builtin:echo","args":{"v":1}},{"tool":"builtin:echo","use_previous":true}]') || fail "chain"
assert_contains "$out" '"previous"'
out=$(echo '{"steps":[{"tool":"builtin:base64","args":{"text":"!","mode":"decode"}},{"tool":"builtin:echo"}]}' |
	"$TOOLEXEC" chain --json -)
assert_eq 1 $? "failing chain"
assert_contains "$out" '"status": "error"'
"$TOOLEXEC" chain '[{"tool":"no:such"}]' 2>"$TMP/err"; assert_eq 2 $? "bad chain"
assert_contains "$(cat "$TMP/err")" '/steps/0/tool'

"$TOOLEXEC" status | grep -q '^version ' || fail "status"
"$TOOLEXEC" --help | grep -q 'usage: toolexec' || fail "--help"
"$TOOLEXEC" --version | grep -q '^toolexec ' || fail "--version"
echo "ok"
