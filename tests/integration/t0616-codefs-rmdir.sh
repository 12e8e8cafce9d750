#!/bin/bash
# rmdir in code/PROFILE/: NAME.work/ goes with its run, never alone
# (EPERM, and it stays); the other names of a run are no directories
# (ENOTDIR); a name that is not there is ENOENT.  rm NAME then removes
# the run, NAME.work/ with it.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
C=$MNT/code/standard
printf 'echo kept > kept.txt\n' > "$TMP/w.sh"
drop "$TMP/w.sh"
result w.sh
assert_eq 0 "${R[exit_code]}"
# rmdir_errno PATH: OK or the errno name of rmdir(PATH).
rmdir_errno() {
	python3 -c '
import errno, os, sys
try:
    os.rmdir(sys.argv[1])
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "$1"
}
assert_eq EPERM "$(rmdir_errno "$C/w.sh.work")" "rmdir NAME.work"
assert_eq kept "$(cat "$C/w.sh.work/kept.txt")" "NAME.work after rmdir"
for n in w.sh w.sh.out w.sh.err w.sh.result; do
	assert_eq ENOTDIR "$(rmdir_errno "$C/$n")" "rmdir $n"
done
assert_eq ENOENT "$(rmdir_errno "$C/absent.sh.work")" "rmdir of nothing"
rm "$C/w.sh" || fail "rm NAME"
[ -e "$C/w.sh.work" ] && fail "NAME.work outlived its run"
cd /
unmount_fs
