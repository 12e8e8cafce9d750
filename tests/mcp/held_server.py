#!/usr/bin/env python3
"""A small MCP server over stdio whose answers wait for a file.

    held_server.py LOG GATE

Resource "held://doc/a.txt" and prompt "held": their resources/read and
prompts/get are answered only once the file GATE exists, each by its own
thread, so the server goes on answering everything else meanwhile (its
tool "ping", other reads).  Resource "held://doc/now.txt" is answered at
once.  LOG gets "ready", then "read URI" and "get NAME" as each request
arrives, and "cancelled ID" for notifications/cancelled.
"""
import json
import os
import sys
import threading
import time

log_path, gate = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def log(line):
    with lock:
        with open(log_path, "a") as f:
            f.write(line + "\n")


def send(msg):
    msg["jsonrpc"] = "2.0"
    with lock:
        sys.stdout.write(json.dumps(msg) + "\n")
        sys.stdout.flush()


def when_open(fn):
    # The server's own wait for the test's file, not the test's.
    def run():
        while not os.path.exists(gate):
            time.sleep(0.05)
        fn()
    threading.Thread(target=run, daemon=True).start()


def handle(m):
    method, mid, params = m.get("method"), m.get("id"), m.get("params") or {}
    if method == "initialize":
        send({"id": mid, "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "prompts": {}, "resources": {}},
            "serverInfo": {"name": "held", "version": "1"}}})
    elif method == "notifications/initialized":
        log("ready")
    elif method == "notifications/cancelled":
        log("cancelled %s" % params.get("requestId"))
    elif method == "tools/list":
        send({"id": mid, "result": {"tools": [
            {"name": "ping", "description": "Answers pong at once",
             "inputSchema": {"type": "object"}}]}})
    elif method == "tools/call":
        send({"id": mid, "result": {"content": [{"type": "text", "text": "pong"}]}})
    elif method == "resources/list":
        send({"id": mid, "result": {"resources": [
            {"uri": "held://doc/a.txt", "name": "a.txt"},
            {"uri": "held://doc/now.txt", "name": "now.txt"}]}})
    elif method == "resources/templates/list":
        send({"id": mid, "result": {"resourceTemplates": []}})
    elif method == "resources/read":
        uri = params.get("uri")
        log("read " + uri)
        reply = {"id": mid, "result": {"contents": [
            {"uri": uri, "text": "contents of " + uri + "\n"}]}}
        if uri == "held://doc/a.txt":
            when_open(lambda: send(reply))
        else:
            send(reply)
    elif method == "prompts/list":
        send({"id": mid, "result": {"prompts": [
            {"name": "held", "description": "Answered late",
             "arguments": [{"name": "who", "required": True}]}]}})
    elif method == "prompts/get":
        who = params.get("arguments", {}).get("who", "?")
        log("get " + params.get("name", ""))
        reply = {"id": mid, "result": {"messages": [
            {"role": "user", "content": {"type": "text", "text": "late for " + who}}]}}
        when_open(lambda: send(reply))
    elif method == "ping":
        send({"id": mid, "result": {}})
    elif mid is not None:
        send({"id": mid, "error": {"code": -32601, "message": "Method not found"}})


for line in sys.stdin:
    line = line.strip()
    if line:
        handle(json.loads(line))
