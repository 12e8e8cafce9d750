#!/bin/bash
# Twenty `toolexec code` runs started at once all finish, each with its
# own answer (a nonce through its argument and /work).
. "$(dirname "$0")/lib.sh"
. "$here/lib-code.sh"

mkdir -p "$TMP/cfg"
# Generous: twenty runs share the machine with whatever else runs.
echo '{"codeProfiles": {"standard": {"timeout_ms": 120000}}}' > "$TMP/cfg/p.json"
cat > "$TMP/job.sh" <<'S'
echo "$1" > /work/mine
cat /work/mine
echo "err-$1" >&2
S
pids=""
for i in $(seq 1 20); do
	timeout -k 5 300 "$TOOLEXEC" -c "$TMP/cfg" code --result "$TMP/res.$i" \
		"$TMP/job.sh" "nonce-$i" >"$TMP/out.$i" 2>"$TMP/err.$i" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a run failed: $(cat "$TMP"/err.* | head -20)"
done
for i in $(seq 1 20); do
	assert_eq "nonce-$i" "$(cat "$TMP/out.$i")" "run $i stdout"
	assert_eq "err-nonce-$i" "$(cat "$TMP/err.$i")" "run $i stderr"
	assert_eq 0 "$(field exit_code "$TMP/res.$i")" "run $i exit_code"
done
