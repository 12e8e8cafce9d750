#!/bin/bash
# A run's network: only lo, up, a namespace that is not the host's,
# nothing of the host's loopback reachable, and no capability over it
# (lo cannot be taken down from inside).
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

# A listener on the host's loopback that a run must not reach.
python3 - "$TMP/port" <<'P' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(120)
try:
    s.accept()
    open(sys.argv[1] + ".reached", "w").write("yes")
except OSError:
    pass
P
listener=$!
at_exit "kill $listener"
for _ in $(seq 300); do
	[ -s "$TMP/port" ] && break
	sleep 0.1
done
[ -s "$TMP/port" ] || fail "no listener"
port=$(cat "$TMP/port")
host_net=$(readlink /proc/self/ns/net)

cat > "$TMP/net.py" <<'S'
import fcntl, os, socket, struct, sys
print("interfaces:", [n for _, n in socket.if_nameindex()])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
print("lo up:", bool(flags & 1))
try:
    fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags & ~1))
    print("lo down: yes")
except OSError:
    print("lo down: refused")
print("net:", os.readlink("/proc/self/ns/net"))
c = socket.socket()
c.settimeout(5)
try:
    c.connect(("127.0.0.1", int(sys.argv[1])))
    print("host loopback: reached")
except OSError:
    print("host loopback: not reached")
S
for prof in standard hardened; do
	run_sb $prof "$TMP/net.py" -- "$port" || fail "$prof did not run"
	assert_eq 0 "$(result_field exit_code)" "$prof exit code ($(cat "$TMP/err"))"
	out=$(cat "$TMP/out")
	assert_eq "interfaces: ['lo']
lo up: True
lo down: refused
host loopback: not reached" "$(printf '%s\n' "$out" | grep -v '^net:')" "$prof"
	net=$(printf '%s\n' "$out" | sed -n 's/^net: //p')
	[ -n "$net" ] && [ "$net" != "$host_net" ] || fail "$prof: network namespace $net (host $host_net)"
done
[ ! -e "$TMP/port.reached" ] || fail "the host's listener was reached"
