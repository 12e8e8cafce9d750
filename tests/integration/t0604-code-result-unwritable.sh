#!/bin/bash
# toolexec code --result FILE: when FILE cannot be written the run still
# happened (its output is shown), stderr says why, and the exit status
# is the run's, or 1 when the run itself succeeded.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

R="$TMP/no/such/dir/r.json"
printf 'echo ran\nexit 4\n' > "$TMP/four.sh"
"$TOOLEXEC" code --result "$R" "$TMP/four.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq 4 $? "status of a failing run"
assert_eq ran "$(cat "$TMP/out")"
assert_eq "toolexec: $R: No such file or directory" "$(cat "$TMP/err")"

printf 'echo ran\n' > "$TMP/ok.sh"
"$TOOLEXEC" code --result="$R" "$TMP/ok.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq 1 $? "status of a clean run whose result was not written"
assert_eq ran "$(cat "$TMP/out")"
assert_eq "toolexec: $R: No such file or directory" "$(cat "$TMP/err")"
