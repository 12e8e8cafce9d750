#!/bin/bash
# dev: no isolation but the limits and the timeout; it runs as the user
# given (here nobody), without the daemon's groups or environment, in
# the host directory given.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

echo '{"dev": {"enabled": true}}' > "$TMP/p.json"
mkdir -p "$TMP/w"
chmod 777 "$TMP/w"
cat > "$TMP/who.sh" <<'S'
echo "$(id -u):$(id -g):$(id -G) $PWD $HOME"
awk '/^Cap(Eff|Prm):/ { printf "%s %s ", $1, $2 } END { print "" }' /proc/self/status
env | grep -c SECRET
touch made
S
export TOOLEXEC_DAEMON_SECRET=x
run_sb dev "$TMP/who.sh" -C "$TMP/p.json" -u 65534 -g 65534 -w "$TMP/w" || fail "dev"
assert_eq "65534:65534:65534 $TMP/w $TMP/w" "$(sed -n 1p "$TMP/out")"
assert_eq "CapPrm: 0000000000000000 CapEff: 0000000000000000 " "$(sed -n 2p "$TMP/out")"
assert_eq 0 "$(sed -n 3p "$TMP/out")" "secrets"
assert_eq 65534 "$(stat -c %u "$TMP/w/made")"
# The profile is off unless enabled: nothing starts.
run_sb dev "$TMP/who.sh" -u 65534 -g 65534 -w "$TMP/w"
assert_eq 2 $? "a disabled profile"
assert_contains "$(cat "$TMP/err")" "profile dev is not enabled"
if [ -e "$TMP/res" ]; then fail "a run started"; fi
