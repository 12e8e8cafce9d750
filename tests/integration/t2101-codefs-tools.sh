#!/bin/bash
# A script dropped through the mount calls tools from inside, in each
# language (sh, python, node), through all three calling ways on /tools
# (a transaction on one descriptor, shell style, a clone and /jobs), and
# looks tools up in /search.  Every call is the run's: it is listed in
# the result's tool_calls, and its job in the run's /jobs.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
for i in python3 node; do
	[ -x "/usr/bin/$i" ] || { [ "${CI:-}" = true ] && fail "no /usr/bin/$i"; skip "no /usr/bin/$i"; }
done
mount_default

cat > "$TMP/calls.sh" <<'S'
set -e
exec 3<>/tools/builtin/echo/call; echo '{"way":"tx-sh"}' >&3; cat <&3; exec 3>&-
echo '{"way":"shell-sh"}' > /tools/builtin/echo/call; cat /tools/builtin/echo/result
n=$(cat /tools/builtin/echo/clone)
echo '{"way":"clone-sh"}' > /jobs/$n/call; cat /jobs/$n/result
echo "jobs: $(ls /jobs | wc -l) status: $(cat /jobs/$n/status)"
ls /search/'echo the arguments' | head -n 1
cut -f3 /search/'echo the arguments'/results | head -n 1
S
cat > "$TMP/calls.py" <<'S'
import os
fd = os.open("/tools/builtin/echo/call", os.O_RDWR)
os.write(fd, b'{"way":"tx-py"}')
print(os.read(fd, 4096).decode(), end="")
os.close(fd)
with open("/tools/builtin/echo/call", "w") as f:
    f.write('{"way":"shell-py"}')
print(open("/tools/builtin/echo/result").read(), end="")
n = open("/tools/builtin/echo/clone").read().strip()
with open("/jobs/%s/call" % n, "w") as f:
    f.write('{"way":"clone-py"}')
print(open("/jobs/%s/result" % n).read(), end="")
print("jobs: %d status: %s" % (len(os.listdir("/jobs")), open("/jobs/%s/status" % n).read().strip()))
print(sorted(os.listdir("/search/echo the arguments"))[0])
print(open("/search/echo the arguments/results").read().split("\t")[2])
S
cat > "$TMP/calls.js" <<'S'
const fs = require("fs");
let fd = fs.openSync("/tools/builtin/echo/call", "r+");
fs.writeSync(fd, '{"way":"tx-js"}');
const buf = Buffer.alloc(4096);
process.stdout.write(buf.toString("utf8", 0, fs.readSync(fd, buf, 0, 4096, null)));
fs.closeSync(fd);
fs.writeFileSync("/tools/builtin/echo/call", '{"way":"shell-js"}');
process.stdout.write(fs.readFileSync("/tools/builtin/echo/result", "utf8"));
const n = fs.readFileSync("/tools/builtin/echo/clone", "utf8").trim();
fs.writeFileSync(`/jobs/${n}/call`, '{"way":"clone-js"}');
process.stdout.write(fs.readFileSync(`/jobs/${n}/result`, "utf8"));
console.log(`jobs: ${fs.readdirSync("/jobs").length} status: ${fs.readFileSync(`/jobs/${n}/status`, "utf8").trim()}`);
console.log(fs.readdirSync("/search/echo the arguments").sort()[0]);
console.log(fs.readFileSync("/search/echo the arguments/results", "utf8").split("\t")[2]);
S
for prof in standard hardened; do
	for l in sh py js; do
		drop "$TMP/calls.$l" $prof
		result calls.$l $prof
		out=$(cat "$MNT/code/$prof/calls.$l.out")
		assert_eq 0 "${R[exit_code]}" "$prof $l exit: $(cat "$MNT/code/$prof/calls.$l.err")"
		assert_eq "{
  \"way\": \"tx-$l\"
}
{
  \"way\": \"shell-$l\"
}
{
  \"way\": \"clone-$l\"
}
jobs: 3 status: ok
01-builtin:echo
builtin:echo" "$out" "$prof $l: the three calling ways and search"
		python3 - "$TMP/calls.$l.res" <<'PY' || fail "$prof $l tool_calls"
import json, sys
r = json.load(open(sys.argv[1]))
calls = r["tool_calls"]
assert [c["tool"] for c in calls] == ["builtin:echo"] * 3, calls
assert [c["status"] for c in calls] == ["ok"] * 3, calls
assert r["tool_calls_refused"] == 0 and r["limits_hit"] == [], r
PY
	done
done
cd /
unmount_fs
echo ok
