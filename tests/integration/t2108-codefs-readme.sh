#!/bin/bash
# The mount's README tells how to run a script in code/; its commands
# work as written, with a job.py that calls a tool from inside.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
cd "$MNT" || fail "cd"
# The README's commands for code/, in its order.
grep -E '^  (cp|cat|ls|rm) [a-z]' README | grep 'job.py' | sed 's/^  //; s/  .*//' > "$TMP/cmds"
assert_eq 5 "$(wc -l < "$TMP/cmds")" "the README's code/ commands: $(cat "$TMP/cmds")"
cat > "$TMP/job.py" <<'PY'
import json
with open("/tools/builtin/echo/call", "r+") as f:   # the habit the README names
    f.write(json.dumps({"from": "inside"}))
    f.flush()
    f.seek(0)
    print(json.loads(f.read())["from"])
open("/work/left.txt", "w").write("handed back\n")
PY
cd "$TMP" || fail "cd $TMP"
i=0
while read -r cmd; do
	i=$((i + 1))
	cmd=${cmd//code\//$MNT/code/}
	out=$(sh -c "$cmd" 2>&1) || fail "README command $i failed: $cmd: $out"
	case $i in
	2) assert_eq inside "$out" "job.py.out" ;;
	3) assert_contains "$out" '"exit_code": 0' "job.py.result"
	   assert_contains "$out" '"tool": "builtin:echo"' "the call from inside is listed" ;;
	4) assert_eq left.txt "$out" "job.py.work/" ;;
	esac
done < "$TMP/cmds"
[ -e "$MNT/code/standard/job.py" ] && fail "rm left the script"
[ -e "$MNT/code/standard/job.py.out" ] && fail "rm left its files"
cd /
unmount_fs
