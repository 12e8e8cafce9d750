#!/bin/bash
# "success_codes" says which exit statuses of an exec tool mean success:
# grep -c exits 1 when nothing matches, and that is an answer ("0"), not
# a failure.  Bad values are refused with the JSON path.
. "$(dirname "$0")/lib.sh"
D=$TMP/conf
mkdir -p "$D"
tool() { # tool NAME SUCCESS_CODES_JSON_OR_EMPTY
	local extra=""
	[ -n "$2" ] && extra=", \"success_codes\": $2"
	cat <<JSON
{"namespace": "t", "name": "$1", "description": "count matching lines",
 "input_schema": {"type": "object", "required": ["text", "word"],
   "properties": {"text": {"type": "string"}, "word": {"type": "string"}}},
 "command": ["grep", "-c", "-e", "{word}"], "stdin": "{text}",
 "timeout_ms": 5000$extra}
JSON
}
echo "{\"tools\": [$(tool plain ''), $(tool counted '[0, 1]')]}" > "$D/t.json"
"$TOOLEXEC" -c "$D" check || fail "the configuration is refused"
args='{"text": "a\nb\n", "word": "zzz"}'
rc=0
"$TOOLEXEC" -c "$D" call t:plain "$args" > "$TMP/out" 2> "$TMP/err" || rc=$?
assert_eq 1 "$rc" "exit status 1 without success_codes is a failure"
assert_contains "$(cat "$TMP/err")" "exit status 1" "why"
assert_eq 0 "$("$TOOLEXEC" -c "$D" call t:counted "$args")" "exit status 1 listed: the answer"
assert_eq 1 "$("$TOOLEXEC" -c "$D" call t:counted '{"text": "a\nzzz\n", "word": "zzz"}')" "a match"
# Exit status 2 (a bad pattern) is still a failure.
rc=0
"$TOOLEXEC" -c "$D" call t:counted '{"text": "a", "word": "["}' > /dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "exit status 2 is not listed"

for bad in '[]' '[256]' '[-1]' '["0"]' '0' '[1.5]'; do
	echo "{\"tools\": [$(tool bad "$bad")]}" > "$D/t.json"
	rc=0
	"$TOOLEXEC" -c "$D" check 2> "$TMP/err" || rc=$?
	assert_eq 1 "$rc" "success_codes $bad accepted"
	assert_contains "$(cat "$TMP/err")" '$.tools[0].success_codes' "the path for $bad"
done
