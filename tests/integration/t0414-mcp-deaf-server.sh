#!/bin/bash
# A stdio server that stops reading its stdin (its pipe full) holds up
# no FUSE thread: starting calls to it returns at once (sends are
# queued; a FUSE thread used to wait up to 10 s in the write), other
# calls on the mount are answered meanwhile, and the calls to it end
# at their timeout with ETIMEDOUT.
. "$(dirname "$0")/lib.sh"
need_fuse
F=$top/tests/mcp/fake_server.py
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/servers.json" <<JSON
{"mcpServers": {
  "deaf": {"command": "python3", "args": ["$F", "deaf"], "timeout_ms": 12000},
  "other": {"command": "python3", "args": ["$F"]}
}}
JSON
mount_config "$cfg"
for ns in deaf other; do
	for _ in $(seq 300); do
		[ -e "$MNT/tools/$ns/echo/call" ] && break
		sleep 0.1
	done
	[ -e "$MNT/tools/$ns/echo/call" ] || fail "$ns did not list its tools"
done
J=$MNT/jobs
# Arguments larger than a pipe holds, twelve calls: more than libfuse's
# worker threads (10).
big=$(head -c 300000 /dev/zero | tr '\0' x)
ids=""
for _ in $(seq 12); do ids="$ids $(cat "$MNT/tools/deaf/echo/clone")"; done
start=$(date +%s%N)
pids=""
for n in $ids; do
	printf '{"message":"%s"}' "$big" > "$J/$n/call" &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a call's write failed"; done
t=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$t" -lt 7000 ] || fail "starting 12 calls to a server that reads nothing took $t ms"
for n in $ids; do
	st=$(cat "$J/$n/status")
	[ "$st" = running ] || fail "job $n is $st, not running: $(cat "$J/$n/error")"
done
# Meanwhile the mount answers other calls, of other servers too.
start=$(date +%s%N)
exec 3<>"$MNT/tools/builtin/echo/call"
echo '{"text":"still here"}' >&3
assert_contains "$(cat <&3)" "still here" "builtin call meanwhile"
exec 3>&-
echo '{"message":"other"}' > "$MNT/tools/other/echo/call"
assert_eq "echo: other" "$(cat "$MNT/tools/other/echo/result")" "other server meanwhile"
t=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$t" -lt 7000 ] || fail "other calls took $t ms"
# The calls to the deaf server time out as any call does.
for n in $ids; do
	assert_eq ETIMEDOUT "$(read_errno "$J/$n/result")" "job $n"
	assert_eq timeout "$(cat "$J/$n/status")" "status of job $n"
done
unmount_fs
echo ok
