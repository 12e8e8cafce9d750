# Sourced by the escape suites (t2000 through the sandbox helper, t2110
# through a mount) after lib.sh: how a probe of tests/sandbox/probes/
# says where it runs and what it expects, and the verdict on one run.
#
# A probe prints one line, "held WHAT" or "ESCAPED WHAT".  Its header
# may say
#   # profiles: P...        the profiles it runs in (default: standard
#                           hardened)
#   # expect-limit: NAME    it may instead be killed by limit NAME (as
#                           named in the result's limits_hit)
# The probes run from a copy whose long sleep (58-timeout) lasts a time
# of this test's own, so that the check for survivors below never sees
# another test's probes on the same machine.
PROBE_SLEEP=3599.$$
PROBES=$TMP/probes
mkdir -p "$PROBES"
for _p in "$top"/tests/sandbox/probes/*; do
	sed "s/3599\.731/$PROBE_SLEEP/g" "$_p" > "$PROBES/${_p##*/}"
	chmod --reference="$_p" "$PROBES/${_p##*/}"
done
PROBE_LIMITS=$top/tests/sandbox/limits.json

# probe_profiles FILE: the profiles FILE runs in.
probe_profiles() {
	local p
	p=$(sed -n 's/^# profiles: //p' "$1")
	echo "${p:-standard hardened}"
}
# probe_limit FILE: the limit FILE may be killed by, or nothing.
probe_limit() { sed -n 's/^# expect-limit: //p' "$1"; }
# probe_profile_name PROFILE LIMIT: the profile of limits.json a probe
# of PROFILE runs with.  The limits are generous in wall-clock time (a
# loaded machine must not turn a CPU limit into a timeout), except for
# the probe of the timeout itself (PROFILE-short); and generous in CPU
# time for the memory probe (PROFILE-memory), whose page faults cost CPU
# time that a loaded machine (a virtual one above all) can make several
# seconds.
probe_profile_name() {
	case "$2" in
	timeout) echo "$1-short" ;;
	memory) echo "$1-memory" ;;
	*) echo "$1" ;;
	esac
}
# probe_verdict OUT ERR RES LIMIT RAN: the verdict on one run whose
# standard output is in file OUT, standard error in ERR and result JSON
# in RES; RAN is 0 when the run could be started and its result read.
# Sets probe_why (empty when the probe held, else what went wrong) and
# probe_line (the probe's verdict line, or the limits that killed it).
# A run fails on ESCAPED anywhere, on a result missing or with an
# error, and on anything but exactly one verdict line, unless it has
# none and was killed by its expected limit.
probe_verdict() {
	local out res verdicts
	out=$(head -c 4096 "$1" 2>/dev/null | tr -d '\0')
	res=$(tr "\n" " " < "$3" 2>/dev/null)
	verdicts=$(printf '%s\n' "$out" | grep -cE '^(held|ESCAPED) ')
	probe_why=""
	if printf '%s\n' "$out" | grep -q ESCAPED ||
		grep -aq ESCAPED "$2" 2>/dev/null; then
		probe_why="ESCAPED"
	elif [ "$5" -ne 0 ] || [ -z "$res" ]; then
		probe_why="did not run: $(head -c 2048 "$2" 2>/dev/null)"
	elif printf '%s' "$res" | grep -qE '"error": *"[^"]'; then
		probe_why="set-up error"
	elif [ "$verdicts" -eq 1 ]; then
		probe_why=""
	elif [ -n "$4" ] && [ "$verdicts" -eq 0 ] &&
		printf '%s' "$res" | grep -qE "\"limits_hit\": *\[[^]]*\"$4\""; then
		probe_why=""
	else
		probe_why="no verdict"
	fi
	probe_line=$(printf '%s\n' "$out" | grep -E '^(held|ESCAPED) ' | head -1)
	[ -n "$probe_line" ] ||
		probe_line="(killed: $(printf '%s' "$res" | sed -n 's/.*"limits_hit": *\(\[[^]]*\]\).*/\1/p' | tr -d ' '))"
}
# probe_report PROFILE NAME RES ERR: prints the run's line (ok or FAIL,
# with the result and the start of its standard error on a failure) and
# counts a failure in probe_bad.
probe_bad=0
probe_report() {
	if [ -n "$probe_why" ]; then
		probe_bad=$((probe_bad + 1))
		printf 'FAIL %-8s %-28s %s\n     %s\n     %s\n' "$1" "$2" \
			"$probe_why" "$probe_line" "$(cat "$3" 2>/dev/null)"
		head -n 5 "$4" 2>/dev/null | sed 's/^/     stderr: /'
	else
		printf 'ok   %-8s %-28s %s\n' "$1" "$2" "$probe_line"
	fi
}
# probe_bait DIR: plants what no probe may reach, in DIR (the probes
# name /tmp/toolexec-escape): a secret file, a configuration directory
# DIR/config holding a secret, and listeners on the loopback and Unix
# sockets (tests/sandbox/listener.py; what reaches them is written to
# DIR/contacts).  Exports TOOLEXEC_ESCAPE_SECRET, the secret of the
# environment the daemon (or the helper) would carry.
probe_bait() {
	local d=$1 i
	rm -rf "$d"
	mkdir -p "$d/config"
	at_exit "rm -rf $d"
	echo hunter2 > "$d/host-secret"
	echo '{"codeProfiles": {}, "secret": "hunter2"}' > "$d/config/secret.json"
	chmod -R a+rwX "$d"
	python3 "$top/tests/sandbox/listener.py" "$d" > "$TMP/listener.out" 2>&1 &
	probe_listener=$!
	at_exit "kill $probe_listener"
	for i in $(seq 1 300); do
		grep -q ready "$TMP/listener.out" 2>/dev/null && break
		kill -0 "$probe_listener" 2>/dev/null ||
			fail "listener: $(cat "$TMP/listener.out")"
		sleep 0.1
	done
	grep -q ready "$TMP/listener.out" || fail "the listener did not start"
	export TOOLEXEC_ESCAPE_SECRET=hunter2
}
# probe_bait_check DIR: nothing reached the listeners, and nothing the
# timeout probe started lives on.
probe_bait_check() {
	if [ -s "$1/contacts" ]; then
		cat "$1/contacts"
		fail "the host's listeners were reached"
	fi
	if pgrep -f "^sleep $PROBE_SLEEP\$" >/dev/null; then
		pgrep -af "^sleep $PROBE_SLEEP\$"
		fail "a process of a timed-out run survived"
	fi
	[ "$(ls "$PROBES" | wc -l)" -ge 40 ] || fail "fewer than 40 probes"
}
