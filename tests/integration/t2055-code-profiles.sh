#!/bin/bash
# Profiles come from "codeProfiles" in the configuration: dev is off
# until enabled, an unknown profile is named, a bad entry is reported
# with its file and JSON path and leaves the defaults in force, and an
# enabled dev runs as the user in a private directory that is gone
# afterwards.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

printf 'echo "$(id -u) $PWD"\necho kept > made\n' > "$TMP/who.sh"
code_run -p dev "$TMP/who.sh"
assert_eq 125 "$rc" "dev is off by default"
assert_eq 'toolexec: profile dev is not enabled (enable it under "codeProfiles" in the configuration)' "$(cat "$TMP/err")"
[ ! -e "$TMP/res" ] || fail "a result for a run that was refused"
code_run -p nope "$TMP/who.sh"
assert_eq 125 "$rc" "unknown profile"
assert_eq 'toolexec: no profile "nope"' "$(cat "$TMP/err")"

mkdir -p "$TMP/cfg"
echo '{"codeProfiles": {"ci": {"base": "standard", "timeout_ms": "x"}}}' > "$TMP/cfg/bad.json"
"$TOOLEXEC" -c "$TMP/cfg" status > "$TMP/status"
assert_contains "$(cat "$TMP/status")" "file bad.json error: $TMP/cfg/bad.json: \$.codeProfiles.ci.timeout_ms: expected an integer"
CODE_CONFIG=$TMP/cfg code_run -p ci "$TMP/who.sh"
assert_eq 125 "$rc" "a profile of a bad file"
assert_eq "toolexec: $TMP/cfg/bad.json: \$.codeProfiles.ci.timeout_ms: expected an integer
toolexec: no profile \"ci\"" "$(cat "$TMP/err")"

echo '{"codeProfiles": {"dev": {"enabled": true}, "ci": {"base": "standard", "timeout_ms": 60000}}}' > "$TMP/cfg/bad.json"
CODE_CONFIG=$TMP/cfg code_run -p dev "$TMP/who.sh"
assert_eq 0 "$rc" "dev enabled: $(cat "$TMP/err")"
read -r uid dir < "$TMP/out"
assert_eq "$(id -u)" "$uid" "dev runs as its user"
case "$dir" in
/tmp/toolexec-run-*|"${TMPDIR:-/tmp}"/toolexec-run-*) ;;
*) fail "dev ran in $dir" ;;
esac
[ ! -e "$dir" ] || fail "the dev run's directory $dir outlived it"
CODE_CONFIG=$TMP/cfg code_run -p ci "$TMP/who.sh"
assert_eq 0 "$rc" "ci"
assert_eq ci "${R[profile]}"
assert_eq "0 /work" "$(cat "$TMP/out")" "standard: root of its namespace, in /work"
