# open_by_handle_at (the "shocker" escape) must be refused.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
buf = ctypes.create_string_buffer(8 + 128)
ctypes.c_uint.from_buffer(buf, 0).value = 128
mnt = ctypes.c_int()
r1 = libc.syscall(ctypes.c_long(303), ctypes.c_long(-100), b"/etc/passwd", buf, ctypes.byref(mnt), ctypes.c_int(0))
e1 = ctypes.get_errno()
fd = os.open("/work", os.O_RDONLY)
r2 = libc.syscall(ctypes.c_long(304), ctypes.c_long(fd), buf, ctypes.c_long(0))
e2 = ctypes.get_errno()
if r2 >= 0:
    print("ESCAPED open_by_handle_at opened a file")
elif e2 not in (1, 38):
    print("ESCAPED open_by_handle_at reachable (errno %d)" % e2)
else:
    print("held open_by_handle_at (name_to_handle_at errno %d, open errno %d)" % (e1 if r1 else 0, e2))
