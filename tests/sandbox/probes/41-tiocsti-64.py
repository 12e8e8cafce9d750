# TIOCSTI with bit 32 set (CVE-2019-10063: the kernel truncates the
# command to 32 bits, a 64-bit compare in the filter lets it through).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
c = ctypes.c_char(b"x")
r = libc.syscall(ctypes.c_long(16), ctypes.c_long(0), ctypes.c_ulong(0x5412 | (1 << 32)), ctypes.byref(c))
e = ctypes.get_errno()
print("held TIOCSTI|1<<32 (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED TIOCSTI|1<<32 reachable (errno %d)" % e)
