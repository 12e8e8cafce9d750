# Many files cannot fill the disk either: /work has a size.
import os
total = 0
try:
    while total < (2 << 30):
        with open("/work/fill-%d" % (total >> 24), "wb") as f:
            f.write(b"\0" * (16 << 20))
        total += 16 << 20
    print("ESCAPED disk fill: 2 GiB in /work")
except OSError as e:
    print("held disk fill at %d MiB (%s)" % (total >> 20, e.strerror))
