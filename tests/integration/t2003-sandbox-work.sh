#!/bin/bash
# What a script leaves in its private /work (a tmpfs of the daemon's) is
# there afterwards; a symlink it leaves does not lead the daemon out
# (tx_sandbox_work_open); /work has the profile's size.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/hand.sh" <<'S'
echo "report of run" > /work/report.txt
ln -s /etc/passwd /work/escape
df -k /work | awk 'NR == 2 { print $2 }'
S
for prof in standard hardened; do
	run_sb $prof "$TMP/hand.sh" -s report.txt || fail "$prof"
	assert_eq 0 "$(result_field exit_code)"
	size=$(head -1 "$TMP/out")
	want=262144
	[ $prof = hardened ] && want=65536
	assert_eq "$want" "$size" "$prof /work size (KiB)"
	assert_eq "report of run" "$(sed -n 2p "$TMP/out")" "$prof handed back"
	run_sb $prof "$TMP/hand.sh" -s escape || fail "$prof"
	assert_eq "show escape: Invalid cross-device link" "$(sed -n 2p "$TMP/out")" \
		"$prof symlink out of /work"
done
# A host directory as /work, bound read-write, is the working directory.
mkdir -p "$TMP/w"
chown 1879048192:1879048192 "$TMP/w"
echo 'echo made > here; pwd' > "$TMP/w.sh"
run_sb standard "$TMP/w.sh" -w "$TMP/w" -u 1879048192 -g 1879048192 || fail "host work"
assert_eq "/work" "$(cat "$TMP/out")"
assert_eq made "$(cat "$TMP/w/here")"
