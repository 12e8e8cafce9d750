#!/bin/bash
# hardened never runs weaker than promised: without a cgroup memory
# controller it refuses to start, says why, and the script never runs.
# (The controller is hidden in a private mount namespace of this test;
# the host's mounts are untouched.)
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"
command -v unshare >/dev/null || skip "util-linux unshare is missing"

echo 'echo ran' > "$TMP/job.sh"
run_sb hardened "$TMP/job.sh" || fail "hardened did not run"
assert_eq ran "$(cat "$TMP/out")"
assert_contains "$(cat "$TMP/res")" '"cgroup": "v'

mem=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2 }' /proc/self/mounts | head -1)
[ -n "$mem" ] || skip "no cgroup v1 memory hierarchy to hide"
unshare -m --propagation private sh -c '
	umount -l "$1" || exit 99
	shift
	exec "$@"' sh "$mem" "$RUN" -p hardened -r "$TMP/res" "$TMP/job.sh" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 99 ] && skip "cannot hide the memory controller here"
assert_eq 0 $rc "driver"
assert_eq "" "$(cat "$TMP/out")" "the script ran"
assert_contains "$(result_field error)" "hardened: no cgroup memory controller"
# standard does not promise cgroups: it runs there.
unshare -m --propagation private sh -c '
	umount -l "$1" || exit 99
	shift
	exec "$@"' sh "$mem" "$RUN" -p standard -r "$TMP/res" "$TMP/job.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq ran "$(cat "$TMP/out")"
