#!/bin/bash
# Exec tools through the toolexec command, as a person would use them:
# a configuration directory, list, doc, calls that succeed, fail and time
# out, arguments that stay text, and a bad file that hides nothing.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/tools.json" <<'JSON'
{
  "tools": [
    {
      "namespace": "demo",
      "name": "greet",
      "description": "Greets someone by name.",
      "input_schema": {
        "type": "object",
        "properties": {"name": {"type": "string", "description": "Who to greet."}},
        "required": ["name"]
      },
      "command": ["printf", "Hello, %s!\n", "{name}"],
      "stdin": "none",
      "timeout_ms": 5000
    },
    {
      "namespace": "demo",
      "name": "fail",
      "description": "Fails on purpose with a message on standard error.",
      "input_schema": {"type": "object"},
      "command": ["sh", "-c", "echo 'something broke' >&2; exit 4"],
      "stdin": "none",
      "timeout_ms": 5000
    },
    {
      "namespace": "demo",
      "name": "slow",
      "description": "Takes far longer than its timeout.",
      "input_schema": {"type": "object"},
      "command": ["sh", "-c", "sleep 37.0123 & sleep 37.0123; wait"],
      "stdin": "none",
      "timeout_ms": 300,
      "kill_grace_ms": 200
    },
    {
      "namespace": "demo",
      "name": "json",
      "description": "Prints a JSON object.",
      "input_schema": {"type": "object"},
      "command": ["printf", "{\"answer\": 42}"],
      "stdin": "none",
      "timeout_ms": 5000
    },
    {
      "namespace": "demo",
      "name": "stdin_json",
      "description": "Echoes its arguments from standard input.",
      "input_schema": {"type": "object", "properties": {"x": {"type": "integer"}}},
      "command": ["cat"],
      "stdin": "json",
      "timeout_ms": 5000
    }
  ]
}
JSON
# A broken file next to the good one.
echo '{"tools": [{"namespace": "bad", "name": "x"}]' > "$TMP/cfg/broken.json"
# A tool that lacks a required key: refused, and so is its file.
cat > "$TMP/cfg/notimeout.json" <<'JSON'
{"tools": [{"namespace": "bad", "name": "notimeout",
  "description": "Forgets how long it may run.",
  "input_schema": {"type": "object"}, "command": ["true"], "stdin": "none"}]}
JSON
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }

list=$(tx list 2>"$TMP/list.err") || fail "list failed"
for id in demo:greet demo:fail demo:slow demo:json demo:stdin_json; do
	assert_contains "$list" "$id"$'\t' "list"
done
assert_contains "$list" $'demo:greet\tGreets someone by name.' "summary"
case "$list" in *bad:*) fail "a broken file's tool is listed" ;; esac
# The broken file is reported with its path and what is wrong.
"$TOOLEXEC" -v -c "$TMP/cfg" list 2>"$TMP/v.err" >/dev/null
assert_contains "$(cat "$TMP/v.err")" "broken.json: \$: unexpected end of JSON text" "log"
assert_contains "$(cat "$TMP/v.err")" "notimeout.json: \$.tools[0]: missing required key \"timeout_ms\"" "log"
status=$(tx status)
assert_contains "$status" "broken.json" "status"
assert_contains "$status" "notimeout.json: \$.tools[0]: missing required key \"timeout_ms\"" "status"
assert_contains "$status" "file tools.json ok" "status"

doc=$(tx doc demo:greet) || fail "doc failed"
assert_contains "$doc" "# demo:greet" "doc title"
assert_contains "$doc" '`name`' "doc parameter table"
assert_contains "$doc" "local command: printf" "doc says where it runs"

# Success.
out=$(tx call demo:greet '{"name": "World"}') || fail "greet failed"
assert_eq "Hello, World!" "$out" "greet result"
out=$(echo '{"name": "from stdin"}' | tx call demo:greet -) || fail "greet - failed"
assert_eq "Hello, from stdin!" "$out" "greet from stdin"
out=$(tx call demo:stdin_json '{"x": 5}') || fail "stdin_json failed"
assert_eq '{"x": 5}' "$out" "arguments on standard input"

# Arguments never meet a shell.
out=$(tx call demo:greet "{\"name\": \"\$(touch $TMP/pwned); rm -rf ~\"}") ||
	fail "greet with shell text failed"
assert_eq "Hello, \$(touch $TMP/pwned); rm -rf ~!" "$out" "inert argument"
[ ! -e "$TMP/pwned" ] || fail "an argument was run by a shell"

# JSON output is structured content in the envelope.
env=$(tx call demo:json '{}' --json) || fail "json failed"
assert_contains "$env" '"structuredContent"' "envelope"
assert_contains "$env" '"answer": 42' "envelope"

# Failure: non-zero exit, the tool's words on stderr.
if out=$(tx call demo:fail '{}' 2>"$TMP/fail.err"); then
	fail "a failing tool exited 0"
fi
assert_contains "$(cat "$TMP/fail.err") $out" "something broke" "failure text"
assert_contains "$(cat "$TMP/fail.err") $out" "exit status 4" "exit status"

# Invalid arguments are refused before anything runs.
expect_fail tx call demo:greet '{}' 2>/dev/null
expect_fail tx call demo:greet '{"name": 5}' 2>/dev/null

# Timeout: fails fast, and leaves no process behind.
start=$(date +%s)
if tx call demo:slow '{}' 2>"$TMP/slow.err"; then
	fail "a timed-out call exited 0"
fi
[ $(( $(date +%s) - start )) -lt 10 ] || fail "the timeout did not stop the call"
assert_contains "$(cat "$TMP/slow.err")" "time" "timeout message"
# (a duration no other program uses, so the check sees only ours; the
# killed processes may take a moment to go)
if ! (wait_until not pgrep -f "sleep 37.0123"); then
	ps -eo pid,ppid,pgid,stat,args | grep "sleep 37.0123" | grep -v grep >&2
	fail "a timed-out call left processes behind"
fi

# No such tool.
expect_fail tx call demo:nope '{}' 2>/dev/null
echo "ok"
