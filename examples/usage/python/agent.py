#!/usr/bin/env python3
"""An agent's walk through a mounted workspace: read the README, search
for a tool, read its doc, call tools, then hand a script to the sandbox
that calls tools from inside and leaves a report in /work, read back from
code/standard/NAME.work/.  Usage: agent.py [MOUNT]"""
import json
import os
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
TEXT = "the quick brown fox jumps over the lazy dog"


def call(tool_dir, args):
    """One call on one descriptor: write, seek back, read the answer."""
    with open(os.path.join(tool_dir, "call"), "r+") as f:
        f.write(json.dumps(args))
        f.flush()
        f.seek(0)
        return f.read()


with open(f"{M}/README") as f:                      # what is this place?
    print(f.readline(), end="")
hits = json.load(open(f"{M}/search/count words/results.json"))["hits"]
best = hits[0]
print("best hit:", best["id"])
tool = os.path.join(M, best["path"])                # tools/NS/NAME
with open(os.path.join(tool, "doc")) as f:          # what it does
    print(f.readline(), end="")
lines, words, chars = call(tool, {"text": TEXT}).split()
print(f"counted: {lines} lines, {words} words, {chars} characters")
ordered = call(f"{M}/tools/local/sort_lines", {"text": "\n".join(TEXT.split())})
print("sorted:", " ".join(ordered.split()))

# The rest runs in the sandbox: /search, /tools, a private /work.
SCRIPT = '''\
import json, os
TEXT = %r
def call(tool_dir, args):
    with open(tool_dir + "/call", "r+") as f:
        f.write(json.dumps(args))
        f.flush()
        f.seek(0)
        return f.read()
hit = json.load(open("/search/sha256 digest of a text/results.json"))["hits"][0]
digest = call("/" + hit["path"], {"text": TEXT}).split()[0]
words = call("/tools/local/word_count", {"text": TEXT}).split()[1]
with open("/work/report.md", "w") as f:
    f.write("# Report\\ntext: %%s\\ntool: %%s\\nsha256: %%s\\nwords: %%s\\n"
            %% (TEXT, hit["id"], digest, words))
print("report written")
''' % TEXT
S = f"{M}/code/standard"
with open(f"{S}/report.py", "w") as f:              # closing it starts the run
    f.write(SCRIPT)
with open(f"{S}/report.py.result") as f:            # waits for the run
    result = json.load(f)
print(open(f"{S}/report.py.out").read(), end="")
print(f"run: exit_code {result['exit_code']}, {len(result['tool_calls'])} tool calls")
print(open(f"{S}/report.py.work/report.md").read(), end="")
