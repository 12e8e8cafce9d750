#!/bin/bash
# toolexec code's exit status stands for the run: 0 for a clean exit, a
# signal as 128+N (and `signal` in the result), and its option forms:
# --profile=NAME, a script read from standard input (`-`).
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

printf 'echo fine\n' > "$TMP/ok.sh"
code_run "$TMP/ok.sh"
assert_eq 0 "$rc" "clean exit"
assert_eq fine "$(cat "$TMP/out")"
assert_eq "" "$(cat "$TMP/err")"

printf 'echo dying\nkill -9 $$\necho never\n' > "$TMP/kill.sh"
code_run --profile=hardened "$TMP/kill.sh"
assert_eq 137 "$rc" "killed by SIGKILL"
assert_eq dying "$(cat "$TMP/out")"
assert_eq 9 "${R[signal]}"
assert_eq -1 "${R[exit_code]}"
assert_eq hardened "${R[profile]}"

# From standard input: no file name, so the shebang tells the language.
printf '#!/usr/bin/env perl\nprint "from stdin $ARGV[0]\\n";\n' |
	timeout 120 "$TOOLEXEC" code --result "$TMP/res" - arg >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "stdin exit status"
load_result
assert_eq "from stdin arg" "$(cat "$TMP/out")"
assert_eq stdin "${R[name]}"
assert_eq perl "${R[language]}"

# Usage errors.
"$TOOLEXEC" code 2>"$TMP/err"
assert_eq 2 $? "no script"
assert_contains "$(cat "$TMP/err")" "usage: toolexec code"
"$TOOLEXEC" code --bogus "$TMP/ok.sh" 2>"$TMP/err"
assert_eq 2 $? "unknown option"
"$TOOLEXEC" code "$TMP/nonexistent.sh" 2>"$TMP/err"
assert_eq 125 $? "missing script"
assert_eq "toolexec: $TMP/nonexistent.sh: No such file or directory" "$(cat "$TMP/err")"
