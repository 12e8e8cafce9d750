# reboot(2) (here: the harmless Ctrl-Alt-Del off) must fail.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
r = libc.syscall(ctypes.c_long(169), ctypes.c_long(0xfee1dead), ctypes.c_long(672274793), ctypes.c_long(0), None)
e = ctypes.get_errno()
print("ESCAPED reboot" if r == 0 else "held reboot (errno %d)" % e)
