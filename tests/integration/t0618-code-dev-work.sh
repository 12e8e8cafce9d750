#!/bin/bash
# A dev run's /work is a fresh directory of the dropper's, mode 0700,
# under $TMPDIR when that is an absolute path, else under /tmp; when it
# cannot be made the script does not run (125) and the reason is given.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg" "$TMP/t"
echo '{"codeProfiles": {"dev": {"enabled": true}}}' > "$cfg/c.json"
printf 'pwd\nstat -c %%a .\n' > "$TMP/w.sh"
T=$TOOLEXEC

TMPDIR=$TMP/t "$T" -c "$cfg" code -p dev "$TMP/w.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "a dev run under TMPDIR: $(cat "$TMP/err")"
assert_contains "$(sed -n 1p "$TMP/out")" "$TMP/t/toolexec-run-"
assert_eq 700 "$(sed -n 2p "$TMP/out")" "mode of /work"

TMPDIR=relative/dir "$T" -c "$cfg" code -p dev "$TMP/w.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq 0 $? "a dev run with a relative TMPDIR"
assert_contains "$(sed -n 1p "$TMP/out")" "/tmp/toolexec-run-"

TMPDIR=$TMP/absent "$T" -c "$cfg" code -p dev "$TMP/w.sh" >"$TMP/out" 2>"$TMP/err"
assert_eq 125 $? "no place for /work"
assert_eq "toolexec: cannot make the run's /work in $TMP/absent: No such file or directory" \
	"$(cat "$TMP/err")"
assert_eq "" "$(cat "$TMP/out")"
