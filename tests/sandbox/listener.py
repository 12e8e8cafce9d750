# Bait on the host for the network probes: a TCP listener and a UDP echo
# server on 127.0.0.1:47613, an abstract Unix socket and one at
# DIR/sock.  Prints "ready" once all four are bound, then records every
# connection or datagram in DIR/contacts (one line each) until killed.
import os, select, socket, sys

d = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 47613
log = open(os.path.join(d, "contacts"), "a", buffering=1)
tcp = socket.socket()
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.1", port))
tcp.listen(16)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", port))
ab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ab.bind("\0toolexec-escape-abstract")
ab.listen(16)
path = os.path.join(d, "sock")
un = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
un.bind(path)
os.chmod(path, 0o777)
un.listen(16)
print("ready", flush=True)
while True:
    r, _, _ = select.select([tcp, udp, ab, un], [], [])
    for s in r:
        if s is udp:
            data, addr = udp.recvfrom(100)
            log.write("udp %r\n" % (addr,))
            udp.sendto(data, addr)
        else:
            c, _ = s.accept()
            log.write("connect %r\n" % (s.getsockname(),))
            c.close()
