# clone with CLONE_NEWUSER (the raw system call) must fail.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SIGCHLD, CLONE_NEWUSER = 17, 0x10000000
pid = libc.syscall(ctypes.c_long(56), ctypes.c_ulong(CLONE_NEWUSER | SIGCHLD), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED clone(CLONE_NEWUSER)")
else:
    print("held clone(CLONE_NEWUSER) (errno %d)" % ctypes.get_errno())
