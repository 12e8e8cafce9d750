#!/bin/sh
# Drop a script into code/standard/: it runs once in a sandbox, where the
# mount's tools are at /tools.  Read what it printed and its result.
# Usage: code.sh [MOUNT]
M=${1:-mnt}
S=$M/code/standard
# Writing a file there and closing it runs it (cp works too).
cat > "$S/hello.sh" <<'SCRIPT'
echo "hello from the sandbox"
exec 3<>/tools/builtin/base64/call          # a transaction, from inside
printf '{"text": "code in a sandbox"}' >&3
cat <&3
SCRIPT
result=$(cat "$S/hello.sh.result")   # waits for the end of the run
cat "$S/hello.sh.out"                 # what it printed
echo "$result" | sed -n 's/^  "exit_code": \([0-9-]*\),$/exit_code: \1/p'
echo "tool calls: $(echo "$result" | grep -c '"tool":')"
