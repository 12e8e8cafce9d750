# ioctl(TIOCSTI) (type into a terminal) is refused by the filter: on
# /dev/null it gets EPERM, not the tty layer's ENOTTY.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
c = ctypes.c_char(b"x")
r = libc.syscall(ctypes.c_long(16), ctypes.c_long(0), ctypes.c_ulong(0x5412), ctypes.byref(c))
e = ctypes.get_errno()
print("held TIOCSTI (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED TIOCSTI reachable (errno %d)" % e)
