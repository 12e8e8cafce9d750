#!/usr/bin/env python3
"""Chain two tools: the first result goes into the second's arguments.
Usage: chain.py [MOUNT]"""
import json
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
steps = [
    {"tool": "builtin:echo", "args": {"size": 42}},
    {"tool": "builtin:json_get", "args": {"pointer": "/size"},
     "previous_to": "/json"},
]
with open(f"{M}/chain/call", "r+") as f:
    f.write(json.dumps(steps))
    f.flush()
    f.seek(0)
    print(f.read())
