#!/bin/bash
# poll() from many threads on one descriptor: every registration the
# mount makes for it is dropped again (none keeps a job reference or a
# listener), as .ctl/stats counts them.  Before the fix, two poll()s
# racing on one descriptor overwrote each other's registration and the
# job it referenced was never freed (LeakSanitizer saw it at unmount).
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail cd
# live NAME: a count from the mount's section of .ctl/stats.
live() { awk -v k="$1" '$1 == k { print $2 }' .ctl/stats; }
# waitlive NAME VALUE: polls (bounded, 30 s) until the count is VALUE.
waitlive() {
	for _i in $(seq 1 600); do
		[ "$(live "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$1: expected $2, still $(live "$1") after 30 s"
}
assert_eq 0 "$(live poll_registrations)" "no registration at the start"

# A cloned job that nobody starts: its result never becomes readable, so
# every poll() registers for a notification.
n=$(cat tools/builtin/sleep/clone)
python3 - "jobs/$n/result" <<'PY' || fail "concurrent polls"
import os, select, sys, threading
fd = os.open(sys.argv[1], os.O_RDONLY)
errors = []
def poller():
    try:
        p = select.poll()
        p.register(fd, select.POLLIN)
        for _ in range(400):
            if p.poll(1):
                errors.append("readable before the job ended")
                return
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=poller) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
os.close(fd)
assert not errors, errors
PY
# RELEASE is asynchronous: the counts settle once the kernel sent it.
waitlive open_files 0
assert_eq 0 "$(live poll_registrations)" "registrations left after close"
assert_eq 0 "$(live deferred_reads)" "deferred reads after close"

# A registration made while the job runs is answered when it ends.
n2=$(cat tools/builtin/sleep/clone)
python3 - "jobs/$n2/result" "jobs/$n2/call" <<'PY' || fail "poll wakes up"
import os, select, sys, threading
fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll(); p.register(fd, select.POLLIN)
assert not p.poll(0)
with open(sys.argv[2], "w") as c:
    c.write('{"seconds": 0.2}')
ev = p.poll(30000)
assert ev and ev[0][1] & select.POLLIN, ev
assert b"slept" in os.read(fd, 4096)
os.close(fd)
PY
# A call file with arguments written but no call started is writable.
python3 - tools/builtin/echo/call <<'PY' || fail "poll on a call file"
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.write(fd, b'{"a":')
p = select.poll(); p.register(fd, select.POLLOUT | select.POLLIN)
ev = p.poll(5000)
assert ev and ev[0][1] == select.POLLOUT, ev
os.write(fd, b'1}')
assert b'"a": 1' in os.read(fd, 4096)
ev = p.poll(5000)
assert ev and ev[0][1] & select.POLLIN, ev
os.close(fd)
PY
waitlive open_files 0
assert_eq 0 "$(live poll_registrations)" "registrations at the end"
rm -r "jobs/$n" || fail "rm -r jobs/$n"

cd /
unmount_fs
echo ok
