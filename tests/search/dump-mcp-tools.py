#!/usr/bin/env python3
"""Writes mcp-tools.json: the tools/list answers of the MCP servers the
tests install (tests/mcp/package.json, pinned versions), so that the search
evaluation needs no Node.js.  Run it again after changing those versions:

    (cd tests/mcp && npm ci)
    python3 tests/search/dump-mcp-tools.py > tests/search/mcp-tools.json

It speaks MCP over stdio (newline-delimited JSON-RPC) to each server:
initialize, notifications/initialized, then tools/list until no cursor.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(HERE, "..", "mcp", "node_modules", ".bin")


def tools_of(argv):
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)

    def send(msg):
        p.stdin.write(json.dumps(msg) + "\n")
        p.stdin.flush()

    def answer(i):
        while True:
            line = p.stdout.readline()
            if not line:
                raise SystemExit("%s: closed before answering" % argv[0])
            msg = json.loads(line)
            if msg.get("id") == i:
                if "error" in msg:
                    raise SystemExit("%s: %s" % (argv[0], msg["error"]))
                return msg["result"]

    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "dump", "version": "1"}}})
        answer(1)
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        tools, cursor, i = [], None, 2
        while True:
            send({"jsonrpc": "2.0", "id": i, "method": "tools/list",
                  "params": {"cursor": cursor} if cursor else {}})
            result = answer(i)
            i += 1
            tools += result["tools"]
            cursor = result.get("nextCursor")
            if not cursor:
                return tools
    finally:
        p.stdin.close()
        p.terminate()
        p.wait()


def main():
    with tempfile.TemporaryDirectory() as root:
        servers = [
            ("everything", [os.path.join(BIN, "mcp-server-everything")]),
            ("fs", [os.path.join(BIN, "mcp-server-filesystem"), root]),
            ("memory", [os.path.join(BIN, "mcp-server-memory")]),
        ]
        out = [{"namespace": ns, "tools": tools_of(argv)}
               for ns, argv in servers]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
