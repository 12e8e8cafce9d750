#!/bin/bash
# URL-mode elicitation shows the URL (elicit/N/url, the message, the
# stream) and opens nothing; `accept` answers it.  A question nobody
# answers is declined when the call's timeout ("timeout_ms") passes, and
# the call goes on; a question still open when its call is cancelled is
# answered `cancel`.  .ctl/pending is empty after each.
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {"ev": {"command": "node", "args": ["$M/server-everything/dist/index.js", "stdio"],
                       "elicitation": "ask", "timeout_ms": 3000}}}
JSON
mount_config "$TMP/cfg"
U=$MNT/tools/ev/trigger-url-elicitation
T=$MNT/tools/ev/trigger-elicitation-request
wait_until test -e "$U/call"

# URL mode.
n=$(cat "$U/clone")
echo '{"url": "https://example.com/connect/7", "message": "Connect your account"}' > "$MNT/jobs/$n/call"
Q=$MNT/jobs/$n/elicit/1
wait_until test -e "$Q/url"
assert_eq "https://example.com/connect/7" "$(cat "$Q/url")" "url"
assert_eq "Connect your account" "$(cat "$Q/message")" "message"
assert_eq "message url answer error" "$(ls -U "$Q" | tr '\n' ' ' | sed 's/ $//')" "a URL question's files"
assert_contains "$(head -1 "$MNT/jobs/$n/stream")" "input_required 1: Connect your account (URL: https://example.com/connect/7) answer in elicit/1/answer" "stream"
assert_eq EINVAL "$(write_errno "$Q/answer" '{"x": 1}')" "content for a URL question"
echo accept > "$Q/answer"
r=$(cat "$MNT/jobs/$n/result")
assert_contains "$r" "User completed the URL elicitation flow." "accepted"
assert_contains "$r" "URL: https://example.com/connect/7" "its URL"

# Nobody answers: declined after timeout_ms; the server then finishes.
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until test -e "$MNT/jobs/$n/elicit/1/message"
assert_contains "$(cat "$MNT/jobs/$n/result")" "User declined to provide the requested information." "declined by timeout"
assert_eq ok "$(cat "$MNT/jobs/$n/status")" "the call ends well"
assert_eq decline "$(cat "$MNT/jobs/$n/elicit/1/answer")" "answer"
assert_contains "$(cat "$MNT/jobs/$n/stream")" "answered 1: decline (no answer within 3000 ms)" "stream"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"

# Cancelled while asked: the question is answered `cancel`.
n=$(cat "$T/clone")
echo '{}' > "$MNT/jobs/$n/call"
wait_until test -e "$MNT/jobs/$n/elicit/1/message"
assert_contains "$(cat "$MNT/.ctl/pending")" "$(printf '%s\t1\tev:trigger-elicitation-request' "$n")" "pending"
echo > "$MNT/jobs/$n/cancel"
assert_eq cancelled "$(cat "$MNT/jobs/$n/status")" "cancelled"
assert_eq cancel "$(cat "$MNT/jobs/$n/elicit/1/answer")" "answer"
assert_eq "" "$(cat "$MNT/.ctl/pending")" "pending empties"
assert_eq EALREADY "$(write_errno "$MNT/jobs/$n/elicit/1/answer" decline)" "too late"
unmount_fs
echo ok
