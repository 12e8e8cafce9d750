# io_uring_setup is not reachable (it needs no capability).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
params = ctypes.create_string_buffer(120)
r = libc.syscall(ctypes.c_long(425), ctypes.c_long(4), params)
e = ctypes.get_errno()
print("held io_uring_setup (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED io_uring_setup (r %d errno %d)" % (r, e))
