# kexec, swapon, swapoff, acct, quotactl must fail.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
ok = []
for name, nr, args in (("kexec_load", 246, (0, 0, 0, 0)), ("swapon", 167, (b"/tmp/x", 0)),
                       ("swapoff", 168, (b"/tmp/x",)), ("acct", 163, (b"/tmp/acct",)),
                       ("quotactl", 179, (0, b"/tmp", 0, 0))):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if r == 0:
        ok.append(name)
print("ESCAPED %s" % ok if ok else "held kexec, swap, acct, quotactl")
