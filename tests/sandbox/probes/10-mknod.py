# A device node made inside must not open a device.
import os, stat
try:
    os.mknod("/tmp/mem", stat.S_IFCHR | 0o600, os.makedev(1, 1))
    fd = os.open("/tmp/mem", os.O_RDONLY)
    os.read(fd, 1)
    print("ESCAPED mknod /dev/mem")
except OSError as e:
    print("held mknod (%s)" % e.strerror)
