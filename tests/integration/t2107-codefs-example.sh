#!/bin/bash
# examples/code/report.sh, the worked example of docs/code.md, does what
# the page says: it finds builtin:base64 by search, reads its doc, makes
# three tool calls (three calling ways) and leaves report.md in /work,
# read back from report.sh.work/.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
S=$MNT/code/standard
cp "$top/examples/code/report.sh" "$S/" || fail "cp report.sh"
result report.sh
assert_eq 0 "${R[exit_code]}" "exit: $(cat "$S/report.sh.err")"
assert_eq "# builtin:base64 - Base64 encode or decode text
report written" "$(cat "$S/report.sh.out")"
rep=$(cat "$S/report.sh.work/report.md")
assert_contains "$rep" "tool found: builtin:base64"
assert_contains "$rep" "encoded: $(printf 'hello from a sandbox' | base64)"
assert_contains "$rep" "jobs of this run: 3"
grep -Eq '^uuid: [0-9a-f-]{36}$' <<<"$rep" || fail "uuid line: $rep"
grep -Eq '^time: [0-9]{4}-' <<<"$rep" || fail "time line: $rep"
python3 - "$TMP/report.sh.res" <<'PY' || fail "tool_calls"
import json, sys
r = json.load(open(sys.argv[1]))
assert [c["tool"] for c in r["tool_calls"]] == ["builtin:base64", "builtin:uuid", "builtin:time"], r
PY
cd /
unmount_fs
echo ok
