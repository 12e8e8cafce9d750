#!/bin/bash
# Host directories bound into a run: a read-only bind can be read and not
# changed, a read-write bind is written through to the host, in standard
# (namespaces) and hardened (plus Landlock) alike; a bind whose source
# does not exist stops the run before the script starts.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

U=1879048192
mkdir -p "$TMP/ro/sub" "$TMP/rw"
echo "from the host" > "$TMP/ro/sub/f"
chown $U:$U "$TMP/rw"
cat > "$TMP/b.sh" <<'S'
cat /data/ro/sub/f
if (echo x > /data/ro/sub/new) 2>/dev/null; then echo "ro written"; else echo "ro refused"; fi
echo "from the run" > /data/rw/out && echo "rw written"
S
for prof in standard hardened; do
	rm -f "$TMP/rw/out"
	run_sb $prof "$TMP/b.sh" -u $U -g $U -b "$TMP/ro:/data/ro" \
		-b "$TMP/rw:/data/rw:rw" || fail "$prof did not run"
	assert_eq 0 "$(result_field exit_code)" "$prof exit"
	assert_eq "from the host
ro refused
rw written" "$(cat "$TMP/out")" "$prof output"
	assert_eq "from the run" "$(cat "$TMP/rw/out")" "$prof host sees the write"
	[ ! -e "$TMP/ro/sub/new" ] || fail "$prof wrote through a read-only bind"
done

# The source is missing: the run is reported as never started.
run_sb standard "$TMP/b.sh" -u $U -g $U -b "$TMP/absent:/data/ro" ||
	fail "no report for a missing bind source"
assert_eq -1 "$(result_field exit_code)"
assert_contains "$(result_field error)" "opening $TMP/absent: No such file or directory"
assert_eq "" "$(cat "$TMP/out")" "output of a run that never started"
