#!/bin/bash
# Each row of the errno table (docs/error-handling.md) through the mount,
# plus the job stream of a tool that writes as it goes.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/t.json" <<JSON
{"tools": [
 {"namespace": "t", "name": "slow", "description": "Sleeps past its timeout.",
  "input_schema": {"type": "object"}, "stdin": "none", "command": ["sleep", "10"], "timeout_ms": 300},
 {"namespace": "t", "name": "broken", "description": "A program that does not exist.",
  "input_schema": {"type": "object"}, "stdin": "none", "command": ["/nonexistent/program"], "timeout_ms": 5000},
 {"namespace": "t", "name": "fails", "description": "Says oops and exits 3.",
  "input_schema": {"type": "object"}, "stdin": "none", "command": ["sh", "-c", "echo oops >&2; exit 3"], "timeout_ms": 5000},
 {"namespace": "t", "name": "strict", "description": "Needs an integer n.",
  "input_schema": {"type": "object", "properties": {"n": {"type": "integer"}},
                   "required": ["n"], "additionalProperties": false},
  "stdin": "none", "command": ["echo", "{n}"], "timeout_ms": 5000},
 {"namespace": "t", "name": "count", "description": "Counts to three, the rest once told to go on.",
  "input_schema": {"type": "object"},
  "stdin": "none", "command": ["sh", "-c", "echo line1; while [ ! -e \\"\$1\\" ]; do sleep 0.01; done; echo line2; echo line3", "sh", "$TMP/go"], "timeout_ms": 60000}
]}
JSON
mount_config "$cfg" -o wait_max=2
cd "$MNT" || fail cd
T=tools/t

# ENODATA: no call made.
assert_eq ENODATA "$(read_errno $T/strict/result)" "ENODATA"
# EINVAL: malformed JSON fails the write; result and error explain.
assert_eq EINVAL "$(write_errno $T/strict/call '{"n": 1,,}')" "bad JSON write"
assert_eq EINVAL "$(read_errno $T/strict/result)" "result after bad JSON"
assert_eq error "$(cat $T/strict/status)" "status after bad JSON"
assert_contains "$(cat $T/strict/error)" "invalid JSON" "error after bad JSON"
assert_contains "$(cat $T/strict/result.json)" '"isError"' "envelope after bad JSON"
# EINVAL: schema violation, with a JSON Pointer.
assert_eq EINVAL "$(write_errno $T/strict/call '{"n": "seven"}')" "schema write"
assert_contains "$(cat $T/strict/error)" "/n" "schema error pointer"
# EINVAL: incomplete JSON at close.
assert_eq EINVAL "$(write_errno $T/strict/call '{"n": 1')" "incomplete at close"
# ...and a good call after all that works.
echo '{"n": 5}' > $T/strict/call
assert_eq 5 "$(cat $T/strict/result)" "good call"
# EFBIG: arguments over the limit.
big=$(python3 - "$T/strict/call" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
chunk = b'{"n": 1, "pad": "' + b"x" * (2 << 20)
try:
    while chunk:
        n = os.write(fd, chunk[:65536]); chunk = chunk[n:]
    print("OK")
except OSError as e:
    print(errno.errorcode[e.errno])
os.close(fd)
PY
)
assert_eq EFBIG "$big" "EFBIG write"
assert_eq EFBIG "$(read_errno $T/strict/result)" "EFBIG result"
# ETIMEDOUT
echo '{}' > $T/slow/call
assert_eq ETIMEDOUT "$(read_errno $T/slow/result)" "ETIMEDOUT"
assert_eq timeout "$(cat $T/slow/status)" "timeout status"
# EIO: the backend could not run the tool.
echo '{}' > $T/broken/call
assert_eq EIO "$(read_errno $T/broken/result)" "EIO"
assert_contains "$(cat $T/broken/error)" "nonexistent" "EIO error text"
# isError: the tool ran and failed; its content is still the result.
echo '{}' > $T/fails/call
assert_contains "$(cat $T/fails/result)" "oops" "isError result"
assert_eq error "$(cat $T/fails/status)" "isError status"
# ECANCELED
n=$(cat $T/slow/clone)
echo '{}' > jobs/$n/call
echo > jobs/$n/cancel
assert_eq ECANCELED "$(read_errno jobs/$n/result)" "ECANCELED"
# EACCES: writing a read-only file, reading a write-only one.
assert_eq EACCES "$(write_errno $T/strict/summary x)" "EACCES summary"
assert_eq EACCES "$(write_errno $T/strict/result x)" "EACCES result"
assert_eq EACCES "$(write_errno README x)" "EACCES README"
assert_eq EACCES "$(read_errno .ctl/reload)" "EACCES reload"
# EPERM: the tree's shape is not the user's to change.
expect_fail mkdir tools/new 2>/dev/null
assert_eq EPERM "$(fs_py 'import os,errno
try: os.mkdir("tools/new"); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EPERM mkdir"
assert_eq EPERM "$(fs_py 'import os,errno
try: os.unlink("tools/t/strict/doc"); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EPERM unlink"
assert_eq EPERM "$(fs_py 'import os,errno
try: os.rmdir("tools/t"); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EPERM rmdir"
assert_eq EPERM "$(fs_py 'import os,errno
try: os.rename("tools/t/strict/doc", "tools/t/strict/doc2"); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EPERM rename"
assert_eq EPERM "$(fs_py 'import os,errno
try: os.open("tools/t/strict/newfile", os.O_WRONLY | os.O_CREAT); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EPERM create"
# EEXIST: mkdir of a search query (it exists already).
assert_eq EEXIST "$(fs_py 'import os,errno
try: os.mkdir("search/anything"); print("OK")
except OSError as e: print(errno.errorcode[e.errno])')" "EEXIST search mkdir"
# EALREADY: a started job's call.
n=$(cat $T/strict/clone)
echo '{"n": 1}' > jobs/$n/call
assert_eq EALREADY "$(write_errno jobs/$n/call '{"n": 2}')" "EALREADY"
# EAGAIN: a wait longer than wait_max (2 s here); once the call has
# ended (status says so), the same read answers.
echo '{"seconds": 6}' > tools/builtin/sleep/call
assert_eq EAGAIN "$(read_errno tools/builtin/sleep/result)" "EAGAIN"
wait_until grep -qx ok tools/builtin/sleep/status
assert_eq "slept 6 s" "$(cat tools/builtin/sleep/result)" "read again after EAGAIN"
# ENOENT: a job that does not exist.
assert_eq ENOENT "$(read_errno jobs/999999/status)" "ENOENT job"

