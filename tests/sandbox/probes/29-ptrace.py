# ptrace of PID 1 (the reaper) or of oneself must fail.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
PTRACE_TRACEME, PTRACE_ATTACH = 0, 16
r = libc.ptrace(PTRACE_ATTACH, 1, None, None)
e1 = ctypes.get_errno()
pid = os.fork()
if pid == 0:
    os._exit(0 if libc.ptrace(PTRACE_TRACEME, 0, None, None) == 0 else 1)
_, st = os.waitpid(pid, 0)
if r == 0:
    print("ESCAPED ptrace attach to pid 1")
elif os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0:
    print("ESCAPED ptrace traceme")
else:
    print("held ptrace (errno %d)" % e1)
