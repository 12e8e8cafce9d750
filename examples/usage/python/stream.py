#!/usr/bin/env python3
"""Follow a long job's stream, line by line, as it comes.
Usage: stream.py [MOUNT]"""
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
with open(f"{M}/tools/builtin/sleep/clone") as f:
    job = f.read().strip()
with open(f"{M}/jobs/{job}/call", "w") as f:
    f.write('{"seconds": 3}')
with open(f"{M}/jobs/{job}/stream") as f:
    for line in f:                      # each line as soon as it is there
        print("stream:", line.rstrip())
with open(f"{M}/jobs/{job}/result") as f:
    print("result:", f.read().strip())
