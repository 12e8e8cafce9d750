#!/bin/bash
# Each language runs, by extension and by shebang, with the interpreter
# found inside the sandbox; arguments, exit codes and both streams come
# through as the script made them.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/job.sh" <<'S'
echo "sh $1 $2"; echo "to stderr" >&2; exit 3
S
cat > "$TMP/job.py" <<'S'
import sys; print("py", *sys.argv[1:]); sys.exit(4)
S
cat > "$TMP/job.js" <<'S'
console.log("js", process.argv.slice(2).join(" ")); process.exit(5)
S
cat > "$TMP/job.pl" <<'S'
print "pl @ARGV\n"; exit 6;
S
printf '#!/usr/bin/env python3\nimport sys; print("shebang-py", sys.argv[1])\n' > "$TMP/noext"
printf '#!/bin/sh -e\necho "shebang-sh $0"\n' > "$TMP/other.py"
for prof in standard hardened; do
	run_sb $prof "$TMP/job.sh" -- a b || fail "$prof sh did not run"
	assert_eq "sh a b" "$(cat "$TMP/out")" "$prof sh stdout"
	assert_eq "to stderr" "$(cat "$TMP/err")" "$prof sh stderr"
	assert_eq 3 "$(result_field exit_code)" "$prof sh exit"
	assert_eq 0 "$(result_field signal)"
	assert_eq 10 "$(result_field stderr_bytes)"
	for l in py:4 js:5 pl:6; do
		run_sb $prof "$TMP/job.${l%:*}" -- x y || fail "$prof ${l%:*}"
		assert_eq "${l%:*} x y" "$(cat "$TMP/out")" "$prof ${l%:*} stdout"
		assert_eq "${l#*:}" "$(result_field exit_code)" "$prof ${l%:*} exit"
		assert_eq "" "$(result_field error)"
	done
	run_sb $prof "$TMP/noext" -- z || fail "$prof shebang"
	assert_eq "shebang-py z" "$(cat "$TMP/out")"
	# The shebang wins over the extension.
	run_sb $prof "$TMP/other.py" || fail "$prof shebang sh"
	assert_eq "shebang-sh /run/code/other.py" "$(cat "$TMP/out")"
done
