#!/usr/bin/env python3
"""Search for a tool, read its schema, call the best hit.
Usage: search.py [MOUNT] [QUERY]"""
import json
import os
import sys

M = sys.argv[1] if len(sys.argv) > 1 else "mnt"
query = sys.argv[2] if len(sys.argv) > 2 else "encode text as base64"

with open(f"{M}/search/{query}/results.json") as f:
    hits = json.load(f)["hits"]
for h in hits[:3]:
    print(h["rank"], h["id"], h["summary"])
best = os.path.join(M, hits[0]["path"])   # tools/NS/NAME
with open(os.path.join(best, "schema")) as f:
    print("takes:", sorted(json.load(f).get("properties", {})))
with open(os.path.join(best, "call"), "r+") as f:
    f.write(json.dumps({"text": "found by search"}))
    f.flush()
    f.seek(0)
    print(f.read())
