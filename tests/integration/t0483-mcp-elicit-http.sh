#!/bin/bash
# Elicitation as files over Streamable HTTP (server-everything's HTTP
# mode, "elicitation": "ask"): the question comes on the call's own
# response stream and lands in that call's jobs/ID/elicit/1/; written
# answers complete the call (accept) or decline it, .ctl/pending shows
# the question and empties after.  A second server on the same HTTP
# endpoint with "elicitation": "decline" gets each question declined at
# once, and nothing is ever pending for it.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node "$M/server-everything/dist/index.js" streamableHttp >"$TMP/server.log" 2>&1 &
srv=$!
at_exit "kill $srv"
wait_until grep -q "listening" "$TMP/server.log"
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/web.json" <<JSON
{"mcpServers": {
  "web": {"url": "http://127.0.0.1:$port/mcp", "elicitation": "ask"},
  "no": {"url": "http://127.0.0.1:$port/mcp", "elicitation": "decline"}
}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools/web/trigger-elicitation-request
wait_until test -e "$T/call"

# A call of another tool runs meanwhile: it is not asked, and both
# end with their own answers.
s=$(cat "$MNT/tools/web/trigger-long-running-operation/clone")
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until test -e "$MNT/jobs/$n/elicit/1/message"
echo '{"duration": 2, "steps": 2}' > "$MNT/jobs/$s/call"
Q=$MNT/jobs/$n/elicit/1
assert_eq input_required "$(cat "$MNT/jobs/$n/status")" "status while asked"
assert_eq "Please provide inputs for the following fields:" "$(cat "$Q/message")" "message"
assert_eq "$(printf '%s\t1\tweb:trigger-elicitation-request\tPlease provide inputs for the following fields:' "$n")" \
	"$(cat "$MNT/.ctl/pending")" ".ctl/pending"
assert_eq EINVAL "$(write_errno "$Q/answer" '{"name": 5}')" "a name that is not a string"
echo '{"name": "Grace Hopper", "email": "grace@example.com"}' > "$Q/answer" || fail "valid answer refused"
r=$(cat "$MNT/jobs/$n/result")
assert_contains "$r" "User provided the requested information!" "accepted"
assert_contains "$r" "- Name: Grace Hopper" "the name reached the server"
assert_contains "$r" "- Email: grace@example.com" "the email reached the server"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"
assert_contains "$(cat "$MNT/jobs/$s/result")" "Long running operation completed" "the other call"
[ ! -e "$MNT/jobs/$s/elicit/1" ] || fail "the other call was asked"

# decline, written
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until test -e "$MNT/jobs/$n/elicit/1/answer"
assert_contains "$(cat "$MNT/.ctl/pending")" "$(printf '%s\t1\tweb:trigger-elicitation-request' "$n")" "pending"
echo decline > "$MNT/jobs/$n/elicit/1/answer"
assert_contains "$(cat "$MNT/jobs/$n/result")" "User declined to provide the requested information." "declined"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"

# "elicitation": "decline": declared (the tool is offered), declined
# at once, no question kept.
n=$(cat "$MNT/tools/no/trigger-elicitation-request/clone")
echo '{}' > "$MNT/jobs/$n/call"
assert_contains "$(cat "$MNT/jobs/$n/result")" "User declined to provide the requested information." "declined by configuration"
assert_eq "" "$(ls "$MNT/jobs/$n/elicit")" "no question kept"
unmount_fs
echo ok
