#!/bin/bash
# The output caps are exact: the first N bytes arrive, then the run is
# killed and says "output"; stderr has its own cap.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

echo '{"standard": {"stdout_max": 100000, "stderr_max": 1000}}' > "$TMP/p.json"
echo 'head -c 5000000 /dev/zero | tr "\0" a' > "$TMP/flood.sh"
run_sb standard "$TMP/flood.sh" -C "$TMP/p.json" || fail "run"
assert_eq 100000 "$(wc -c < "$TMP/out")" "bytes delivered"
assert_eq 100000 "$(result_field stdout_bytes)"
assert_eq '["output"]' "$(result_field limits_hit)"
assert_eq 9 "$(result_field signal)"
echo 'head -c 5000 /dev/zero >&2; echo fine' > "$TMP/err.sh"
run_sb standard "$TMP/err.sh" -C "$TMP/p.json" || fail "run"
assert_eq 1000 "$(wc -c < "$TMP/err")"
assert_eq '["output"]' "$(result_field limits_hit)"
# The daemon's pipe full when the cap is reached: the helper then holds
# the last bytes up to the cap, and they must still arrive (they were
# dropped).  A one-page pipe makes that the case at every step.
run_sb standard "$TMP/flood.sh" -C "$TMP/p.json" -Z 4096 || fail "run"
assert_eq 100000 "$(wc -c < "$TMP/out")" "bytes delivered through a full pipe"
assert_eq '["output"]' "$(result_field limits_hit)"
# Under the caps nothing is cut.
echo 'head -c 99999 /dev/zero; head -c 999 /dev/zero >&2' > "$TMP/fits.sh"
run_sb standard "$TMP/fits.sh" -C "$TMP/p.json" || fail "run"
assert_eq 99999 "$(wc -c < "$TMP/out")"
assert_eq '[]' "$(result_field limits_hit)"
assert_eq 0 "$(result_field exit_code)"
