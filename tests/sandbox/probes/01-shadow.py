# /etc/shadow of the host must not be readable.
try:
    data = open("/etc/shadow").read()
    print("ESCAPED read /etc/shadow" if data else "held /etc/shadow (empty)")
except OSError as e:
    print("held /etc/shadow (%s)" % e.strerror)
