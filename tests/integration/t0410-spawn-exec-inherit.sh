#!/bin/bash
# What an exec tool's program inherits from the daemon: descriptors 0, 1
# and 2 only (not one the daemon got without close-on-exec), and only
# the documented safe variables (docs/config.md, Environment) plus the
# tool's env: no secret of the daemon's environment.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/t.json" <<'JSON'
{"tools": [
  {"namespace": "t", "name": "inherit", "description": "Prints its descriptors and environment.",
   "input_schema": {"type": "object"}, "stdin": "none", "timeout_ms": 20000,
   "env": {"TOOL_VAR": "from the tool"},
   "command": ["/bin/sh", "-c", "ls -1 /proc/$$/fd; echo --; tr '\\0' '\\n' < /proc/$$/environ"]}
]}
JSON
# Secrets in the daemon's environment, and a descriptor it inherits
# without close-on-exec (as a library's socket would be).
export TX_SECRET_TOKEN=s3cret-token SSH_AUTH_SOCK=$TMP/agent.sock
: > "$TMP/leak"
exec 7<"$TMP/leak"
mount_config "$cfg"
exec 7<&-
unset TX_SECRET_TOKEN SSH_AUTH_SOCK
pid_fd7=$(readlink "/proc/$FS_PID/fd/7")
assert_eq "$TMP/leak" "$pid_fd7" "the daemon holds descriptor 7"

echo '{}' > "$MNT/tools/t/inherit/call"
out=$(cat "$MNT/tools/t/inherit/result") || fail "call"
fds=$(printf '%s\n' "$out" | sed '/^--$/q' | sed '$d' | tr '\n' ' ')
assert_eq "0 1 2 " "$fds" "descriptors of the program"
env_lines=$(printf '%s\n' "$out" | sed '1,/^--$/d')
assert_contains "$env_lines" "TOOL_VAR=from the tool" "the tool's env"
case "$env_lines" in
*TX_SECRET_TOKEN* | *SSH_AUTH_SOCK*) fail "a secret reached the program: $env_lines" ;;
esac
while IFS= read -r kv; do
	case "${kv%%=*}" in
	PATH | HOME | LANG | LC_ALL | LC_CTYPE | TZ | USER | LOGNAME | TMPDIR | TOOL_VAR) ;;
	*) fail "unexpected variable in the program's environment: $kv" ;;
	esac
done <<<"$env_lines"
cd /
unmount_fs
echo ok
