# A Unix socket in the host's /tmp is out of reach.
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("/tmp/toolexec-escape/sock")
    print("ESCAPED Unix socket in the host's /tmp")
except OSError as e:
    print("held Unix socket by path (%s)" % e.strerror)
