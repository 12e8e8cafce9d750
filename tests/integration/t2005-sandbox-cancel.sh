#!/bin/bash
# A cancel stops the whole tree: gently (SIGTERM to the script's group,
# which a script may trap) and, past the grace, by force; a hard cancel
# at once.  The result says cancelled, and no process is left.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/p.json" <<'S'
{"standard": {"kill_grace_ms": 300}, "hardened": {"kill_grace_ms": 300},
 "dev": {"enabled": true, "kill_grace_ms": 300}}
S
# A time of this test's own: the check for survivors at the end must not
# see another test's sleeps on the same machine.
nap=3600.$$
printf 'setsid sleep %s &\necho started\nsleep %s\n' $nap $nap > "$TMP/polite.sh"
printf 'trap "" TERM\nsetsid sleep %s &\necho started\nwhile :; do sleep 1; done\n' $nap > "$TMP/stubborn.sh"
mkdir -p "$TMP/devw"
chmod 777 "$TMP/devw"
for prof in standard hardened dev; do
	dev=""
	[ $prof = dev ] && dev="-u 65534 -g 65534 -w $TMP/devw"
	run_sb $prof "$TMP/polite.sh" -C "$TMP/p.json" -K $dev || fail "$prof"
	assert_eq started "$(cat "$TMP/out")"
	assert_eq true "$(result_field cancelled)" "$prof cancelled"
	assert_eq 15 "$(result_field signal)" "$prof polite: SIGTERM"
	run_sb $prof "$TMP/stubborn.sh" -C "$TMP/p.json" -K $dev || fail "$prof"
	assert_eq true "$(result_field cancelled)"
	assert_eq 9 "$(result_field signal)" "$prof stubborn: SIGKILL after the grace"
	run_sb $prof "$TMP/stubborn.sh" -C "$TMP/p.json" -X $dev || fail "$prof"
	assert_eq 9 "$(result_field signal)" "$prof hard"
	assert_eq false "$(result_field timed_out)"
done
if pgrep -f "^sleep $nap\$" >/dev/null; then
	pgrep -af "^sleep $nap\$"
	fail "a process of a cancelled run survived"
fi
