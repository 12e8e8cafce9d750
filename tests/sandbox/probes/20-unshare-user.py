# A nested user namespace (which gives back every capability) must fail.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000
r = libc.unshare(CLONE_NEWUSER)
e = ctypes.get_errno()
r2 = libc.unshare(CLONE_NEWNS)
print("ESCAPED unshare(CLONE_NEWUSER)" if r == 0 else
      "ESCAPED unshare(CLONE_NEWNS)" if r2 == 0 else
      "held unshare (errno %d)" % e)
