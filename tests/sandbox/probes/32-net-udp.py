# The host's loopback is out of reach over UDP (an echo server waits on
# 127.0.0.1:47613 outside).
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
try:
    s.sendto(b"ping", ("127.0.0.1", 47613))
    s.recvfrom(100)
    print("ESCAPED UDP echo from the host's loopback")
except OSError as e:
    print("held UDP to the host's loopback (%s)" % (e.strerror or type(e).__name__))
