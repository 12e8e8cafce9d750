#!/bin/bash
# hardened takes its limits from cgroup v2 when the v2 hierarchy
# delegates memory and pids to the helper's cgroup (the "0::" line of
# /proc/self/cgroup), and from v1 when it does not.  The delegation is
# staged in a private mount namespace of this test: a tmpfs over the
# cgroup2 mount point, holding the helper's cgroup directory with a
# cgroup.subtree_control that names the controllers; the host's cgroups
# are untouched.  That stand-in has no memory.max, so the v2 set-up
# fails, and says so: once v2 is chosen, nothing falls back to weaker
# limits, the script never runs, and the run's cgroup is removed.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"
command -v unshare >/dev/null || skip "util-linux unshare is missing"
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
[ -n "$own" ] || skip "no cgroup v2 line in /proc/self/cgroup"
echo 'echo ran' > "$TMP/job.sh"

# staged CONTROLLERS: runs the job hardened with a stand-in cgroup2
# whose subtree_control lists CONTROLLERS; $TMP/left lists what the
# run left in the helper's cgroup directory.
staged() {
	rm -f "$TMP/res" "$TMP/left"
	unshare -m --propagation private sh -c '
		own=$1 ctl=$2 tmp=$3
		shift 3
		mnt=$(awk "\$3 == \"cgroup2\" { print \$2; exit }" /proc/self/mounts)
		if [ -z "$mnt" ]; then
			mnt=$tmp/cg2
			mkdir -p "$mnt" && mount -t cgroup2 none "$mnt" || exit 99
		fi
		mount -t tmpfs none "$mnt" || exit 99
		[ "$own" = / ] && own=
		mkdir -p "$mnt$own" &&
			echo "$ctl" > "$mnt$own/cgroup.subtree_control" || exit 99
		"$@"
		rc=$?
		ls -A "$mnt$own" > "$tmp/left"
		exit $rc' sh "$own" "$1" "$TMP" \
		"$RUN" -p hardened -r "$TMP/res" "$TMP/job.sh" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 99 ] && skip "cannot stage a cgroup2 hierarchy here"
	assert_eq 0 $rc "driver with [$1]: $(cat "$TMP/err")"
}

# memory and pids delegated: v2 is chosen; its limits cannot be set.
staged "cpu memory pids"
assert_eq "" "$(cat "$TMP/out")" "the script ran"
assert_eq -1 "$(result_field exit_code)"
assert_eq "hardened: cgroup v2 limits: No such file or directory" \
	"$(result_field error)"
assert_eq "cgroup.subtree_control" "$(cat "$TMP/left")" "left behind"

# pids only: not enough for v2; the v1 hierarchies serve, if there.
mem=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2 }' /proc/self/mounts | head -1)
pids=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2 }' /proc/self/mounts | head -1)
[ -n "$mem" ] && [ -n "$pids" ] || exit 0
staged "cpu pids"
assert_eq ran "$(cat "$TMP/out")"
assert_eq v1 "$(result_field cgroup)"
assert_eq "cgroup.subtree_control" "$(cat "$TMP/left")" "left behind"
