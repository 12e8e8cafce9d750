#!/bin/bash
# Elicitation as files, server-everything over stdio ("elicitation":
# "ask"): while trigger-elicitation-request waits, the job's status is
# input_required, its stream says so, jobs/ID/elicit/1/ holds the
# message and the requested schema, and .ctl/pending lists the question.
# An answer the schema refuses fails close() with EINVAL and `error`
# says why; a valid one completes the call with it, and pending empties.
# A second call is declined with the word `decline`.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
                       "elicitation": "ask"}}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/ev/trigger-elicitation-request
wait_until test -e "$T/call"
# URL mode was declared too: the server offers its URL tool.
[ -d "$MNT/tools/ev/trigger-url-elicitation" ] || fail "URL elicitation not declared"

n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
Q=$MNT/jobs/$n/elicit/1
wait_until test -e "$Q/message"
assert_eq input_required "$(cat "$MNT/jobs/$n/status")" "status while asked"
assert_eq "Please provide inputs for the following fields:" "$(cat "$Q/message")" "message"
assert_eq "message schema answer error" "$(ls -U "$Q" | tr '\n' ' ' | sed 's/ $//')" "a form question's files"
python3 - "$Q/schema" <<'PY' || fail "schema is not the requested one"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["required"] == ["name"], s
assert s["properties"]["integer"]["maximum"] == 100, s
PY
assert_eq "1" "$(ls "$MNT/jobs/$n/elicit")" "elicit/"
assert_eq ENOENT "$(read_errno "$Q/url")" "a form has no url"
assert_eq ENOENT "$(read_errno "$MNT/jobs/$n/elicit/2/message")" "no second question"
assert_eq EACCES "$(write_errno "$Q/message" x)" "message is read-only"
assert_contains "$(head -1 "$MNT/jobs/$n/stream")" "input_required 1: Please provide inputs for the following fields: answer in elicit/1/answer" "stream"
assert_eq "$(printf '%s\t1\tev:trigger-elicitation-request\tPlease provide inputs for the following fields:' "$n")" \
	"$(cat "$MNT/.ctl/pending")" ".ctl/pending"
assert_eq "" "$(cat "$Q/answer")" "no answer yet"

# Checked with our validator: a missing required field, an out-of-range
# integer, not JSON.  The question stays open.
assert_eq EINVAL "$(write_errno "$Q/answer" '{"integer": 7}')" "missing name"
assert_contains "$(cat "$Q/error")" "name" "error names the missing field"
assert_eq EINVAL "$(write_errno "$Q/answer" '{"name": "Ada", "integer": 500}')" "integer over maximum"
assert_contains "$(cat "$Q/error")" "/integer" "error names the field"
assert_eq EINVAL "$(write_errno "$Q/answer" 'maybe')" "neither JSON nor a word"
assert_eq input_required "$(cat "$MNT/jobs/$n/status")" "still asked"

echo '{"name": "Ada Lovelace", "check": true, "integer": 7}' > "$Q/answer" || fail "valid answer refused"
r=$(cat "$MNT/jobs/$n/result")
assert_contains "$r" "User provided the requested information!" "accepted"
assert_contains "$r" "- Name: Ada Lovelace" "the name reached the server"
assert_contains "$r" "- Favorite Integer: 7" "the integer reached the server"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "status after"
assert_eq '{"name":"Ada Lovelace","check":true,"integer":7}' "$(cat "$Q/answer")" "the answer given"
assert_eq "" "$(cat "$Q/error")" "no error after a valid answer"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"
assert_contains "$(cat "$MNT/jobs/$n/stream")" "answered 1: accept" "stream"
assert_eq EALREADY "$(write_errno "$Q/answer" 'decline')" "answered twice"

# decline
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until test -e "$MNT/jobs/$n/elicit/1/answer"
echo decline > "$MNT/jobs/$n/elicit/1/answer"
assert_contains "$(cat "$MNT/jobs/$n/result")" "User declined to provide the requested information." "declined"
assert_eq decline "$(cat "$MNT/jobs/$n/elicit/1/answer")" "the answer given"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"

# Nothing is left open; rm -r walks into elicit/ and removes the job.
rm -r "$MNT/jobs/$n" || fail "rm -r of a job with a question"
[ ! -e "$MNT/jobs/$n" ] || fail "the job is still there"
assert_contains "$(cat "$MNT/.ctl/stats")" "$(printf 'open_files\t0')" "open files"
unmount_fs
echo ok
