#!/bin/bash
# Two runs at once never see each other: each one's /jobs lists its own
# jobs only, and the other's job ID names nothing there; as the run's
# uid, the host side of the mount shows a run its own view only
# (.runs/ID/), never another run's, and nothing else of the mount.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
command -v setpriv >/dev/null || skip "setpriv is not installed"
mount_default
S=$MNT/code/standard
# Each run makes a job, says its ID, and waits (reading the job's
# result) until the test starts the job with the other run's job ID.
cat > "$TMP/peer.sh" <<'S'
n=$(cat /tools/builtin/echo/clone)
echo "job $n"
other=$(cat /jobs/$n/result | sed -n 's/.*"other": "\(.*\)".*/\1/p')
echo "jobs: $(ls /jobs | tr '\n' ' ')"
ls /jobs/$other >/dev/null 2>&1 && echo "sees $other"
cat /jobs/$other/status 2>/dev/null && echo "reads $other"
echo "runs: $(ls /tools/../.runs 2>&1 | head -n 1)"
exit 0
S
cp "$TMP/peer.sh" "$TMP/a.sh"; cp "$TMP/peer.sh" "$TMP/b.sh"
drop "$TMP/a.sh"; drop "$TMP/b.sh"
ja=$(timeout 60 head -n 1 "$S/a.sh.out"); ja=${ja#job }
jb=$(timeout 60 head -n 1 "$S/b.sh.out"); jb=${jb#job }
[ -n "$ja" ] && [ -n "$jb" ] && [ "$ja" != "$jb" ] || fail "job IDs: [$ja] [$jb]"
# Both run now.  As each run's uid, from the host side:
for n in $(ls "$MNT/.runs"); do
	case "$(cat "$MNT/jobs/$n/tool")" in code:standard) ;; *) fail ".runs/$n is no run" ;; esac
done
runs=($(ls "$MNT/.runs"))
assert_eq 2 "${#runs[@]}" "root sees both views"
ua=$(stat -c %u "$MNT/.runs/${runs[0]}"); ub=$(stat -c %u "$MNT/.runs/${runs[1]}")
[ "$ua" != "$ub" ] && [ "$ua" != 0 ] || fail "runs share a uid: $ua $ub"
as() { setpriv --reuid="$1" --regid="$1" --clear-groups -- bash -c "$2" </dev/null 2>&1; }
assert_contains "$(as "$ua" "cat '$MNT/.runs/${runs[0]}/tools/INDEX'")" "builtin:echo" "a run's uid reads its view"
assert_contains "$(as "$ua" "cat '$MNT/.runs/${runs[1]}/tools/INDEX'")" "Permission denied" "a run's uid reads another run's view"
assert_contains "$(as "$ub" "ls '$MNT/.runs/${runs[0]}/jobs'")" "Permission denied" "another run's jobs"
assert_eq "${runs[1]}" "$(as "$ub" "ls '$MNT/.runs'")" ".runs lists a run's own view only"
assert_contains "$(as "$ua" "ls '$MNT/tools'")" "Permission denied" "a run's uid in the mount's tools/"
assert_contains "$(as "$ua" "cat '$MNT/jobs/$ja/status'")" "Permission denied" "a run's uid in the mount's jobs/"
assert_contains "$(as "$ua" "ls '$MNT/code'")" "Permission denied" "a run's uid in code/"
assert_contains "$(as "$ua" "cat '$MNT/README'")" "Permission denied" "a run's uid reads README"
assert_contains "$(as 65534 "ls '$MNT/tools'")" "Permission denied" "another user, as without allow_other"
# Let them go on, each knowing the other's job.
echo "{\"other\": \"$jb\"}" > "$MNT/jobs/$ja/call"
echo "{\"other\": \"$ja\"}" > "$MNT/jobs/$jb/call"
result a.sh; assert_eq 0 "${R[exit_code]}"
result b.sh; assert_eq 0 "${R[exit_code]}"
oa=$(cat "$S/a.sh.out"); ob=$(cat "$S/b.sh.out")
assert_eq "job $ja
jobs: $ja 
runs: ls: cannot access '/tools/../.runs': No such file or directory" "$oa" "run a sees only its own"
assert_eq "job $jb
jobs: $jb 
runs: ls: cannot access '/tools/../.runs': No such file or directory" "$ob" "run b sees only its own"
cd /
unmount_fs
echo ok
