#!/bin/bash
# Limits that end a run by signal are reported as such: a file over the
# file_size limit (SIGXFSZ), a script that ignores SIGXCPU and is killed
# at the hard CPU limit.  And a run whose daemon is gone (the report
# pipe has no reader) is stopped at once, its processes with it.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/p.json" <<'J'
{"standard": {"file_size": "1M", "cpu": 1, "timeout_ms": 120000},
 "hardened": {"file_size": "1M", "cpu": 1, "timeout_ms": 120000}}
J
echo 'exec head -c 2097152 /dev/zero > /tmp/big' > "$TMP/big.sh"
cat > "$TMP/spin.sh" <<'S'
trap '' XCPU
while :; do :; done
S
for prof in standard hardened; do
	run_sb $prof "$TMP/big.sh" -C "$TMP/p.json" || fail "$prof big"
	assert_eq 25 "$(result_field signal)" "$prof: killed by SIGXFSZ"
	assert_eq '["file_size"]' "$(result_field limits_hit)" "$prof big"
	run_sb $prof "$TMP/spin.sh" -C "$TMP/p.json" || fail "$prof spin"
	assert_eq 9 "$(result_field signal)" "$prof: SIGXCPU ignored, SIGKILL"
	assert_eq '["cpu"]' "$(result_field limits_hit)" "$prof spin"
done

# The daemon's end of the report pipe is closed (the reader exits at
# once): the helper stops the run instead of waiting out its 600 s.
tok=$$.$RANDOM
printf 'exec /bin/sleep 599.%s\n' "$tok" > "$TMP/x.sh"
H=$TOOLEXEC_SANDBOX_HELPER
printf '{"version": 1, "mode": "dev", "uid": 65534, "gid": 65534, "timeout_ms": 600000, "limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stdout": 4096, "stderr": 4096}, "work_dir": "/tmp", "script_fd": 7, "script_name": "x.sh", "argv": ["sh", "@SCRIPT@"], "env": []}' > "$TMP/spec"
timeout 60 "$H" 3<"$TMP/spec" 4> >(exit 0) 7<"$TMP/x.sh" </dev/null >/dev/null 2>&1
assert_eq 0 $? "helper exit without a daemon"
if pgrep -f "sleep 599.$tok" >/dev/null; then fail "the script outlived its helper"; fi
