# profiles: standard hardened dev
# expect-limit: pids
# A fork bomb stops at the process limit.
import os, time
n = 0
try:
    while n < 5000:
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    print("ESCAPED fork bomb: %d processes" % n)
except OSError as e:
    print("held fork bomb after %d processes (%s)" % (n, e.strerror))
