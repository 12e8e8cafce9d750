# no_new_privs is set and cannot be cleared.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
libc.prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0)
v = libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
print("held no_new_privs" if v == 1 else "ESCAPED no_new_privs is %d" % v)
