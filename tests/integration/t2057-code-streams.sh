#!/bin/bash
# Output comes through while the script runs, not at its end: the
# script prints a line, then waits for a file that the test makes only
# once it has seen that line on toolexec's standard output.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

mkdir -p "$TMP/cfg"
echo '{"codeProfiles": {"dev": {"enabled": true}}}' > "$TMP/cfg/p.json"
cat > "$TMP/wait.sh" <<'S'
echo first
echo first-err >&2
while [ ! -e "$1" ]; do sleep 0.05; done
echo second
S
"$TOOLEXEC" -c "$TMP/cfg" code -p dev --result "$TMP/res" "$TMP/wait.sh" "$TMP/go" \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
at_exit "kill -9 $pid"
for _i in $(seq 1 300); do
	grep -q first "$TMP/out" 2>/dev/null && grep -q first-err "$TMP/err" && break
	sleep 0.1
done
assert_eq first "$(cat "$TMP/out")" "stdout while running"
assert_eq first-err "$(cat "$TMP/err")" "stderr while running"
kill -0 "$pid" || fail "toolexec ended before the file was made"
touch "$TMP/go"
rc=0
wait "$pid" || rc=$?
assert_eq 0 "$rc" "exit status"
assert_eq "first
second" "$(cat "$TMP/out")"
