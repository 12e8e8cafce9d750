#!/usr/bin/env python3
"""A small Streamable HTTP MCP server whose answers test how closely the
client follows the 2025-11-25 specification.

    spec_server.py MODE PORTFILE LOGFILE

It listens on 127.0.0.1 (a free port, written to PORTFILE once it
listens) and appends one line per request to LOGFILE:
    POST METHOD version=V session=S [requestId=N]
    GET session=S last-event-id=ID at=MS
    DELETE session=S
(V, S, ID are "-" when the header is missing; MS is a monotonic clock
in milliseconds; requestId is that of notifications/cancelled.)

Tools: "echo" (returns its "text" argument, or the value of the
X-Token request header when "text" is "header"), "fail-data" (a
JSON-RPC error -32042 with error.data), "needs-task"
(execution.taskSupport "required"), "maybe-task" ("optional").

MODE:
  plain        as above; GET answers 405 (no standalone stream).
  no-tools     declares only "prompts" and gives "instructions";
               tools/list is refused with -32601.
  get-502      the first two GETs answer 502; the third opens a stream
               that announces tools/list_changed, after which the list
               holds "fresh" too.
  get-404      the GET of the first session answers 404 (session gone);
               later sessions' GETs answer 405.
  drop-call    tools/call streams a priming event (id e1, retry 1500)
               and a progress event (id e2), then drops the connection;
               a GET with Last-Event-ID e2 gets the answer (id e3).
  bad-session  initialize sets a session ID with a space in it.
  forget       the first tools/call of session s1 answers 404.
  gone-mid-call  the first GET of session s1 holds its stream open
               until a tools/call of s1 arrives, then ends it; the
               GET that reopens it answers 404 (session gone).  That
               tools/call is answered 404 only after that GET's 404 (a
               fifth of a second after, so that the client has acted
               on it): it was in flight when the session ended.
  redirect     every request to a path other than /mcp answers 307 to
               /mcp.
  hang-ping    a ping is accepted and never answered.
  legacy-foreign  GET /sse opens a legacy HTTP+SSE stream whose
               "endpoint" event names another origin.
"""
import json
import os
import select
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, portfile, logfile = sys.argv[1:4]
lock = threading.Lock()
state = {"sessions": 0, "gets": 0, "changed": False, "forgot": False}
# gone-mid-call: a tools/call of s1 arrived; the GET of s1 answered 404.
call_in = threading.Event()
gone = threading.Event()


def log(line):
    with lock:
        with open(logfile, "a") as f:
            f.write(line + "\n")


def now_ms():
    return int(time.monotonic() * 1000)


