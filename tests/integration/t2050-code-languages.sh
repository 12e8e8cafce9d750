#!/bin/bash
# toolexec code runs each supported language, told by the extension or
# by the shebang, in standard and hardened: both streams come through
# exactly, the arguments reach the script, the exit status is the
# script's, and the result says what ran.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

cat > "$TMP/job.sh" <<'S'
echo "sh $1 $2"; echo "sh to stderr" >&2; exit 3
S
cat > "$TMP/job.py" <<'S'
import sys; print("py", *sys.argv[1:]); print("py to stderr", file=sys.stderr); sys.exit(4)
S
cat > "$TMP/job.js" <<'S'
console.log("js", process.argv.slice(2).join(" ")); console.error("js to stderr"); process.exit(5)
S
cat > "$TMP/job.pl" <<'S'
print "pl @ARGV\n"; print STDERR "pl to stderr\n"; exit 6;
S
printf '#!/usr/bin/env python3\nimport sys; print("shebang", sys.argv[1])\n' > "$TMP/noext"
for prof in standard hardened; do
	for l in sh:3:shell py:4:python js:5:javascript pl:6:perl; do
		ext=${l%%:*}; rest=${l#*:}; want=${rest%%:*}; lang=${rest#*:}
		code_run -p $prof "$TMP/job.$ext" a b
		assert_eq "$want" "$rc" "$prof $ext exit status"
		assert_eq "$ext a b" "$(cat "$TMP/out")" "$prof $ext stdout"
		assert_eq "$ext to stderr" "$(cat "$TMP/err")" "$prof $ext stderr"
		assert_eq "$want" "${R[exit_code]}" "$prof $ext exit_code"
		assert_eq 0 "${R[signal]}"
		assert_eq "$lang" "${R[language]}" "$prof $ext language"
		assert_eq "$prof" "${R[profile]}"
		assert_eq "job.$ext" "${R[name]}"
		assert_eq false "${R[timed_out]}"
		assert_eq "[]" "${R[limits_hit]}"
		assert_eq "[]" "${R[tool_calls]}"
		assert_eq null "${R[error]}"
	done
	code_run -p $prof "$TMP/noext" z
	assert_eq 0 "$rc" "$prof shebang exit status"
	assert_eq "shebang z" "$(cat "$TMP/out")"
	assert_eq python "${R[language]}"
done
# Without --result the result follows the script's stderr; with --json
# it follows its stdout.
"$TOOLEXEC" code "$TMP/job.py" x >"$TMP/out" 2>"$TMP/err"
assert_eq 4 $? "plain exit status"
assert_eq "py x" "$(cat "$TMP/out")"
assert_eq "py to stderr" "$(head -n 1 "$TMP/err")"
tail -n +2 "$TMP/err" > "$TMP/res2"
assert_eq 4 "$(field exit_code "$TMP/res2")" "result on stderr"
"$TOOLEXEC" code --json "$TMP/job.py" x >"$TMP/out" 2>"$TMP/err"
assert_eq 4 $? "--json exit status"
assert_eq "py x" "$(head -n 1 "$TMP/out")"
assert_eq "py to stderr" "$(cat "$TMP/err")"
tail -n +2 "$TMP/out" > "$TMP/res2"
assert_eq 4 "$(field exit_code "$TMP/res2")" "result on stdout"
