#!/bin/bash
# The escape suite: every hostile script in tests/sandbox/probes/ runs
# through the sandbox helper the way the daemon starts it, in standard
# and hardened (and the limit probes in dev too).  Each prints one line,
# "held WHAT" or "ESCAPED WHAT"; a limit probe that is killed instead
# must show its limit in the result.  No ESCAPED anywhere, no set-up
# error, exactly one verdict per run.  Bait on the host: a secret in
# the environment, files in /tmp, listeners on the loopback and Unix
# sockets (tests/sandbox/listener.py).
. "$(dirname "$0")/lib.sh"

RUN=$BUILD/tests/sandbox/sandbox_run
export TOOLEXEC_SANDBOX_HELPER=$BUILD/toolexec-sandbox
[ -x "$RUN" ] && [ -x "$TOOLEXEC_SANDBOX_HELPER" ] || fail "not built: $RUN"
[ "$(id -u)" -eq 0 ] || skip "the sandbox maps runs to other uids: needs root"
PROBES=$top/tests/sandbox/probes
LIMITS=$top/tests/sandbox/limits.json

E=/tmp/toolexec-escape
rm -rf "$E"
mkdir -p "$E/config"
at_exit "rm -rf $E"
echo hunter2 > "$E/host-secret"
echo '{"codeProfiles": {}, "secret": "hunter2"}' > "$E/config/secret.json"
chmod -R a+rwX "$E"
python3 "$top/tests/sandbox/listener.py" "$E" > "$TMP/listener.out" 2>&1 &
LPID=$!
at_exit "kill $LPID"
for _i in $(seq 1 300); do
	grep -q ready "$TMP/listener.out" 2>/dev/null && break
	kill -0 "$LPID" 2>/dev/null || fail "listener: $(cat "$TMP/listener.out")"
	sleep 0.1
done
grep -q ready "$TMP/listener.out" || fail "the listener did not start"
# What the daemon would carry in its environment.
export TOOLEXEC_ESCAPE_SECRET=hunter2

DEVWORK=$TMP/devwork
mkdir -p "$DEVWORK"
chmod 0777 "$DEVWORK"
chmod 0755 "$TMP"

n=0
bad=0
for probe in "$PROBES"/*; do
	name=$(basename "$probe")
	profiles=$(sed -n 's/^# profiles: //p' "$probe")
	[ -n "$profiles" ] || profiles="standard hardened"
	limit=$(sed -n 's/^# expect-limit: //p' "$probe")
	for prof in $profiles; do
		n=$((n + 1))
		if [ "$prof" = dev ]; then
			set -- -u 65534 -g 65534 -w "$DEVWORK"
		else
			set --
		fi
		# The limits are generous in wall-clock time (a loaded machine
		# must not turn a CPU limit into a timeout), except for the
		# probe of the timeout itself; and generous in CPU time for the
		# memory probe, whose page faults cost CPU time that a loaded
		# machine (a virtual one above all) can make several seconds.
		pname=$prof
		[ "$limit" = timeout ] && pname=$prof-short
		[ "$limit" = memory ] && pname=$prof-memory
		rm -f "$TMP/result.json"
		(cd "$DEVWORK" && "$RUN" -p "$pname" -C "$LIMITS" \
			-r "$TMP/result.json" "$@" "$probe" >"$TMP/stdout" 2>"$TMP/stderr")
		rc=$?
		out=$(head -c 4096 "$TMP/stdout" | tr -d '\0')
		res=$(cat "$TMP/result.json" 2>/dev/null)
		verdicts=$(printf '%s\n' "$out" | grep -cE '^(held|ESCAPED) ')
		why=""
		if printf '%s\n%s\n' "$out" "$(cat "$TMP/stderr")" | grep -q ESCAPED; then
			why="ESCAPED"
		elif [ "$rc" -ne 0 ] || [ -z "$res" ]; then
			why="did not run: $(cat "$TMP/stderr")"
		elif printf '%s' "$res" | grep -q '"error": "[^"]'; then
			why="set-up error"
		elif [ "$verdicts" -eq 1 ]; then
			why=""
		elif [ -n "$limit" ] && [ "$verdicts" -eq 0 ] &&
			printf '%s' "$res" | grep -q "\"limits_hit\": \[[^]]*\"$limit\""; then
			why=""
		else
			why="no verdict"
		fi
		# hardened keeps its promises: Landlock and cgroup limits applied.
		if [ -z "$why" ] && [ "$prof" = hardened ] &&
			! printf '%s' "$res" | grep -q '"landlock_abi": [1-9].*"cgroup": "v[12]"'; then
			why="hardened without Landlock or cgroups"
		fi
		line=$(printf '%s\n' "$out" | grep -E '^(held|ESCAPED) ' | head -1)
		[ -n "$line" ] || line="(killed: $(printf '%s' "$res" | sed 's/.*"limits_hit": \(\[[^]]*\]\).*/\1/'))"
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			printf 'FAIL %-8s %-28s %s\n     %s\n     %s\n' "$prof" "$name" "$why" "$line" "$res"
			sed 's/^/     stderr: /' "$TMP/stderr" | head -5
		else
			printf 'ok   %-8s %-28s %s\n' "$prof" "$name" "$line"
		fi
	done
done
# Nothing reached the bait, and nothing the timeout probe started lives on.
if [ -s "$E/contacts" ]; then
	cat "$E/contacts"
	fail "the host's listeners were reached"
fi
if pgrep -f '^sleep 3599.731$' >/dev/null; then
	pgrep -af '^sleep 3599.731$'
	fail "a process of a timed-out run survived"
fi
[ "$(ls "$PROBES" | wc -l)" -ge 40 ] || fail "fewer than 40 probes"
echo "$n runs, $bad failed"
[ "$bad" -eq 0 ] || fail "$bad probe runs failed"
