#!/usr/bin/env python3
"""Run many calls at once and take each answer when it is ready (poll).
Usage: many.py [MOUNT] [COUNT]"""
import json
import os
import select
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5
p = select.poll()
pending = {}
for i in range(count):
    with open(f"{M}/tools/builtin/sleep/clone") as f:
        job = f.read().strip()
    with open(f"{M}/jobs/{job}/call", "w") as f:
        json.dump({"seconds": 0.5 + i * 0.1}, f)
    fd = os.open(f"{M}/jobs/{job}/result", os.O_RDONLY)
    p.register(fd, select.POLLIN)       # readable once the call ended
    pending[fd] = job
while pending:
    for fd, _ in p.poll(60000):
        print(f"job {pending.pop(fd)}: {os.read(fd, 65536).decode().strip()}")
        p.unregister(fd)
        os.close(fd)
