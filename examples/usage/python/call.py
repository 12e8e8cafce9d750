#!/usr/bin/env python3
"""Call a tool the way Python opens files.  Usage: call.py [MOUNT]"""
import json
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"


def call(tool, args):
    """One call: write the arguments, seek back, read the answer."""
    ns, name = tool.split(":", 1)
    with open(f"{M}/tools/{ns}/{name}/call", "r+") as f:
        f.write(json.dumps(args))
        f.flush()
        f.seek(0)
        return f.read()


print(call("builtin:base64", {"text": "hello from Python"}))
print(call("builtin:echo", {"greeting": "hi"}))
# The whole envelope (status, structured content, timing) of your latest
# call, shell style:
with open(f"{M}/tools/builtin/echo/result.json") as f:
    print(json.load(f)["status"])
