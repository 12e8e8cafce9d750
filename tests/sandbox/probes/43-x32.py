# The x32 ABI (bit 30 in the system call number) is not usable.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
pid = os.fork()
if pid == 0:
    r = libc.syscall(ctypes.c_long(0x40000000 | 39))  # x32 getpid
    os._exit(0 if r > 0 else 1)
_, st = os.waitpid(pid, 0)
if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0:
    print("ESCAPED x32 system call ran")
else:
    print("held x32 ABI (%s)" % ("signal %d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exit %d" % os.WEXITSTATUS(st)))
