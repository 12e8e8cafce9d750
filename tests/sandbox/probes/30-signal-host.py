# No process outside the run can be signalled: every pid the run cannot
# see answers ESRCH (signal 0 only asks).
import os
mine = set(int(p) for p in os.listdir("/proc") if p.isdigit())
reached = []
for pid in range(2, 70000):
    if pid in mine:
        continue
    try:
        os.kill(pid, 0)
        reached.append(pid)
    except ProcessLookupError:
        pass
    except PermissionError:
        reached.append(pid)
print("ESCAPED signals reach %d outside processes" % len(reached) if reached else "held signals to host processes")
