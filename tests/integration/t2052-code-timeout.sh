#!/bin/bash
# A run past its profile's timeout is killed, whole tree included: the
# result says timed_out and "timeout" in limits_hit, toolexec exits 124,
# and what the script printed before is kept.
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

mkdir -p "$TMP/cfg"
echo '{"codeProfiles": {"short": {"base": "standard", "timeout_ms": 500}}}' > "$TMP/cfg/p.json"
CODE_CONFIG=$TMP/cfg
cat > "$TMP/spin.sh" <<'S'
echo started
sleep 60 &
sleep 60
S
start=$(date +%s)
code_run -p short "$TMP/spin.sh"
took=$(( $(date +%s) - start ))
assert_eq 124 "$rc" "exit status"
assert_eq started "$(cat "$TMP/out")"
assert_eq true "${R[timed_out]}"
assert_eq '["timeout"]' "${R[limits_hit]}"
assert_eq -1 "${R[exit_code]}"
assert_eq short "${R[profile]}"
# Far below the sleeps: the tree went with the timeout.
[ "$took" -lt 30 ] || fail "the run took ${took}s"
