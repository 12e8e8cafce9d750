#!/bin/bash
# Clear errors, never a hang: an unknown language is refused before
# anything starts; a missing interpreter is reported by the run; the
# helper parses its description strictly and says what is wrong.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

echo 'puts 1' > "$TMP/job.rb"
run_sb standard "$TMP/job.rb"
assert_eq 2 $? "unknown language exit"
assert_contains "$(cat "$TMP/err")" 'cannot tell the language of "job.rb"'
if [ -e "$TMP/res" ]; then fail "a run started"; fi

printf '#!/usr/bin/env no-such-interpreter\nputs 1\n' > "$TMP/job"
for prof in standard hardened; do
	run_sb $prof "$TMP/job" || fail "$prof did not report"
	assert_eq -1 "$(result_field exit_code)"
	assert_contains "$(result_field error)" 'interpreter "no-such-interpreter" not found in the sandbox'
done
printf '#!/opt/nowhere/python\n' > "$TMP/job2"
run_sb standard "$TMP/job2" || fail "no report"
assert_contains "$(result_field error)" "interpreter /opt/nowhere/python not found"

# The helper on its own: no protocol descriptors.
out=$("$TOOLEXEC_SANDBOX_HELPER" 2>&1 3>&- 4>&-)
assert_eq 2 $? "helper without descriptors"
assert_contains "$out" "run description on fd 3"
# A description with an unknown key, and one that is not strict JSON.
helper_report() {
	printf '%s' "$1" > "$TMP/spec"
	"$TOOLEXEC_SANDBOX_HELPER" 3<"$TMP/spec" 4>"$TMP/report" </dev/null >/dev/null 2>&1
	cat "$TMP/report"
}
r=$(helper_report '{"version": 1, "mode": "standard", "bogus": 1}')
assert_contains "$r" 'unknown key \"bogus\"'
r=$(helper_report '{"version": 1,}')
assert_contains "$r" "not one strict JSON object"
r=$(helper_report '{"version": 1, "mode": "standard", "uid": 0, "gid": 0, "timeout_ms": 1000, "limits": {"as": 0, "nproc": 0, "cpu": 0, "fsize": 0, "nofile": 0, "stdout": 1, "stderr": 1}, "work_dir": "/tmp", "script_fd": 7, "script_name": "x.sh", "argv": ["sh"], "env": []}')
assert_contains "$r" 'fd 7'
