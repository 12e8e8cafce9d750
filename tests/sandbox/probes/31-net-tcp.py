# The host's loopback is out of reach over TCP (a listener waits on
# 127.0.0.1:47613 outside).
import socket
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("127.0.0.1", 47613))
    s.sendall(b"escaped\n")
    print("ESCAPED TCP to the host's loopback")
except OSError as e:
    print("held TCP to the host's loopback (%s)" % (e.strerror or e))
