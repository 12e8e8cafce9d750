#!/bin/sh
# Call a tool three ways from the shell.  Usage: call.sh [MOUNT]
M=${1:-mnt}
cd "$M" || exit 1

# Shell style: write the arguments, then read the result (same session).
echo '{"text": "hello from the shell"}' > tools/builtin/base64/call
cat tools/builtin/base64/result

# Transaction: one descriptor, write then read; no other caller can
# come between.
exec 3<>tools/builtin/echo/call
echo '{"greeting": "hi"}' >&3
cat <&3
exec 3<&-

# Job: an ID any process can follow.
n=$(cat tools/builtin/time/clone)
echo '{}' > jobs/$n/call
cat jobs/$n/result
