# profiles: standard hardened dev
# expect-limit: cpu
# Spinning stops at the CPU time limit (SIGXCPU, then SIGKILL).
import os, signal, sys
def xcpu(sig, frame):
    print("held CPU spin (SIGXCPU)")
    sys.stdout.flush()
    os._exit(0)
signal.signal(signal.SIGXCPU, xcpu)
while True:
    t = os.times()
    if t.user + t.system > 120:
        print("ESCAPED CPU spin: 120 s of CPU")
        break
