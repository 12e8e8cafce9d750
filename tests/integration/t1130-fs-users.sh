#!/bin/bash
# Users are kept apart (docs/security.md): on a mount that other users
# may enter (-o allow_other, with and without default_permissions), a
# user sees and touches only their own calls.  Another user's shell-style
# `result` is never shown, even from the same session; another user's
# jobs are not listed and reading, cancelling, starting or removing one
# answers EACCES; root sees every job.  The second user is uid 65534.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to act as a second user"
command -v setpriv >/dev/null || skip "setpriv is not installed"
export LC_ALL=C
U=65534
# The second user must reach the mount point under $TMP.
chmod 0755 "$TMP"
OUT=$TMP/out
mkdir -p "$OUT" && chown $U:$U "$OUT"
# other 'SCRIPT': runs SCRIPT as uid 65534 in the mount, in this session.
other() {
	setpriv --reuid=$U --regid=$U --clear-groups -- \
		bash -c "cd '$MNT' || exit 99; $1" </dev/null 2>&1
}
# otherrc 'SCRIPT': its exit status (the output is dropped).
otherrc() {
	other "$1" >/dev/null
	echo $?
}

run_case() { # MOUNT-OPTIONS
	mount_default -o "$1"
	cd "$MNT" || fail cd
	E=tools/builtin/echo
	# Root's shell-style call, in this session.
	echo '{"who":"root"}' > $E/call
	assert_contains "$(cat $E/result)" '"who": "root"' "$1: root's result"

	# The second user in the very same session has made no call: its
	# `result` is its own (none), never root's.
	assert_eq "cat: $E/result: No data available" \
		"$(other "cat $E/result")" "$1: another user's result in one session"
	assert_eq "cat: $E/result.json: No data available" \
		"$(other "cat $E/result.json")" "$1: result.json of another user"
	# Its own calls work, in every way, and root's result is unchanged.
	assert_contains "$(other "echo '{\"who\":\"u\"}' > $E/call && cat $E/result")" \
		'"who": "u"' "$1: shell style as the second user"
	assert_contains "$(other "exec 3<>$E/call; echo '{\"tx\":\"u\"}' >&3; cat <&3")" \
		'"tx": "u"' "$1: transaction as the second user"
	assert_contains "$(cat $E/result)" '"who": "root"' "$1: root's result after"

	# Root's job: not listed, and every touch answers EACCES.
	# (jobs/ lists started jobs: s is started, r stays new throughout)
	s=$(cat tools/builtin/sleep/clone)
	echo '{"seconds": 0}' > jobs/$s/call
	ls jobs | grep -qx "$s" || fail "$1: root does not see its job"
	other "ls jobs" | grep -qx "$s" && fail "$1: root's job listed for another user"
	r=$(cat tools/builtin/sleep/clone)
	assert_eq "cat: jobs/$r/status: Permission denied" \
		"$(other "cat jobs/$r/status")" "$1: read another user's job"
	assert_contains "$(other "ls jobs/$r")" "Permission denied" "$1: list another user's job"
	# Even right after its owner looked it up (the kernel caches the name
	# for everyone), and not even whose it is.
	ls -l jobs/$r >/dev/null
	assert_contains "$(other "cat jobs/$r/status")" "Permission denied" "$1: read a job cached by its owner"
	assert_contains "$(other "stat -c %u jobs/$r")" "Permission denied" "$1: owner of another user's job"
	assert_contains "$(other "cat jobs/$r/args")" "Permission denied" "$1: args of another user's job"
	assert_contains "$(other "echo > jobs/$r/cancel")" "Permission denied" "$1: cancel another user's job"
	assert_contains "$(other "echo '{\"seconds\":0}' > jobs/$r/call")" \
		"Permission denied" "$1: start another user's job"
	[ "$(otherrc "rm -r jobs/$r")" != 0 ] || fail "$1: rm -r of another user's job succeeded"
	# rmdir: toolexecfs answers EACCES; with default_permissions the
	# kernel answers first, by the sticky rule of jobs/ (as in /tmp).
	case $1 in
	*default_permissions*) denied="Operation not permitted" ;;
	*) denied="Permission denied" ;;
	esac
	assert_eq "rmdir: failed to remove 'jobs/$r': $denied" \
		"$(other "rmdir jobs/$r")" "$1: rmdir another user's job"
	[ "$(otherrc "test -r jobs/$r/result")" != 0 ] || fail "$1: test -r says readable"
	assert_eq new "$(cat jobs/$r/status)" "$1: root's job untouched"

	# The second user's own job: its own to list, run, read and remove;
	# root sees it too.
	n=$(other "cat tools/builtin/sleep/clone")
	case "$n" in ''|*[!0-9]*) fail "$1: clone as the second user: $n" ;; esac
	assert_eq "$U" "$(stat -c %u jobs/$n)" "$1: owner of the second user's job"
	assert_eq ok "$(other "echo '{\"seconds\":0}' > jobs/$n/call && cat jobs/$n/result >/dev/null && cat jobs/$n/status")" \
		"$1: the second user runs its job"
	assert_eq "$n" "$(other "ls jobs" | grep -x "$n")" "$1: the second user lists its job"
	assert_eq ok "$(cat jobs/$n/status)" "$1: root reads the second user's job"
	[ "$(otherrc "test -r jobs/$n/result && test -w jobs/$n/cancel")" = 0 ] ||
		fail "$1: access(2) on one's own job"
	m=$(other "cat tools/builtin/sleep/clone")
	[ "$(otherrc "rm -r jobs/$m")" = 0 ] || fail "$1: the second user cannot rm -r its job: $(other "rm -r jobs/$m")"
	[ -e jobs/$m ] && fail "$1: jobs/$m still there"
	rm -r jobs/$n </dev/null || fail "$1: root cannot rm -r the second user's job"
	rm -r jobs/$r </dev/null || fail "$1: root cannot rm -r its job"

	# The mount's log and reload are the owner's (here root's).
	assert_eq "cat: .ctl/log: Permission denied" "$(other "cat .ctl/log")" "$1: .ctl/log"
	assert_eq "0 400" "$(other "stat -c '%u %a' .ctl/log")" "$1: .ctl/log is seen"
	[ "$(otherrc "test -r .ctl/log")" != 0 ] || fail "$1: test -r .ctl/log"
	assert_contains "$(other "echo > .ctl/reload")" "Permission denied" "$1: .ctl/reload"
	assert_contains "$(other "cat .ctl/stats")" "builtin:echo" "$1: .ctl/stats"
	echo > .ctl/reload || fail "$1: root's reload"

	cd /
	unmount_fs
}

run_case allow_other
run_case allow_other,default_permissions
echo ok
