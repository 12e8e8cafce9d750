# profiles: standard hardened dev
# Opening descriptors stops at the descriptor limit.
import os
fds = []
try:
    while len(fds) < 100000:
        fds.append(os.open("/dev/null", os.O_RDONLY))
    print("ESCAPED descriptors: %d open" % len(fds))
except OSError as e:
    print("held descriptors at %d (%s)" % (len(fds), e.strerror))
