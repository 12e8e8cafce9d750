# personality flags that weaken the address space are refused.
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC = 0x0040000, 0x0400000
ok = [n for n, f in (("ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE), ("READ_IMPLIES_EXEC", READ_IMPLIES_EXEC)) if libc.personality(f) != -1]
print("ESCAPED personality %s" % ok if ok else "held personality")
