# perf_event_open is not reachable: a zeroed attr gets EPERM, not E2BIG.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = ctypes.create_string_buffer(256)
r = libc.syscall(ctypes.c_long(298), attr, ctypes.c_long(0), ctypes.c_long(-1), ctypes.c_long(-1), ctypes.c_long(0))
e = ctypes.get_errno()
print("held perf_event_open (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED perf_event_open reachable (r %d errno %d)" % (r, e))
