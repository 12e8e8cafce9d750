#!/bin/bash
# Deferred reads of a job's stream and result end in each of the ways a
# wait can end (the wait bound, an interrupt, the job ending, the job
# being removed), and none leaves a deferred read or its job listener
# behind: .ctl/stats counts them back to zero every time.
. "$(dirname "$0")/lib.sh"
mount_default -o wait_max=3
cd "$MNT" || fail cd
live() { awk -v k="$1" '$1 == k { print $2 }' .ctl/stats; }
# settled: polls (bounded, 30 s) until no file is open and no read waits.
settled() {
	for _i in $(seq 1 600); do
		[ "$(live open_files)/$(live deferred_reads)/$(live poll_registrations)" = 0/0/0 ] && return 0
		sleep 0.05
	done
	fail "$1: still open_files=$(live open_files) deferred_reads=$(live deferred_reads) poll_registrations=$(live poll_registrations)"
}
# waiting WHO: polls (bounded, 30 s) until a read is deferred.
waiting() {
	for _i in $(seq 1 600); do
		[ "$(live deferred_reads)" = 1 ] && return 0
		sleep 0.05
	done
	fail "$1 does not wait"
}
# readwait FILE [SIGNAL_AFTER|again]: one read of FILE, printing OK:<bytes>
# or the errno name; with SIGNAL_AFTER a SIGALRM interrupts it (its
# handler raises, or python would retry the read after EINTR); with
# `again` the read is retried after EAGAIN, as a client that means to
# wait for the job does (so the bound never decides the outcome).
readwait() {
	python3 - "$@" <<'PY'
import errno, os, signal, sys
def alarm(*a):
    raise InterruptedError(errno.EINTR, "interrupted")
signal.signal(signal.SIGALRM, alarm)
fd = os.open(sys.argv[1], os.O_RDONLY)
again = sys.argv[2:] == ["again"]
if len(sys.argv) > 2 and not again:
    signal.setitimer(signal.ITIMER_REAL, float(sys.argv[2]))
while True:
    try:
        print("OK:%d" % len(os.read(fd, 4096)))
    except OSError as e:
        if again and e.errno == errno.EAGAIN:
            continue
        print(errno.errorcode[e.errno])
    break
os.close(fd)
PY
}

n=$(cat tools/builtin/sleep/clone)	# never started: nothing comes
# The bound (wait_max=3) answers EAGAIN.
assert_eq EAGAIN "$(readwait jobs/$n/stream)" "stream read at the bound"
settled "stream wait ended by the bound"
assert_eq EAGAIN "$(readwait jobs/$n/result)" "result read at the bound"
settled "result wait ended by the bound"
# An interrupt answers EINTR and only stops the wait.
assert_eq EINTR "$(readwait jobs/$n/stream 0.2)" "interrupted stream read"
settled "stream wait ended by an interrupt"
assert_eq EINTR "$(readwait jobs/$n/result 0.2)" "interrupted result read"
settled "result wait ended by an interrupt"
assert_eq new "$(cat jobs/$n/status)" "the job is untouched"

# Many stream readers at once, each ended by one of the three.
pids=""
for i in 1 2 3 4; do
	readwait jobs/$n/stream > $TMP/bound.$i &
	pids="$pids $!"
	readwait jobs/$n/stream 0.3 > $TMP/intr.$i &
	pids="$pids $!"
done
wait $pids
for i in 1 2 3 4; do
	assert_eq EAGAIN "$(cat $TMP/bound.$i)" "reader $i at the bound"
	assert_eq EINTR "$(cat $TMP/intr.$i)" "interrupted reader $i"
done
settled "eight stream waits"

# The job ending answers a waiting stream reader with what it wrote.
readwait jobs/$n/stream again > $TMP/end.out &
rpid=$!
waiting "the stream reader"
echo '{"seconds": 0.1}' > jobs/$n/call
wait $rpid
case "$(cat $TMP/end.out)" in OK:[1-9]*) ;; *) fail "stream reader at the end: $(cat $TMP/end.out)" ;; esac
settled "stream wait ended by the job"

# Removing the job answers its waiting readers.
m=$(cat tools/builtin/sleep/clone)
readwait jobs/$m/result again > $TMP/rm.out &
rpid=$!
waiting "the result reader"
rm -r jobs/$m || fail "rm -r"
wait $rpid
assert_eq ECANCELED "$(cat $TMP/rm.out)" "reader of a removed job"
settled "result wait ended by rm -r"

cd /
unmount_fs
echo ok
