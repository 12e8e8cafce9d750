# A file the host keeps in its /tmp must not be reachable.
import os
hits = [p for p in ("/tmp/toolexec-escape/host-secret",) if os.path.exists(p)]
print("ESCAPED host /tmp: %s" % hits if hits else "held host /tmp")
