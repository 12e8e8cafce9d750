#!/bin/bash
# "sampling": {"command": [...]}: we declare the sampling capability, and
# each sampling/createMessage of the server (server-everything's
# trigger-sampling-request) is answered by the command: the request's
# params as JSON on its stdin, its stdout (a CreateMessageResult) the
# answer.  A command that fails or outlives its timeout_ms gets the
# server a JSON-RPC error; a server without "sampling" is not offered it
# (server-everything then has no such tool).
. "$(dirname "$0")/lib.sh"
need_fuse
need_mcp_servers
mkdir -p "$TMP/cfg"
cat > "$TMP/sample.py" <<'PY'
import json, sys
req = json.load(sys.stdin)
with open(sys.argv[1], "w") as f:
    json.dump(req, f)
text = req["messages"][0]["content"]["text"]
print(json.dumps({"role": "assistant", "model": "local-test", "stopReason": "endTurn",
                  "content": {"type": "text", "text": "sampled <%s> max %d" % (text, req["maxTokens"])}}))
PY
EV=$M/server-everything/dist/index.js
cat > "$TMP/cfg/ev.json" <<JSON
{"mcpServers": {
  "ev": {"command": "node", "args": ["$EV", "stdio"],
         "sampling": {"command": ["$PYTHON", "$TMP/sample.py", "$TMP/seen.json"]}},
  "bad": {"command": "node", "args": ["$EV", "stdio"],
          "sampling": {"command": ["sh", "-c", "cat > /dev/null; echo nonsense; exit 3"]}},
  "slow": {"command": "node", "args": ["$EV", "stdio"],
           "sampling": {"command": ["$PYTHON", "-c", "import time; time.sleep(60)", "$TMP/slow-marker"], "timeout_ms": 300}},
  "none": {"command": "node", "args": ["$EV", "stdio"]}
}}
JSON
mount_config "$TMP/cfg"
T=$MNT/tools
wait_until -t 60 test -e "$T/ev/trigger-sampling-request/call"
wait_until -t 60 test -e "$T/none/echo/call"

echo '{"prompt": "two words", "maxTokens": 7}' > "$T/ev/trigger-sampling-request/call"
res=$(cat "$T/ev/trigger-sampling-request/result")
assert_contains "$res" "LLM sampling result:" "the tool's result"
assert_contains "$res" '"text": "sampled <Resource trigger-sampling-request context: two words> max 7"' "the command's answer"
assert_contains "$res" '"model": "local-test"' "the command's model"
assert_eq "7 You are a helpful test server." \
	"$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["maxTokens"], r["systemPrompt"])' "$TMP/seen.json")" "the params on stdin"

# A command that fails, one that takes too long: the call fails with
# the server's report of our error.
echo '{"prompt": "x"}' > "$T/bad/trigger-sampling-request/call"
assert_contains "$(cat "$T/bad/trigger-sampling-request/result" 2>&1; cat "$T/bad/trigger-sampling-request/error")" "sampling command failed: it exited with 3" "a failing command"
echo '{"prompt": "x"}' > "$T/slow/trigger-sampling-request/call"
assert_contains "$(cat "$T/slow/trigger-sampling-request/result" 2>&1; cat "$T/slow/trigger-sampling-request/error")" "sampling command failed: no answer within 300 ms" "a command past its timeout"
# Meanwhile nothing of ours waited: the killed command is gone.
not pgrep -f "$TMP/slow-marker" > /dev/null || fail "the sampling command outlived its timeout"

# Without "sampling" the capability is not declared.
[ ! -e "$T/none/trigger-sampling-request" ] || fail "sampling offered without a command"
unmount_fs
echo ok
