# mount, umount and pivot_root must fail.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ok = []
if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) == 0: ok.append("mount")
if libc.mount(None, b"/", None, 32 | 1, None) == 0: ok.append("remount / rw")
if libc.mount(b"/usr", b"/tmp", None, 4096, None) == 0: ok.append("bind")
if libc.umount2(b"/proc", 2) == 0: ok.append("umount")
if libc.syscall(155, b"/tmp", b"/tmp") == 0: ok.append("pivot_root")
print("ESCAPED %s" % ok if ok else "held mount, umount, pivot_root")
