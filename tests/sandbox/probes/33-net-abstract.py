# An abstract Unix socket of the host (network-namespace scoped) is out
# of reach.
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\0toolexec-escape-abstract")
    print("ESCAPED abstract Unix socket of the host")
except OSError as e:
    print("held abstract Unix socket (%s)" % e.strerror)
