#!/bin/bash
# toolexec call shows a running call's progress (the last line of its
# stream) on one line of stderr when stderr is a terminal, erased at the
# end; never when stderr is a file, nor with --quiet.  The terminal is
# script(1)'s.  The tool waits for a flag the test sets only once the
# progress line was seen (or, without a terminal, once the tool wrote it).
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || fail "script (bsdutils) is not installed"
D=$TMP/conf
mkdir -p "$D"
cat > "$D/slow.json" <<JSON
{"tools": [{"namespace": "mine", "name": "slow",
  "description": "Says where it is, then waits for a flag.",
  "input_schema": {"type": "object"},
  "command": ["sh", "-c", "echo 'step 1 of 2: warming up'; touch \"\$0\"; while [ ! -e \"\$1\" ]; do sleep 0.02; done; echo finished", "$TMP/started", "$TMP/flag"],
  "stdin": "none", "timeout_ms": 60000}]}
JSON
run_tty() { # run_tty LOG ARGS...: toolexec ARGS on a terminal, in the background
	local log=$1
	shift
	script -qfec "$TOOLEXEC -c $D $*" "$log" > /dev/null &
}
rm -f "$TMP/started" "$TMP/flag"
run_tty "$TMP/tty" call mine:slow
pid=$!
wait_until grep -q "step 1 of 2: warming up" "$TMP/tty"
touch "$TMP/flag"
wait "$pid" || fail "toolexec on a terminal: $(cat "$TMP/tty")"
# The line was drawn at the start of a line, then erased (\r ESC [K).
python3 - "$TMP/tty" <<'PY' || fail "progress line: $(od -c "$TMP/tty" | head -20)"
import sys
t = open(sys.argv[1], "rb").read()
assert b"\r\x1b[Kstep 1 of 2: warming up" in t, t
after = t.split(b"step 1 of 2: warming up", 1)[1]
assert b"\r\x1b[K" in after, "never erased"
assert b"finished" in after, "the result follows"
PY

# Not with stderr in a file.
rm -f "$TMP/started" "$TMP/flag"
"$TOOLEXEC" -c "$D" call mine:slow > "$TMP/out" 2> "$TMP/err" &
pid=$!
wait_until test -e "$TMP/started"
touch "$TMP/flag"
wait "$pid" || fail "toolexec to a file"
assert_eq "" "$(cat "$TMP/err")" "stderr is a file: no progress"
assert_contains "$(cat "$TMP/out")" "finished" "the result"

# Not with --quiet on a terminal.
rm -f "$TMP/started" "$TMP/flag"
run_tty "$TMP/quiet" call --quiet mine:slow
pid=$!
wait_until test -e "$TMP/started"
touch "$TMP/flag"
wait "$pid" || fail "toolexec --quiet"
python3 - "$TMP/quiet" <<'PY' || fail "--quiet showed progress"
import sys
t = open(sys.argv[1], "rb").read()
assert b"\x1b[K" not in t, t
PY
