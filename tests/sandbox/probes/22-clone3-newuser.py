# clone3 with CLONE_NEWUSER must fail (it is refused as a whole).
import ctypes, os, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
args = ctypes.create_string_buffer(struct.pack("QQQQQQQQ", CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0))
pid = libc.syscall(ctypes.c_long(435), args, ctypes.c_long(64))
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED clone3(CLONE_NEWUSER)")
else:
    print("held clone3 (errno %d)" % ctypes.get_errno())
