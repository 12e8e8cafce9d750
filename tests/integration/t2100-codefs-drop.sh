#!/bin/bash
# code/ of the mount: one directory per enabled profile; a script copied
# into one runs once, and NAME.out, NAME.err, NAME.result and NAME.work/
# appear beside it; the run is a job in jobs/; a second drop with the
# same name replaces the files by the new run's; bad input has clear
# errnos.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
C=$MNT/code
assert_eq "hardened standard" "$(ls "$C" | tr '\n' ' ' | sed 's/ $//')" "code/ lists the enabled profiles"

cat > "$TMP/hello.sh" <<'S'
echo "out one"; echo "err one" >&2
mkdir -p sub; echo "a report" > report.txt; echo deep > sub/deep.txt
ln -s /etc/shadow link; exit 3
S
drop "$TMP/hello.sh"
# Listed as soon as cp has returned.
assert_eq "hello.sh hello.sh.err hello.sh.out hello.sh.result hello.sh.work" \
	"$(ls "$C/standard" | tr '\n' ' ' | sed 's/ $//')" "the files beside a drop"
result hello.sh
assert_eq 3 "${R[exit_code]}" "exit_code"
assert_eq standard "${R[profile]}"
assert_eq shell "${R[language]}"
assert_eq "out one" "$(cat "$C/standard/hello.sh.out")" "NAME.out"
assert_eq "err one" "$(cat "$C/standard/hello.sh.err")" "NAME.err"
# What the script left in /work: files and directories, never a link.
assert_eq "report.txt sub" "$(ls "$C/standard/hello.sh.work" | tr '\n' ' ' | sed 's/ $//')" "NAME.work/"
assert_eq "a report" "$(cat "$C/standard/hello.sh.work/report.txt")"
assert_eq deep "$(cat "$C/standard/hello.sh.work/sub/deep.txt")"
[ -e "$C/standard/hello.sh.work/link" ] && fail "a link out of /work is shown"
assert_eq EACCES "$(write_errno "$C/standard/hello.sh.work/report.txt" x)" "NAME.work is read-only"
# The run is a job.
j=${R[job]}
assert_eq error "$(cat "$MNT/jobs/$j/status")" "the run's job"
assert_eq code:standard "$(cat "$MNT/jobs/$j/tool")"
assert_contains "$(cat "$MNT/jobs/$j/stream")" "out one" "the job's stream"

# A second drop with the same name: a new run, whose files replace the
# first's.
printf 'echo "out two"\n' > "$TMP/hello.sh"
drop "$TMP/hello.sh"
result hello.sh
[ "${R[job]}" != "$j" ] || fail "the second drop did not start a new run"
assert_eq 0 "${R[exit_code]}"
assert_eq "out two" "$(cat "$C/standard/hello.sh.out")" "NAME.out of the second run"
assert_eq "" "$(cat "$C/standard/hello.sh.err")" "NAME.err of the second run"
# Written with a shell redirection, in several writes.
{ echo 'echo "from'; echo ' a redirection"'; } > "$C/hardened/redir.sh" || fail "> into code/hardened"
result redir.sh hardened
assert_eq "from
 a redirection" "$(cat "$C/hardened/redir.sh.out")"
assert_eq hardened "${R[profile]}"

# Clear errnos for bad input.
assert_contains "$(mkdir "$C/mine" 2>&1)" "Operation not permitted" "mkdir in code/"
assert_contains "$(cp "$TMP/hello.sh" "$C/nosuch/x.sh" 2>&1)" "No such file or directory" "a drop into an unknown profile"
assert_contains "$(cp "$TMP/hello.sh" "$C/dev/x.sh" 2>&1)" "No such file or directory" "a drop into a disabled profile"
assert_contains "$(cp "$TMP/hello.sh" "$MNT/tools/x.sh" 2>&1)" "Operation not permitted" "a drop outside code/"
assert_eq EACCES "$(write_errno "$C/standard/hello.sh.out" x)" "writing NAME.out"
assert_eq EACCES "$(write_errno "$C/standard/hello.sh.result" x)" "writing NAME.result"
assert_eq EACCES "$(read_errno "$C/standard/hello.sh")" "reading the drop"
assert_contains "$(echo x 2>&1 > "$C/standard/x.out")" "Invalid argument" "a drop named like an output"
assert_contains "$(rm "$C/standard/hello.sh.out" 2>&1)" "Operation not permitted" "rm NAME.out"
# An empty drop starts nothing.
: > "$C/standard/empty.sh" || fail "an empty drop"
[ -e "$C/standard/empty.sh.result" ] && fail "an empty drop started a run"
# A script past TX_SCRIPT_MAX (4 MiB).
head -c $((4 * 1024 * 1024 + 1)) /dev/zero > "$TMP/big.sh"
assert_contains "$(cp "$TMP/big.sh" "$C/standard/" 2>&1)" "File too large" "a script too large"

# rm NAME removes the run and its files.
rm "$C/standard/hello.sh" || fail "rm NAME"
[ -e "$C/standard/hello.sh.out" ] && fail "NAME.out still there after rm"
assert_eq "redir.sh redir.sh.err redir.sh.out redir.sh.result redir.sh.work" \
	"$(ls "$C/hardened" | tr '\n' ' ' | sed 's/ $//')" "the other profile's run stays"
assert_eq "" "$(ls "$C/standard")" "nothing left in code/standard"
cd /
unmount_fs
echo ok