# jobs/ID/stream: lines as they come, EOF when the job ends.  The tool
# prints its second line only after the reader got the first one.
n=$(cat $T/count/clone)
echo '{}' > jobs/$n/call
python3 - jobs/$n/stream "$TMP/go" <<'PY' || fail "stream"
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
first = os.read(fd, 4096)
assert first == b"line1\n", ("first read of the stream", first)
open(sys.argv[2], "w").close()      # go on
data = b""
while True:
    b = os.read(fd, 4096)
    if not b:
        break
    data += b
assert (data.startswith(b"line2\nline3\n-- ok (") and data.endswith(b" ms)\n")
        and data.count(b"\n") == 3), ("rest of the stream", data)
os.close(fd)
PY
assert_eq ok "$(cat jobs/$n/status)" "count ok"
# search/query: a query past 64 KiB fails the write that crosses it
# (EFBIG), a NUL byte is refused (EINVAL), and the same descriptor then
# takes a new query: a write after the answer was read starts anew.
q=$(python3 - search/query <<'PY'
import errno, os, sys
out = []
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    os.write(fd, b"x" * (64 * 1024 + 1))
    out.append("OK")
except OSError as e:
    out.append(errno.errorcode[e.errno])
os.close(fd)
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    os.write(fd, b"echo\0")
    out.append("OK")
except OSError as e:
    out.append(errno.errorcode[e.errno])
os.write(fd, b"echo text back")
first = os.pread(fd, 65536, 0)
os.write(fd, b"sleep for a while")
second = os.pread(fd, 65536, 0)
out.append("echo" if b"builtin:echo" in first.split(b"\n")[0] else "no-echo")
out.append("sleep" if b"builtin:sleep" in second.split(b"\n")[0] else "no-sleep")
os.close(fd)
print(" ".join(out))
PY
)
assert_eq "EFBIG EINVAL echo sleep" "$q" "search/query limits and a second query"

cd /
unmount_fs
echo ok
