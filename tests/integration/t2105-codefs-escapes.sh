#!/bin/bash
# Escape probes that need the mount, dropped the way a user would: a
# script may not write to /tools but through call files, does not see
# code/ (so cannot drop into another profile) nor another run's view,
# and a flood of tool calls past max_tool_calls is refused with EDQUOT,
# the error saying why, and listed in tool_calls as refused.  Each probe
# prints what it tried and whether it worked; none may work.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mkdir -p "$TMP/conf"
echo '{"codeProfiles": {"capped": {"base": "standard", "max_tool_calls": 5}}}' > "$TMP/conf/code.json"
mount_config "$TMP/conf"
cat > "$TMP/probe.sh" <<'S'
try() { if (eval "$2") >/dev/null 2>&1; then echo "ESCAPED $1"; else echo "held $1"; fi; }
try tools-index   'echo x > /tools/INDEX'
try tools-doc     'echo x > /tools/builtin/echo/doc'
try tools-result  'echo x > /tools/builtin/echo/result'
try tools-create  'echo x > /tools/newfile'
try tools-ns-file 'echo x > /tools/builtin/x.sh'
try tools-mkdir   'mkdir /tools/x'
try tools-rm      'rm -f /tools/builtin/echo/call'
try tools-rename  'mv /tools/builtin/echo/doc /tools/builtin/echo/doc2'
try tools-link    'ln -s /etc/passwd /tools/link'
try tools-chmod   'chmod 777 /tools/builtin/echo/doc'
try search-write  'echo x > /search/newfile'
try jobs-mkdir    'mkdir /jobs/999'
try code-dir      'ls /code'
try code-above    'ls /tools/../code'
try code-profile  'cp /run/code/probe.sh /tools/../code/standard/'
try runs-dir      'ls /tools/../.runs'
try mount-root    'ls /tools/..; test -e /tools/../README'
try other-run     'for i in $(seq 1 50); do cat /tools/../.runs/$i/tools/INDEX && exit 0; done; exit 1'
S
for prof in standard hardened; do
	drop "$TMP/probe.sh" $prof
	result probe.sh $prof
	out=$(cat "$MNT/code/$prof/probe.sh.out")
	assert_eq 18 "$(grep -c '^held ' <<<"$out")" "$prof probes held: $out"
	assert_eq "[]" "${R[tool_calls]}" "$prof: no probe was a tool call"
done

# A flood past max_tool_calls (5 in profile capped).
cat > "$TMP/flood.py" <<'S'
import errno, os
for i in range(12):
    try:
        fd = os.open("/tools/builtin/echo/call", os.O_RDWR)
        os.write(fd, b'{"i": %d}' % i)
        os.read(fd, 4096)
        os.close(fd)
        print(i, "ok")
    except OSError as e:
        print(i, errno.errorcode[e.errno])
print(open("/tools/builtin/echo/error").read().strip()[:80])
S
drop "$TMP/flood.py" capped
result flood.py capped
out=$(cat "$MNT/code/capped/flood.py.out")
assert_eq "0 ok
1 ok
2 ok
3 ok
4 ok
5 EDQUOT
6 EDQUOT
7 EDQUOT
8 EDQUOT
9 EDQUOT
10 EDQUOT
11 EDQUOT" "$(head -n 12 <<<"$out")" "calls past max_tool_calls"
assert_contains "$(tail -n 1 <<<"$out")" "max_tool_calls" "error says why"
assert_contains "${R[limits_hit]}" '"max_tool_calls"'
python3 - "$TMP/flood.py.res" <<'PY' || fail "tool_calls of the flood"
import json, sys
r = json.load(open(sys.argv[1]))
st = [c["status"] for c in r["tool_calls"]]
assert st == ["ok"] * 5 + ["refused"] * 7, st
assert r["tool_calls_refused"] == 7, r
assert "max_tool_calls" in r["tool_calls"][5]["error"], r["tool_calls"][5]
PY
cd /
unmount_fs
echo ok
