# Only the run's own processes are visible.
import os
pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
init = open("/proc/1/cmdline", "rb").read()
if len(pids) > 20 or max(pids) > 1000:
    print("ESCAPED pid namespace: %d processes visible" % len(pids))
else:
    print("held pid namespace (%d processes)" % len(pids))
