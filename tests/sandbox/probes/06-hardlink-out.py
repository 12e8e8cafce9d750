# A hard link in /work to a file outside must fail.
import os
ok = []
for src in ("/etc/passwd", "/usr/bin/su", "/run/code"):
    try:
        os.link(src, "/work/h-" + os.path.basename(src))
        ok.append(src)
    except OSError:
        pass
print("ESCAPED hard link: %s" % ok if ok else "held hard link out of /work")
