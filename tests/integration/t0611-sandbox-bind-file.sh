#!/bin/bash
# A single host file bound into a run, read-only or read-write, at a
# path whose directories the new root does not have: the file is there
# and readable, the read-only one cannot be changed, the read-write one
# is written through to the host; in standard and hardened (Landlock
# takes a file's rule as a file's, not a directory's).  And a host
# work directory that does not exist stops the run before the script.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

U=1879048192
echo "settings" > "$TMP/conf"
echo "old" > "$TMP/log"
chown $U:$U "$TMP/log"
cat > "$TMP/f.sh" <<'S'
cat /data/etc/app/conf
if (echo x > /data/etc/app/conf) 2>/dev/null; then echo "ro written"; else echo "ro refused"; fi
echo "from the run" > /data/log && echo "rw written"
S
for prof in standard hardened; do
	echo "old" > "$TMP/log"
	run_sb $prof "$TMP/f.sh" -u $U -g $U -b "$TMP/conf:/data/etc/app/conf" \
		-b "$TMP/log:/data/log:rw" || fail "$prof did not run"
	assert_eq "" "$(result_field error 2>/dev/null)" "$prof error"
	assert_eq 0 "$(result_field exit_code)" "$prof exit"
	assert_eq "settings
ro refused
rw written" "$(cat "$TMP/out")" "$prof output"
	assert_eq "settings" "$(cat "$TMP/conf")" "$prof read-only file"
	assert_eq "from the run" "$(cat "$TMP/log")" "$prof host sees the write"
done

# A host work directory that is not there.
run_sb standard "$TMP/f.sh" -u $U -g $U -w "$TMP/absent" ||
	fail "no report for a missing work directory"
assert_eq -1 "$(result_field exit_code)"
assert_eq "opening $TMP/absent: No such file or directory" "$(result_field error)"
assert_eq "" "$(cat "$TMP/out")" "output of a run that never started"
