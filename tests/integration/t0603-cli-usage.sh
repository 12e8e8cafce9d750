#!/bin/bash
# The command line refuses what it cannot do with a usage line or a
# reason on stderr and the documented exit status (2: usage, 3: no such
# tool, 125: the script never ran, 1: failed), and nothing on stdout.
. "$(dirname "$0")/lib.sh"

# check STATUS STDERR-LINE CMD...: exit status, first stderr line, and
# an empty stdout.
check() {
	local want=$1 line=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	assert_eq "$want" "$rc" "exit status of $*"
	assert_eq "$line" "$(head -1 "$TMP/err")" "stderr of $*"
	assert_eq "" "$(cat "$TMP/out")" "stdout of $*"
}
T=$TOOLEXEC
U='usage: toolexec [-c DIR] [-v] COMMAND [ARGS]'
check 2 "$U" "$T"
check 2 "$T: unrecognized option '--bogus'" "$T" --bogus list
check 2 'toolexec: unknown command "frobnicate"' "$T" frobnicate
check 1 'toolexec: /nonexistent-config: No such file or directory' "$T" -c /nonexistent-config list
check 2 'usage: toolexec doc ID' "$T" doc
check 2 'usage: toolexec schema ID' "$T" schema a b
check 3 'toolexec: no tool "nosuch" (toolexec list shows them)' "$T" doc nosuch
check 3 'toolexec: no tool "nosuch" (toolexec list shows them)' "$T" schema nosuch
C='usage: toolexec call [--json] [-q] ID [JSON | -]'
check 2 "$C" "$T" call
check 2 "$C" "$T" call --json
check 2 "$C" "$T" call echo '{}' extra
check 2 'usage: toolexec chain [--json] [-q] [STEPS_JSON | -]' "$T" chain '[]' extra

V='usage: toolexec validate [--assert-format] [--max-errors N] SCHEMA.json [INSTANCE.json | -]'
echo '{"type": "integer"}' > "$TMP/s.json"
echo 1 > "$TMP/i.json"
check 2 "$V" "$T" validate
check 2 "$V" "$T" validate --max-errors 0 "$TMP/s.json"
check 2 "$V" "$T" validate --max-errors 10001 "$TMP/s.json"
check 2 "$V" "$T" validate --bogus "$TMP/s.json"
check 2 "$V" "$T" validate "$TMP/s.json" "$TMP/i.json" "$TMP/i.json"
check 2 "$V" "$T" validate -- "$TMP/s.json" "$TMP/i.json" "$TMP/i.json"
# "--" ends the options: a file may then start with "-".
cp "$TMP/i.json" "$TMP/-i.json"
(cd "$TMP" && "$T" validate --max-errors 3 -- s.json -i.json) ||
	fail "validate after --"

check 2 "search: unrecognized option '--bogus'" "$T" search --bogus word
check 2 'toolexec search: -n wants 1 to 10000' "$T" search -n 0 word
"$T" search -h >"$TMP/out" 2>"$TMP/err" || fail "search -h"
assert_eq 'usage: toolexec search [-n N] [--json] QUERY...' "$(head -1 "$TMP/out")"
assert_eq "" "$(cat "$TMP/err")" "search -h stderr"

check 2 'usage: toolexec code [-p PROFILE] [--json] [--result FILE] SCRIPT [ARGS...]' \
	"$T" code --bogus x.sh
check 125 "toolexec: $TMP/absent.sh: No such file or directory" "$T" code "$TMP/absent.sh"
