#!/bin/bash
# PID 1 of a run (the reaper in front of the script) is confined before
# it forks the script, and the script inherits that: no capabilities in
# any set, no_new_privs, one seccomp program (not one loaded on top of
# another).  The run's CPU time counts the script's.  A script that
# exits leaving a background process behind takes it along, and no
# process of the run outlives the helper (none is left for the host's
# init to reap).
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

# CPU time: a script that does a fixed amount of work and says how
# much CPU it used (the shell's own `times`); the result counts at
# least that.
cat > "$TMP/spin.sh" <<'S'
i=0
while [ $i -lt 300000 ]; do i=$((i + 1)); done
times
S
run_sb standard "$TMP/spin.sh" || fail "spin did not run"
python3 - "$TMP/res" "$TMP/out" <<'P' || fail "cpu_ms below the script's own CPU time"
import json, re, sys
cpu = json.load(open(sys.argv[1]))["cpu_ms"]
own = 0.0
for m, s in re.findall(r"(\d+)m([\d.]+)s", open(sys.argv[2]).readline()):
    own += int(m) * 60 + float(s)
own_ms = int(own * 1000)
sys.exit(0 if own_ms > 0 and cpu + 10 >= own_ms else 1)
P

# A background process with its streams closed, left behind.
uid=1879048999
cat > "$TMP/bg.sh" <<'S'
sleep 1000 </dev/null >/dev/null 2>&1 &
echo started
S
run_sb standard "$TMP/bg.sh" -u $uid -g $uid || fail "bg did not run"
assert_eq 0 "$(result_field exit_code)" "bg exit code"
assert_eq started "$(cat "$TMP/out")"
if pgrep -u $uid >/dev/null; then
	fail "processes of the run left: $(pgrep -a -u $uid)"
fi
# Runs leave no orphan behind: under a subreaper of ours, a PID 1 whose
# helper did not wait for it would be handed to us when the helper
# exits.  After the driver has exited, we must have no child left.
python3 - "$RUN" "$TMP/bg.sh" $uid <<'P' || fail "a run left an orphan"
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("prctl: %s" % os.strerror(ctypes.get_errno()))
run, script, uid = sys.argv[1:4]
for _ in range(5):
    subprocess.run([run, "-p", "standard", "-q", "-r", "/dev/null", "-u", uid,
                    "-g", uid, script], check=True)
try:
    pid, _ = os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    sys.exit(0)
sys.exit("left behind: %s" % ("a live process" if pid == 0 else "pid %d" % pid))
P
