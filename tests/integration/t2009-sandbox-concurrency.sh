#!/bin/bash
# Twenty runs at once all finish, each with its own answer; two runs at
# once never see each other's processes, /work or /tmp.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

# Generous time: twenty runs share two cores with whatever else runs.
echo '{"standard": {"timeout_ms": 120000}}' > "$TMP/p.json"
cat > "$TMP/job.sh" <<'S'
echo "$1" > /work/mine
echo "$1" > /tmp/mine
ls /proc | grep -c '^[0-9]'
cat /work/mine /tmp/mine
S
pids=""
for i in $(seq 1 20); do
	"$RUN" -p standard -C "$TMP/p.json" -r "$TMP/res.$i" "$TMP/job.sh" "nonce-$i" >"$TMP/out.$i" 2>"$TMP/err.$i" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a run failed to start"
done
for i in $(seq 1 20); do
	assert_eq "nonce-$i
nonce-$i" "$(sed -n 2,3p "$TMP/out.$i")" "run $i answer"
	# PID 1, the script, ls, grep: nothing of the other runs.
	n=$(sed -n 1p "$TMP/out.$i")
	[ "$n" -le 5 ] || fail "run $i sees $n processes"
	assert_contains "$(cat "$TMP/res.$i")" '"exit_code": 0'
done
# Two runs side by side: the second looks for the first's files and
# processes while the first is still running (it waits for a file that
# the test makes once the second has finished).
mkdir -p "$TMP/wa"
chown 1879048000:1879048000 "$TMP/wa"
cat > "$TMP/a.sh" <<'S'
echo secret-a > /work/a; echo secret-a > /tmp/a; echo started
while [ ! -e /work/stop ]; do sleep 0.05; done
echo done
S
cat > "$TMP/b.sh" <<'S'
ls /work /tmp /dev/shm | tr '\n' ' '; echo
ps -e -o pid= | wc -l
grep -rls "secret""-a" /work /tmp /dev/shm /run /etc /root 2>/dev/null | head -3
S
"$RUN" -p standard -C "$TMP/p.json" -r "$TMP/res.a" -w "$TMP/wa" -u 1879048000 -g 1879048000 \
	"$TMP/a.sh" >"$TMP/out.a" 2>&1 &
apid=$!
at_exit "kill $apid"
for _i in $(seq 1 300); do grep -q started "$TMP/out.a" && break; sleep 0.1; done
grep -q started "$TMP/out.a" || fail "run a did not start"
run_sb standard "$TMP/b.sh" -C "$TMP/p.json" || fail "b"
assert_eq "/dev/shm:  /tmp:  /work: " "$(sed -n 1p "$TMP/out")" "b sees no file of a"
[ "$(sed -n 2p "$TMP/out")" -le 5 ] || fail "b sees other processes: $(cat "$TMP/out")"
assert_eq "" "$(sed -n '3,$p' "$TMP/out")" "b found a's secret"
touch "$TMP/wa/stop"
wait $apid || fail "run a"
assert_eq "started
done" "$(cat "$TMP/out.a")"
