#!/bin/bash
# A script whose language cannot be told does not hang and does not
# run: the reason is on stderr and in the result, and toolexec exits
# 125 (the script did not run).  A broken shebang is reported the same.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

echo 'print 1' > "$TMP/job.xyz"
code_run "$TMP/job.xyz"
assert_eq 125 "$rc" "exit status"
assert_eq "" "$(cat "$TMP/out")" "stdout"
why='cannot tell the language of "job.xyz": no "#!" line and not one of .sh, .bash, .py, .js, .mjs, .cjs, .pl'
assert_eq "toolexec: $why" "$(cat "$TMP/err")" "stderr"
assert_eq "$why" "${R[error]}"
assert_eq -1 "${R[exit_code]}"
assert_eq null "${R[language]}"
assert_eq false "${R[timed_out]}"

printf '#!\necho hi\n' > "$TMP/empty-shebang"
code_run "$TMP/empty-shebang"
assert_eq 125 "$rc" "empty shebang"
assert_eq "the shebang line names no interpreter" "${R[error]}"
# A shebang naming an interpreter the sandbox does not have: the
# helper says so.
printf '#!/usr/bin/no-such-interpreter\necho hi\n' > "$TMP/missing"
code_run "$TMP/missing"
assert_eq 125 "$rc" "missing interpreter"
assert_contains "${R[error]}" "no-such-interpreter"
