#!/bin/bash
# Bad input through the mount: the daemon refuses it cleanly, keeps its
# memory bounded, and the next call works.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail cd
E=tools/builtin/echo
rss() { awk '/^VmRSS/ {print $2}' /proc/$FS_PID/status; }
next_call_works() {
	echo "{\"ok\":\"$1\"}" > $E/call || fail "next call after $1"
	assert_contains "$(cat $E/result)" "\"ok\": \"$1\"" "next call after $1"
}
rss0=$(rss)

# 100 MiB written to call: EFBIG once past the limit, memory stays bounded.
out=$(python3 - $E/call <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
buf = memoryview(b'{"big": "' + b"y" * (100 << 20) + b'"}')
sent = 0; err = "OK"
while sent < len(buf):             # one 100 MiB write(), then the rest
    try:
        sent += os.write(fd, buf[sent:])
    except OSError as e:
        err = errno.errorcode[e.errno]
        try:                       # every later write fails the same way
            os.write(fd, b"yy"); err += "+accepted"
        except OSError as e2:
            err += "+" + errno.errorcode[e2.errno]
        break
os.close(fd)
print(err, sent)
PY
)
accepted=${out##* }
[ "$accepted" -le $((2 << 20)) ] || fail "accepted $accepted bytes of 100 MiB"
case "$out" in "EFBIG+EFBIG "*) ;; *) fail "100 MiB write: $out" ;; esac
# The same through a pipe from dd, as a shell user would.
head -c 104857600 /dev/zero | tr '\0' 'z' | (printf '{"a":"'; cat) > $E/call 2>/dev/null && fail "100 MiB via shell accepted"
rss1=$(rss)
[ $((rss1 - rss0)) -lt 65536 ] || fail "daemon RSS grew from ${rss0} kB to ${rss1} kB"
assert_eq EFBIG "$(read_errno $E/result)" "result after EFBIG"
next_call_works big

# Binary garbage.
head -c 65536 /dev/urandom > $E/call 2>/dev/null && fail "garbage accepted"
assert_eq EINVAL "$(read_errno $E/result)" "result after garbage"
assert_contains "$(cat $E/error)" "JSON" "error after garbage"
next_call_works garbage
# NUL bytes.
printf '{"a":"\0"}' > $E/call 2>/dev/null && fail "NUL accepted"
next_call_works nul
# Invalid UTF-8 inside a string.
printf '{"a":"\xc3\x28 \xff"}' > $E/call 2>/dev/null && fail "bad UTF-8 accepted"
assert_contains "$(cat $E/error)" "UTF-8" "error after bad UTF-8"
next_call_works utf8
# Valid UTF-8 passes through untouched.
echo '{"a":"grüße 日本 🙂"}' > $E/call
assert_contains "$(cat $E/result)" "grüße 日本 🙂" "UTF-8 round trip"
# JSON nested 10 000 deep.
python3 -c "print('{\"a\":' * 10000 + '1' + '}' * 10000)" > $E/call 2>/dev/null && fail "deep JSON accepted"
assert_contains "$(cat $E/error)" "deep" "error after deep JSON"
next_call_works deep
# Arrays nested deep, in a transaction.
r=$(python3 - $E/call <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    os.write(fd, b'{"a":' + b'[' * 10000); print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])
os.close(fd)
PY
)
assert_eq EINVAL "$r" "deep arrays in a transaction"
# Many writes of one byte each still make one good call.
python3 - $E/call <<'PY' || fail "byte-by-byte"
import json, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for c in b'{"bytes": "one at a time"}':
    os.write(fd, bytes([c]))
assert json.loads(os.read(fd, 4096)) == {"bytes": "one at a time"}
os.close(fd)
PY
# Writes to read-only files; mkdir and rm where not allowed.
for f in README tools/INDEX $E/doc $E/schema $E/result $E/status .ctl/log; do
	assert_eq EACCES "$(write_errno $f '{}')" "write to $f"
done
expect_fail mkdir tools/x 2>/dev/null
expect_fail mkdir $E/x 2>/dev/null
expect_fail rm -f $E/doc 2>/dev/null
expect_fail rm -rf tools/builtin 2>/dev/null
expect_fail mv $E/doc $E/doc2 2>/dev/null
expect_fail ln -s x $E/link 2>/dev/null
[ -f $E/doc ] || fail "doc disappeared"
# Names longer than a file name may be.
long=$(head -c 300 /dev/zero | tr '\0' a)
expect_fail ls "search/$long" 2>/dev/null
expect_fail cat "tools/$long" 2>/dev/null
next_call_works names

# The daemon is still the same process and still healthy.
kill -0 "$FS_PID" || fail "daemon died"
cd /
unmount_fs
echo ok
