# bpf() is not reachable: a bogus command gets EPERM (the filter), not
# EINVAL (the kernel).
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = ctypes.create_string_buffer(128)
r = libc.syscall(ctypes.c_long(321), ctypes.c_long(0), attr, ctypes.c_long(128))  # BPF_MAP_CREATE, zeroed
e = ctypes.get_errno()
print("held bpf (errno %d)" % e if r < 0 and e in (1, 38) else "ESCAPED bpf reachable (r %d errno %d)" % (r, e))
