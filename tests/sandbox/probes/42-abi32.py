# The 32-bit system call ABI (int 0x80) is not usable: the process dies
# (or the call fails) instead of running getpid.
import ctypes, mmap, os, signal
code = bytes([0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3])  # mov eax,20; int 0x80; ret
pid = os.fork()
if pid == 0:
    m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    m.write(code)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    f = ctypes.CFUNCTYPE(ctypes.c_int)(addr)
    r = f()
    os._exit(0 if r > 0 else 1)
_, st = os.waitpid(pid, 0)
if os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0:
    print("ESCAPED 32-bit system call ran")
else:
    print("held 32-bit ABI (%s)" % ("signal %d" % os.WTERMSIG(st) if os.WIFSIGNALED(st) else "exit %d" % os.WEXITSTATUS(st)))
