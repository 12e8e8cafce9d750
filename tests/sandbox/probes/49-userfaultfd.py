# userfaultfd (a favourite of kernel exploits) is not reachable.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
r = libc.syscall(ctypes.c_long(323), ctypes.c_long(0))
e = ctypes.get_errno()
print("held userfaultfd (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED userfaultfd (r %d errno %d)" % (r, e))
