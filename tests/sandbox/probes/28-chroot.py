# chroot must fail (the classic chroot break-out needs it).
import os
try:
    os.chroot("/tmp")
    print("ESCAPED chroot")
except OSError as e:
    print("held chroot (%s)" % e.strerror)
