#!/bin/bash
# A tool that disappears between the write and the first read of a
# transaction: the read answers ENOENT, the job's `error` says the tool
# was removed, the daemon lives on and the next call works.  The same for
# shell style (the close() that would start the call).
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
echo '{"tools": [{"namespace": "t", "name": "one", "description": "The only exec tool.", "input_schema": {"type": "object"}, "stdin": "none", "command": ["echo", "one"], "timeout_ms": 20000}]}' > "$cfg/t.json"
mount_config "$cfg"
cd "$MNT" || fail cd
echo '{}' > tools/t/one/call
assert_eq one "$(cat tools/t/one/result)" "the tool works"

# waitfor CMD...: polls CMD (bounded, 30 s) until it succeeds.
waitfor() {
	for _i in $(seq 1 600); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "timed out waiting for: $*"
}

# The transaction and the shell-style writer hold their descriptors with
# complete arguments written; the config file goes away; then each goes on.
fifo_go=$TMP/go
mkfifo "$fifo_go"
# A cloned job of the tool, not started yet.
c=$(cat tools/t/one/clone)
python3 - tools/t/one/call "$fifo_go" > $TMP/tx.out 2>&1 <<'PY' &
import errno, os, sys
tx = os.open(sys.argv[1], os.O_RDWR)
os.write(tx, b"{}")
sh = os.open(sys.argv[1], os.O_WRONLY)
os.write(sh, b"{}")
print("written", flush=True)
with open(sys.argv[2]) as go:       # blocks until the tool is gone
    go.read()
for name, f in (("read", lambda: os.read(tx, 4096)),
                ("close", lambda: os.close(sh))):
    try:
        f()
        print(name, "OK")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
os.close(tx)
PY
pypid=$!
waitfor grep -q written $TMP/tx.out

mv "$cfg/t.json" "$TMP/t.json.away"
waitfor test ! -e tools/t/one
echo go > "$fifo_go"
wait $pypid || fail "the caller failed: $(cat $TMP/tx.out)"
assert_eq "written
read ENOENT
close ENOENT" "$(cat $TMP/tx.out)" "read and close after the tool vanished"

# The daemon lives and explains: the jobs of both calls say why.
mountpoint -q "$MNT" || fail "the mount is gone"
kill -0 "$FS_PID" || fail "the daemon died"
n=0
# (Listed now that they ended: jobs/ lists started or ended jobs.)
for j in $(ls jobs); do
	[ "$(cat jobs/$j/tool)" = t:one ] || continue
	[ "$(cat jobs/$j/status)" = error ] || continue
	case "$(cat jobs/$j/error)" in *removed*) n=$((n + 1)) ;; esac
	assert_eq ENOENT "$(read_errno jobs/$j/result)" "result of job $j"
done
assert_eq 3 "$n" "jobs of the vanished tool whose error says it was removed"
# Starting the cloned job now says why it cannot run.
assert_eq ENOENT "$(write_errno jobs/$c/call '{}')" "start a job whose tool is gone"

# The next call (another tool) works, in every way.
exec 3<>tools/builtin/echo/call
echo '{"after":"reload"}' >&3
assert_contains "$(cat <&3)" '"after": "reload"' "transaction after the reload"
exec 3<&-
echo '{"x":1}' > tools/builtin/echo/call
assert_contains "$(cat tools/builtin/echo/result)" '"x": 1' "shell style after"
# And the tool comes back when its file does.
mv "$TMP/t.json.away" "$cfg/t.json"
waitfor test -d tools/t/one
echo '{}' > tools/t/one/call
assert_eq one "$(cat tools/t/one/result)" "the tool is back"

cd /
unmount_fs
echo ok
