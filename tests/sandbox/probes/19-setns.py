# setns into any namespace must fail.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
ok = []
for ns in ("mnt", "user", "net", "pid", "uts", "ipc", "cgroup"):
    try:
        fd = os.open("/proc/1/ns/" + ns, os.O_RDONLY)
    except OSError:
        continue
    if libc.setns(fd, 0) == 0:
        ok.append(ns)
print("ESCAPED setns %s" % ok if ok else "held setns")
