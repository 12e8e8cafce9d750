#!/usr/bin/env python3
"""A small Streamable HTTP MCP server that accepts some requests and
never answers them, for the tests of the client's HTTP time limits.

    http_hang_server.py MODE PORTFILE LOGFILE

It listens on 127.0.0.1 (a free port, written to PORTFILE once it
listens) and appends one line per event to LOGFILE:
    request METHOD N       the Nth request with this JSON-RPC method
    closed METHOD N        the client closed a request we never answered

MODE:
  hang-relist   answers the first tools/list; every later tools/list is
                accepted and never answered.
  hang-notify   never answers notifications/initialized.

Everything else is answered: initialize (with an MCP-Session-Id), the
other notifications (202), tools/list (one tool, "poke"), tools/call
"poke" (an SSE stream: notifications/tools/list_changed, then the
result), GET (405: no standalone stream), DELETE (200).
"""
import json
import os
import select
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, portfile, logfile = sys.argv[1:4]
lock = threading.Lock()
counts = {}


def log(line):
    with lock:
        with open(logfile, "a") as f:
            f.write(line + "\n")


def count(method):
    with lock:
        counts[method] = counts.get(method, 0) + 1
        return counts[method]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def hang(self, method, n):
        """Never answers; notes when the client gives up on us."""
        while True:
            r, _, _ = select.select([self.connection], [], [], 1.0)
            if r and not self.connection.recv(1):
                log("closed %s %d" % (method, n))
                self.close_connection = True
                return

    def do_GET(self):
        self.reply(405)

    def do_DELETE(self):
        self.reply(200)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        msg = json.loads(self.rfile.read(length))
        method = msg.get("method", "")
        n = count(method)
        log("request %s %d" % (method, n))
        rid = msg.get("id")
        if method == "initialize":
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "hang", "version": "1"}}},
                [("Mcp-Session-Id", "s1")])
        elif rid is None:
            if mode == "hang-notify" and method == "notifications/initialized":
                self.hang(method, n)
            else:
                self.reply(202)
        elif method == "tools/list":
            if mode == "hang-relist" and n > 1:
                self.hang(method, n)
                return
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": {
                "tools": [{"name": "poke", "description": "Announces "
                           "a change of the tool list",
                           "inputSchema": {"type": "object"}}]}})
        elif method == "tools/call":
            events = [
                {"jsonrpc": "2.0",
                 "method": "notifications/tools/list_changed"},
                {"jsonrpc": "2.0", "id": rid, "result": {
                    "content": [{"type": "text", "text": "poked"}]}},
            ]
            data = "".join("data: %s\n\n" % json.dumps(e)
                           for e in events).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32601, "message": "no " + method}})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
# Renamed into place: the port file appears complete or not at all.
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
