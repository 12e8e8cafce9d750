#!/usr/bin/env python3
"""An MCP server over stdio that sends odd elicitation/create requests.

    elicit_server.py

While answering tools/list it asks once, with no call of the client's
waiting (a well-formed form question), and keeps the client's reply.

Tools:
  early            answers with the reply kept above, as JSON text
  ask {"params"}   sends elicitation/create with PARAMS, waits for the
                   client's reply and answers with it as JSON text
                   ("result" or "error" only)
"""
import json
import sys

pending = []  # messages read while waiting for a reply
early = [None]
next_id = [100]


def send(msg):
    msg["jsonrpc"] = "2.0"
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def read_msg():
    if pending:
        return pending.pop(0)
    while True:
        line = sys.stdin.readline()
        if not line:
            sys.exit(0)
        if line.strip():
            return json.loads(line)


def elicit(params):
    """Sends elicitation/create, returns the reply's result or error."""
    next_id[0] += 1
    mid = next_id[0]
    send({"id": mid, "method": "elicitation/create", "params": params})
    held = []
    while True:
        m = read_msg()
        if m.get("id") == mid and "method" not in m:
            pending[:0] = held
            return {k: m[k] for k in ("result", "error") if k in m}
        held.append(m)


FORM = {"message": "Name?", "requestedSchema": {
    "type": "object", "properties": {"name": {"type": "string"}}}}


def handle(m):
    method, mid, params = m.get("method"), m.get("id"), m.get("params") or {}
    if method is None:
        return
    if method == "initialize":
        send({"id": mid, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "elicit", "version": "1"}}})
    elif method == "tools/list":
        if early[0] is None:
            early[0] = elicit(FORM)
        send({"id": mid, "result": {"tools": [
            {"name": "early", "inputSchema": {"type": "object"}},
            {"name": "ask", "inputSchema": {"type": "object"}}]}})
    elif method == "tools/call":
        if params.get("name") == "early":
            out = early[0]
        else:
            out = elicit(params.get("arguments", {}).get("params"))
        send({"id": mid, "result": {"content": [
            {"type": "text", "text": json.dumps(out, sort_keys=True)}]}})
    elif method == "ping":
        send({"id": mid, "result": {}})
    elif mid is not None:
        send({"id": mid, "error": {"code": -32601, "message": "Method not found"}})


while True:
    handle(read_msg())
