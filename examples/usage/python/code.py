#!/usr/bin/env python3
"""Drop a script into code/standard/: it runs once in a sandbox, where
the mount's tools are at /tools.  Read what it printed and its result.
Usage: code.py [MOUNT]"""
import json
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
S = f"{M}/code/standard"

SCRIPT = '''\
print("hello from the sandbox")
with open("/tools/builtin/base64/call", "r+") as f:   # from inside
    f.write('{"text": "code in a sandbox"}')
    f.flush()
    f.seek(0)
    print(f.read(), end="")
'''
# Writing a file there and closing it runs it (shutil.copy works too).
with open(f"{S}/hello.py", "w") as f:
    f.write(SCRIPT)
with open(f"{S}/hello.py.result") as f:    # waits for the end of the run
    result = json.load(f)
with open(f"{S}/hello.py.out") as f:       # what it printed
    print(f.read(), end="")
print("exit_code:", result["exit_code"])
print("tool calls:", len(result["tool_calls"]))
