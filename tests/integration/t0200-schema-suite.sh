#!/bin/bash
# The official JSON-Schema-Test-Suite (draft7, Debian's
# json-schema-test-suite package) through the validator: every case of
# every supported keyword must pass.
. "$(dirname "$0")/lib.sh"

suite=${JSON_SCHEMA_SUITE:-/usr/share/json-schema-test-suite/tests/draft7}
[ -d "$suite" ] || skip "json-schema-test-suite is not installed ($suite)"
bin=$BUILD/tests/tools/schema_suite
[ -x "$bin" ] || fail "$bin is not built"

"$bin" "$suite" >"$TMP/out" 2>&1
rc=$?
cat "$TMP/out"
last=$(tail -n 1 "$TMP/out")
case "$last" in
"schema-suite: "*" passed, 0 failed") ;;
*) fail "suite: $last" ;;
esac
assert_eq 0 "$rc" "schema_suite exit code"
# Enough cases ran to mean something (the draft7 files hold ~530).
passed=${last#schema-suite: }
passed=${passed%% *}
[ "$passed" -ge 500 ] || fail "only $passed cases passed"
