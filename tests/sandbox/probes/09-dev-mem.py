# Kernel memory and disks must not be readable.
import os, glob
opened = []
for p in ["/dev/mem", "/dev/kmem", "/dev/port", "/proc/kcore"] + glob.glob("/dev/sd*") + glob.glob("/dev/vd*") + glob.glob("/dev/nvme*"):
    try:
        fd = os.open(p, os.O_RDONLY)
        os.read(fd, 1)
        os.close(fd)
        opened.append(p)
    except OSError:
        pass
print("ESCAPED kernel memory or disk: %s" % opened if opened else "held /dev/mem, /proc/kcore, disks")
