#!/bin/bash
# The escape suite: every hostile script in tests/sandbox/probes/ runs
# through the sandbox helper the way the daemon starts it, in standard
# and hardened (and the limit probes in dev too).  Each prints one line,
# "held WHAT" or "ESCAPED WHAT"; a limit probe that is killed instead
# must show its limit in the result.  No ESCAPED anywhere, no set-up
# error, exactly one verdict per run (lib-probes.sh, shared with
# t2110, which drops the same probes into a mount).  Bait on the host:
# a secret in the environment, files in /tmp, listeners on the loopback
# and Unix sockets (tests/sandbox/listener.py).
. "$(dirname "$0")/lib.sh"
. "$here/lib-probes.sh"

RUN=$BUILD/tests/sandbox/sandbox_run
export TOOLEXEC_SANDBOX_HELPER=$BUILD/toolexec-sandbox
[ -x "$RUN" ] && [ -x "$TOOLEXEC_SANDBOX_HELPER" ] || fail "not built: $RUN"
[ "$(id -u)" -eq 0 ] || skip "the sandbox maps runs to other uids: needs root"

E=/tmp/toolexec-escape
probe_bait "$E"

DEVWORK=$TMP/devwork
mkdir -p "$DEVWORK"
chmod 0777 "$DEVWORK"
chmod 0755 "$TMP"

n=0
for probe in "$PROBES"/*; do
	name=$(basename "$probe")
	limit=$(probe_limit "$probe")
	for prof in $(probe_profiles "$probe"); do
		n=$((n + 1))
		if [ "$prof" = dev ]; then
			set -- -u 65534 -g 65534 -w "$DEVWORK"
		else
			set --
		fi
		rm -f "$TMP/result.json"
		(cd "$DEVWORK" && "$RUN" -p "$(probe_profile_name "$prof" "$limit")" \
			-C "$PROBE_LIMITS" -r "$TMP/result.json" "$@" "$probe" \
			>"$TMP/stdout" 2>"$TMP/stderr")
		probe_verdict "$TMP/stdout" "$TMP/stderr" "$TMP/result.json" "$limit" $?
		# hardened keeps its promises: Landlock and cgroup limits
		# applied (the helper's result says which it applied).
		if [ -z "$probe_why" ] && [ "$prof" = hardened ] &&
			! grep -q '"landlock_abi": [1-9].*"cgroup": "v[12]"' "$TMP/result.json"; then
			probe_why="hardened without Landlock or cgroups"
		fi
		probe_report "$prof" "$name" "$TMP/result.json" "$TMP/stderr"
	done
done
# Nothing reached the bait, and nothing the timeout probe started lives on.
probe_bait_check "$E"
echo "$n runs, $probe_bad failed"
[ "$probe_bad" -eq 0 ] || fail "$probe_bad probe runs failed"