TOOLS = [
    {"name": "echo", "description": "Returns its text",
     "inputSchema": {"type": "object",
                     "properties": {"text": {"type": "string"}}}},
    {"name": "fail-data", "description": "Fails with error.data",
     "inputSchema": {"type": "object"}},
    {"name": "needs-task", "description": "Only as a task",
     "inputSchema": {"type": "object"},
     "execution": {"taskSupport": "required"}},
    {"name": "maybe-task", "description": "Optionally as a task",
     "inputSchema": {"type": "object"},
     "execution": {"taskSupport": "optional"}},
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def hdr(self, name):
        return self.headers.get(name) or "-"

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

    def sse_start(self, chunked=False):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def hold(self):
        """Keeps a stream open until the client closes it."""
        while True:
            r, _, _ = select.select([self.connection], [], [], 1.0)
            if r and not self.connection.recv(1):
                self.close_connection = True
                return

    def redirected(self):
        if mode == "redirect" and self.path != "/mcp":
            # The body is read (and dropped): it must not be taken for
            # the next request on this connection.
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(307)
            self.send_header("Location", "/mcp")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def do_DELETE(self):
        log("DELETE session=%s" % self.hdr("Mcp-Session-Id"))
        self.reply(200)

    def do_GET(self):
        if self.redirected():
            return
        session = self.hdr("Mcp-Session-Id")
        last = self.hdr("Last-Event-ID")
        log("GET session=%s last-event-id=%s at=%d" % (session, last,
                                                       now_ms()))
        with lock:
            state["gets"] += 1
            n = state["gets"]
        if mode == "legacy-foreign":
            self.sse_start(chunked=True)
            self.chunk("event: endpoint\ndata: http://192.0.2.1:%d/message\n\n"
                       % self.server.server_address[1])
            self.hold()
            return
        if mode == "get-502":
            if n <= 2:
                self.reply(502)
                return
            with lock:
                state["changed"] = True
            self.sse_start(chunked=True)
            self.chunk("data: %s\n\n" % json.dumps(
                {"jsonrpc": "2.0",
                 "method": "notifications/tools/list_changed"}))
            self.hold()
            return
        if mode == "get-404" and session == "s1":
            self.reply(404)
            return
        if mode == "gone-mid-call" and session == "s1":
            if call_in.is_set():
                self.reply(404)
                gone.set()
                return
            self.sse_start(chunked=True)
            self.chunk("retry: 100\n\n")
            call_in.wait(60)
            self.wfile.write(b"0\r\n\r\n")
            return
        if mode == "drop-call" and last == "e2":
            self.sse_start(chunked=True)
            self.chunk("id: e3\ndata: %s\n\n" % json.dumps(
                {"jsonrpc": "2.0", "id": state["call_id"], "result": {
                    "content": [{"type": "text", "text": "resumed"}]}}))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.reply(405)

    def do_POST(self):
        if self.redirected():
            return
        length = int(self.headers.get("Content-Length", "0"))
        msg = json.loads(self.rfile.read(length))
        method = msg.get("method", "")
        rid = msg.get("id")
        session = self.hdr("Mcp-Session-Id")
        line = "POST %s version=%s session=%s" % (
            method or "(answer)", self.hdr("MCP-Protocol-Version"), session)
        if method == "notifications/cancelled":
            line += " requestId=%s" % msg["params"].get("requestId")
        log(line)
        if method == "initialize":
            with lock:
                state["sessions"] += 1
                sid = "s%d" % state["sessions"]
            if mode == "bad-session":
                sid = "bad session"
            caps = {"tools": {"listChanged": True}}
            result = {"protocolVersion": "2025-11-25",
                      "capabilities": caps,
                      "serverInfo": {"name": "spec", "version": "1"}}
            if mode == "no-tools":
                result["capabilities"] = {"prompts": {}}
                result["instructions"] = "Ask for prompts.\nSecond line."
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": result},
                       [("Mcp-Session-Id", sid)])
            return
        if rid is None:
            self.reply(202)
            return
        if method == "ping" and mode == "hang-ping":
            self.hold()
            return
        if method == "tools/list":
            if mode == "no-tools":
                self.reply(200, {"jsonrpc": "2.0", "id": rid, "error": {
                    "code": -32601, "message": "Method not found"}})
                return
            tools = list(TOOLS)
            if state["changed"]:
                tools.append({"name": "fresh", "description": "new",
                              "inputSchema": {"type": "object"}})
            self.reply(200, {"jsonrpc": "2.0", "id": rid,
                             "result": {"tools": tools}})
            return
        if method == "tools/call":
            name = msg["params"]["name"]
            args = msg["params"].get("arguments") or {}
            if mode == "gone-mid-call" and session == "s1":
                call_in.set()
                gone.wait(60)
                time.sleep(0.2)
                self.reply(404, {"jsonrpc": "2.0", "id": None, "error": {
                    "code": -32001, "message": "Session not found"}})
                return
            if mode == "forget" and session == "s1":
                self.reply(404, {"jsonrpc": "2.0", "id": None, "error": {
                    "code": -32001, "message": "Session not found"}})
                return
            if name == "fail-data":
                self.reply(200, {"jsonrpc": "2.0", "id": rid, "error": {
                    "code": -32042, "message": "This request requires "
                    "more information.", "data": {"elicitations": [
                        {"mode": "url", "elicitationId": "el-1",
                         "url": "https://example.com/connect/el-1"}]}}})
                return
            if mode == "drop-call":
                state["call_id"] = rid
                token = msg["params"]["_meta"]["progressToken"]
                self.sse_start(chunked=True)
                self.chunk("id: e1\nretry: 1500\ndata: \n\n")
                self.chunk("id: e2\ndata: %s\n\n" % json.dumps(
                    {"jsonrpc": "2.0", "method": "notifications/progress",
                     "params": {"progressToken": token, "progress": 1,
                                "total": 2}}))
                log("dropped at=%d" % now_ms())
                # Half a chunk, then the connection ends: a transfer
                # that fails, not one that ends cleanly.
                self.wfile.write(b"40\r\nid: e")
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            text = args.get("text", "")
            if text == "header":
                text = self.hdr("X-Token")
            self.reply(200, {"jsonrpc": "2.0", "id": rid, "result": {
                "content": [{"type": "text", "text": text}]}})
            return
        self.reply(200, {"jsonrpc": "2.0", "id": rid, "error": {
            "code": -32601, "message": "no " + method}})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
# Renamed into place: the port file appears complete or not at all.
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
