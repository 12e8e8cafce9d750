# The kernel keyring calls are not reachable (they need no capability).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
KEY_SPEC_SESSION_KEYRING = -3
r1 = libc.syscall(ctypes.c_long(250), ctypes.c_long(0), ctypes.c_long(KEY_SPEC_SESSION_KEYRING), ctypes.c_long(1))
e1 = ctypes.get_errno()
r2 = libc.syscall(ctypes.c_long(248), b"user", b"probe", b"x", ctypes.c_long(1), ctypes.c_long(KEY_SPEC_SESSION_KEYRING))
e2 = ctypes.get_errno()
r3 = libc.syscall(ctypes.c_long(249), b"user", b"probe", None, ctypes.c_long(0))
e3 = ctypes.get_errno()
bad = [n for n, r, e in (("keyctl", r1, e1), ("add_key", r2, e2), ("request_key", r3, e3)) if r >= 0 or e not in (1, 38)]
print("ESCAPED keyring reachable: %s" % bad if bad else "held keyctl, add_key, request_key")
