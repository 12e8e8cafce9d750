#!/bin/bash
# Following a shell-style call: tools/NS/NAME/job holds the ID of your
# latest call (so it can be cancelled without scanning jobs/), and
# `tail -f jobs/ID/stream` follows its output: the stream's size grows
# with it, so tail never takes it for a truncated file.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
cat > "$cfg/t.json" <<JSON
{"tools": [
 {"namespace": "t", "name": "count", "description": "line1, then the rest once told to go on.",
  "input_schema": {"type": "object"}, "stdin": "none",
  "command": ["sh", "-c", "echo line1; while [ ! -e \\"\$1\\" ]; do sleep 0.01; done; echo line2; echo line3", "sh", "$TMP/go"],
  "timeout_ms": 60000}
]}
JSON
mount_config "$cfg"
cd "$MNT" || fail cd
T=tools/t/count

# No call yet: job answers ENODATA, like result.
cat $T/job 2>"$TMP/err" && fail "job before any call"
assert_contains "$(cat "$TMP/err")" "No data available" "job before a call"

echo '{}' > $T/call
n=$(cat $T/job)
case "$n" in ''|*[!0-9]*) fail "job is not an ID: $n" ;; esac
assert_eq "t:count" "$(cat jobs/$n/tool)" "job names the latest call"
wait_until grep -q line1 jobs/$n/stream
size=$(stat -c %s jobs/$n/stream)
assert_eq 6 "$size" "the stream's size so far"

tail -f jobs/$n/stream > "$TMP/out" 2> "$TMP/tail.err" &
tail_pid=$!
at_exit "kill $tail_pid 2>/dev/null"
wait_until grep -q line1 "$TMP/out"
touch "$TMP/go"
wait_until grep -q '^-- ok' "$TMP/out"
assert_eq ok "$(cat $T/status)" "the call ended"
assert_eq "$(cat jobs/$n/stream)" "$(cat "$TMP/out")" "tail saw the whole stream"
assert_eq "$(cat jobs/$n/stream | wc -c)" "$(stat -c %s jobs/$n/stream)" "final size"
# tail ends at once when asked, and said nothing about truncation.
kill $tail_pid
wait_until gone $tail_pid
assert_eq "" "$(cat "$TMP/tail.err")" "tail's complaints"

# A second call: job follows it, and cancels it.
rm "$TMP/go"
echo '{}' > $T/call
m=$(cat $T/job)
[ "$m" != "$n" ] || fail "job still names the first call"
echo > jobs/$m/cancel
assert_eq cancelled "$(cat $T/status)" "cancelled through job"
cd /
unmount_fs
