#!/bin/bash
# PID 1 of a run (the reaper in front of the script) is confined before
# it forks the script, and the script inherits that: no capabilities in
# any set, no_new_privs, one seccomp program (not one loaded on top of
# another).  The run's CPU time is the script's tree, as PID 1 measured
# it.  The result of a script that exits leaving a background process
# behind comes before the kernel has torn the namespaces down, but
# every process of the run is gone all the same.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/status.sh" <<'S'
for p in 1 self; do
	grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/$p/status |
		sed "s/^/$p /"
done
S
expected="1 CapInh:	0000000000000000
1 CapPrm:	0000000000000000
1 CapEff:	0000000000000000
1 CapBnd:	0000000000000000
1 CapAmb:	0000000000000000
1 NoNewPrivs:	1
1 Seccomp:	2
1 Seccomp_filters:	1
self CapInh:	0000000000000000
self CapPrm:	0000000000000000
self CapEff:	0000000000000000
self CapBnd:	0000000000000000
self CapAmb:	0000000000000000
self NoNewPrivs:	1
self Seccomp:	2
self Seccomp_filters:	1"
for prof in standard hardened; do
	run_sb $prof "$TMP/status.sh" || fail "$prof did not run"
	assert_eq 0 "$(result_field exit_code)" "$prof exit code"
	assert_eq "$expected" "$(cat "$TMP/out")" "$prof confinement"
done

# CPU time: a script that spins for 300 ms of its own.
cat > "$TMP/spin.sh" <<'S'
end=$(( $(date +%s%N) + 300000000 ))
while [ "$(date +%s%N)" -lt "$end" ]; do :; done
S
run_sb standard "$TMP/spin.sh" || fail "spin did not run"
cpu=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpu_ms"])' "$TMP/res")
[ "$cpu" -ge 150 ] || fail "cpu_ms $cpu for a 300 ms spin"

# A background process with its streams closed, left behind.
uid=1879048999
cat > "$TMP/bg.sh" <<'S'
sleep 1000 </dev/null >/dev/null 2>&1 &
echo started
S
run_sb standard "$TMP/bg.sh" -u $uid -g $uid || fail "bg did not run"
assert_eq 0 "$(result_field exit_code)" "bg exit code"
assert_eq started "$(cat "$TMP/out")"
# The kill is under way when the result comes; wait (bounded) for it.
for _ in $(seq 300); do
	pgrep -u $uid >/dev/null || break
	sleep 0.1
done
if pgrep -u $uid >/dev/null; then
	fail "processes of the run left: $(pgrep -a -u $uid)"
fi
