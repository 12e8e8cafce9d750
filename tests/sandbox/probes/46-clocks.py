# The system clock cannot be set or adjusted.
import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
class timespec(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
class timeval(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("us", ctypes.c_long)]
now = int(time.time())
ok = []
if libc.clock_settime(0, ctypes.byref(timespec(now, 0))) == 0: ok.append("clock_settime")
if libc.settimeofday(ctypes.byref(timeval(now, 0)), None) == 0: ok.append("settimeofday")
tx = ctypes.create_string_buffer(256)
ctypes.c_uint.from_buffer(tx, 0).value = 0x0001  # ADJ_OFFSET, offset 0
if libc.adjtimex(tx) >= 0: ok.append("adjtimex")
print("ESCAPED %s" % ok if ok else "held clocks")
