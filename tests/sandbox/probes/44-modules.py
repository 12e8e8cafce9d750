# Kernel modules cannot be loaded or removed.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
bad = []
for name, args in (("init_module", (175, None, 0, b"")), ("finit_module", (313, -1, b"", 0)), ("delete_module", (176, b"loop", 0))):
    r = libc.syscall(ctypes.c_long(args[0]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args[1:]])
    e = ctypes.get_errno()
    if r >= 0 or e not in (1, 38):
        bad.append("%s errno %d" % (name, e))
print("ESCAPED modules: %s" % bad if bad else "held init_module, finit_module, delete_module")
