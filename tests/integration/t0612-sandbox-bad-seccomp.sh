#!/bin/bash
# A run whose seccomp program is malformed never runs the script
# unfiltered: a program that is not whole instructions, an empty one,
# and one of whole instructions that the kernel does not accept each
# stop the run, with a report that says so.  (The daemon's side is
# real; a wrapper hands the real helper the bad program on fd 5 in
# place of the daemon's.)  A descriptor number that is not an integer
# is refused as such.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"
H=$TOOLEXEC_SANDBOX_HELPER

echo 'echo ran' > "$TMP/x.sh"
# stopped PROFILE PROGRAM ERROR: the run with PROGRAM never started.
# (The helper runs with the daemon's environment, not ours: the
# wrapper names the program itself.)
stopped() {
	printf '#!/bin/sh\nexec "%s" 5<"%s"\n' "$H" "$2" > "$TMP/helper"
	chmod 755 "$TMP/helper"
	TOOLEXEC_SANDBOX_HELPER=$TMP/helper run_sb $1 "$TMP/x.sh" ||
		fail "no report with $2: $(cat "$TMP/err")"
	assert_eq -1 "$(result_field exit_code)" "exit code with $2"
	assert_eq "$3" "$(result_field error)" "error with $2"
	assert_eq "" "$(cat "$TMP/out")" "output with $2"
}

# Seven bytes: not a whole instruction (eight bytes each).
printf '1234567' > "$TMP/short.bpf"
stopped standard "$TMP/short.bpf" "bad seccomp program (7 bytes)"
: > "$TMP/empty.bpf"
stopped hardened "$TMP/empty.bpf" "bad seccomp program (0 bytes)"
# One whole instruction the kernel's checker refuses (opcode 0xffff).
printf '\377\377\0\0\0\0\0\0' > "$TMP/bad.bpf"
stopped standard "$TMP/bad.bpf" "loading the seccomp program: Invalid argument"

# The description names fd 5 as a string.
L='"limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stdout": 4096, "stderr": 4096}'
printf '{"version": 1, "mode": "standard", "uid": 1879048192, "gid": 1879048192, "timeout_ms": 30000, %s, "work_dir": "%s", "seccomp_fd": "5", "etc_fd": 8, "dev_fd": 9, "script_fd": 7, "script_name": "x.sh", "argv": ["sh", "/run/code/x.sh"], "env": []}' \
	"$L" "$TMP" > "$TMP/spec"
"$H" 3<"$TMP/spec" 4>"$TMP/report" 5<"$TMP/bad.bpf" 7<"$TMP/x.sh" 8<"$TMP" 9<"$TMP" \
	</dev/null >"$TMP/out" 2>&1
assert_eq 0 $? "helper exit"
assert_contains "$(cat "$TMP/report")" '"error":"run description: \"seccomp_fd\" must be a non-negative integer"'
assert_eq "" "$(cat "$TMP/out")"
