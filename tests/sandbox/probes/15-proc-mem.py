# Another process's memory (PID 1, the reaper) must not be readable.
import os
try:
    fd = os.open("/proc/1/mem", os.O_RDONLY)
    maps = open("/proc/1/maps").readline()
    start = int(maps.split("-")[0], 16)
    os.lseek(fd, start, 0)
    os.read(fd, 16)
    print("ESCAPED read /proc/1/mem")
except OSError as e:
    print("held /proc/1/mem (%s)" % e.strerror)
