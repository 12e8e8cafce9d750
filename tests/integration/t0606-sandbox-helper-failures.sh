#!/bin/bash
# When a run cannot be set up the helper says what failed, and the
# script never runs: a dev work directory that does not exist, an
# interpreter that is no program or not there, a bind that cannot be
# placed, no descriptors left, a seccomp program over the cap, a
# description or script that is a directory.  And a
# daemon that stops reading the output does not stop the run.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"
H=$TOOLEXEC_SANDBOX_HELPER

echo 'echo ran' > "$TMP/x.sh"
printf 'not a program\n' > "$TMP/bad"
chmod 755 "$TMP/bad"
L='"limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stdout": 4096, "stderr": 4096}'
DEV='"version": 1, "mode": "dev", "uid": 65534, "gid": 65534, "timeout_ms": 30000, "script_fd": 7, "script_name": "x.sh", "env": []'
# fails_with DESCRIPTION ERROR: the report has exit_code -1 and ERROR,
# and the script printed nothing.
fails_with() {
	printf '%s' "$1" > "$TMP/spec"
	"$H" 3<"$TMP/spec" 4>"$TMP/report" 7<"$TMP/x.sh" </dev/null >"$TMP/out" 2>&1
	assert_eq 0 $? "helper exit for $1"
	r=$(sed 's|\\/|/|g' "$TMP/report")
	assert_contains "$r" '"exit_code":-1,' "exit code for $1"
	assert_contains "$r" "\"error\":\"$2\"" "error for $1"
	assert_eq "" "$(cat "$TMP/out")" "output for $1"
}
fails_with "{$DEV, $L, \"work_dir\": \"$TMP/absent\", \"argv\": [\"sh\", \"@SCRIPT@\"]}" \
	"chdir $TMP/absent: No such file or directory"
fails_with "{$DEV, $L, \"work_dir\": \"$TMP\", \"argv\": [\"$TMP/bad\", \"@SCRIPT@\"]}" \
	"cannot run $TMP/bad: Exec format error"
# No descriptor left for the helper's own pipes.
(
	ulimit -n 8
	fails_with "{$DEV, $L, \"work_dir\": \"$TMP\", \"argv\": [\"sh\", \"@SCRIPT@\"]}" \
		"pipe: Too many open files"
) || exit 1

# A bind whose mount point would be under a file of the new root.
run_sb standard "$TMP/x.sh" -b "/usr:/etc/hostname/x" || fail "no report"
assert_eq -1 "$(result_field exit_code)"
assert_eq "creating /etc/hostname/x: Not a directory" "$(result_field error)"
assert_eq "" "$(cat "$TMP/out")"

# dev: an interpreter that is not on the PATH.
fails_with "{$DEV, $L, \"work_dir\": \"$TMP\", \"argv\": [\"no-such-interpreter\", \"@SCRIPT@\"]}" \
	'interpreter \"no-such-interpreter\" not found in the sandbox (PATH /usr/local/bin:/usr/bin:/bin)'
# A seccomp program over the helper's 1 MiB cap is refused unread.
head -c $((2 * 1024 * 1024)) /dev/zero > "$TMP/big.bpf"
printf '%s' "{\"version\": 1, \"mode\": \"standard\", \"uid\": 1879048192, \"gid\": 1879048192, \"timeout_ms\": 30000, $L, \"work_dir\": \"$TMP\", \"seccomp_fd\": 5, \"etc_fd\": 8, \"dev_fd\": 9, \"script_fd\": 7, \"script_name\": \"x.sh\", \"argv\": [\"sh\", \"/run/code/x.sh\"], \"env\": []}" > "$TMP/spec"
"$H" 3<"$TMP/spec" 4>"$TMP/report" 5<"$TMP/big.bpf" 7<"$TMP/x.sh" 8<"$TMP" 9<"$TMP" </dev/null >"$TMP/out" 2>&1
assert_contains "$(cat "$TMP/report")" '"error":"reading the seccomp program: File too large"'
assert_eq "" "$(cat "$TMP/out")"

# The daemon stops reading the script's output (the read end is closed
# before the run starts): the run still completes and counts the bytes.
exec {gone}> >(exit 0)
wait $! || true
printf '{%s, %s, "work_dir": "%s", "argv": ["sh", "@SCRIPT@"]}' "$DEV" "$L" "$TMP" > "$TMP/spec"
printf 'echo one\necho two >&2\nexit 3\n' > "$TMP/x.sh"
"$H" 3<"$TMP/spec" 4>"$TMP/report" 7<"$TMP/x.sh" </dev/null 1>&$gone 2>&$gone
exec {gone}>&-
r=$(cat "$TMP/report")
assert_contains "$r" '"exit_code":3,' "a run without a reader"
assert_contains "$r" '"stdout_bytes":4,'
assert_contains "$r" '"stderr_bytes":4,'

# Descriptors that are directories: the description, and (dev) the
# script the helper copies out.
"$H" 3<"$TMP" 4>"$TMP/report" </dev/null >"$TMP/out" 2>&1
assert_contains "$(cat "$TMP/report")" '"error":"reading the run description: Is a directory"'
printf '{%s, %s, "work_dir": "%s", "argv": ["sh", "@SCRIPT@"]}' "$DEV" "$L" "$TMP" > "$TMP/spec"
"$H" 3<"$TMP/spec" 4>"$TMP/report" 7<"$TMP" </dev/null >"$TMP/out" 2>&1
r=$(cat "$TMP/report")
assert_contains "$r" '"exit_code":-1,'
assert_contains "$r" '"error":"reading the script: Is a directory"'
assert_eq "" "$(cat "$TMP/out")"

# standard and hardened: an interpreter the new root does not have.
printf '#!/usr/bin/env no-such-interpreter\necho ran\n' > "$TMP/nope"
for prof in standard hardened; do
	run_sb $prof "$TMP/nope" || fail "$prof: no report"
	assert_eq -1 "$(result_field exit_code)" "$prof exit code"
	assert_contains "$(result_field error)" 'interpreter "no-such-interpreter" not found in the sandbox' "$prof error"
	assert_eq "" "$(cat "$TMP/out")" "$prof output"
done
