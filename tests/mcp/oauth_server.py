#!/usr/bin/env python3
"""A Streamable HTTP MCP server that is also its own OAuth 2.1
authorization server, for the sign-in tests the conformance suite does
not cover (refresh).

    oauth_server.py PORTFILE LOGFILE

It listens on 127.0.0.1 (a free port, written to PORTFILE once it
listens).  /mcp wants a bearer token; without one it answers 401 with
resource_metadata.  Metadata: /.well-known/oauth-protected-resource/mcp
and /.well-known/oauth-authorization-server.  /register registers a
public client; /authorize redirects at once with a code (checking PKCE
S256 later at /token); /token grants "access-1" with refresh token
"refresh-1" for the code, and "access-N+1" for a refresh.

A tools/call of "echo" made with "access-1" is refused with 401 (the
token was revoked): the client must refresh and send it again.

LOGFILE gets one line per event: "grant authorization_code RESOURCE",
"grant refresh_token RESOURCE", "mcp METHOD TOKEN", "revoked TOKEN".
"""
import base64
import hashlib
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile, logfile = sys.argv[1:3]
lock = threading.Lock()
state = {"challenge": None, "issued": 0, "valid": set()}


def log(line):
    with lock:
        with open(logfile, "a") as f:
            f.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def base(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

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

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        b = self.base()
        if u.path == "/.well-known/oauth-protected-resource/mcp":
            self.reply(200, {"resource": b + "/mcp",
                             "authorization_servers": [b]})
        elif u.path == "/.well-known/oauth-authorization-server":
            self.reply(200, {
                "issuer": b,
                "authorization_endpoint": b + "/authorize",
                "token_endpoint": b + "/token",
                "registration_endpoint": b + "/register",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code",
                                          "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"]})
        elif u.path == "/authorize":
            q = dict(urllib.parse.parse_qsl(u.query))
            state["challenge"] = q.get("code_challenge")
            loc = q["redirect_uri"] + "?" + urllib.parse.urlencode(
                {"code": "the-code", "state": q.get("state", "")})
            self.reply(302, None, [("Location", loc)])
        elif u.path == "/mcp":
            self.reply(405)
        else:
            self.reply(404, {"error": "not_found"})

    def grant(self):
        return self.reply(200, {"access_token": "access-%d" % state["issued"],
                                "token_type": "Bearer",
                                "expires_in": 3600,
                                "refresh_token": "refresh-%d" % state["issued"]})

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        text = self.body()
        if u.path == "/register":
            self.reply(201, {"client_id": "client-1",
                             "token_endpoint_auth_method": "none"})
            return
        if u.path == "/token":
            f = dict(urllib.parse.parse_qsl(text))
            g = f.get("grant_type")
            log("grant %s %s" % (g, f.get("resource")))
            if g == "authorization_code":
                d = hashlib.sha256(f.get("code_verifier", "").encode()).digest()
                c = base64.urlsafe_b64encode(d).decode().rstrip("=")
                if f.get("code") != "the-code" or c != state["challenge"]:
                    self.reply(400, {"error": "invalid_grant"})
                    return
            elif g == "refresh_token":
                if f.get("refresh_token") != "refresh-%d" % state["issued"]:
                    self.reply(400, {"error": "invalid_grant"})
                    return
            else:
                self.reply(400, {"error": "unsupported_grant_type"})
                return
            with lock:
                state["issued"] += 1
                state["valid"].add("access-%d" % state["issued"])
            self.grant()
            return
        if u.path != "/mcp":
            self.reply(404, {"error": "not_found"})
            return
        msg = json.loads(text)
        method = msg.get("method")
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        log("mcp %s %s" % (method, token or "-"))
        if method == "tools/call" and token == "access-1":
            with lock:
                state["valid"].discard(token)
            log("revoked " + token)
        if token not in state["valid"]:
            self.reply(401, {"error": "invalid_token"}, [(
                "WWW-Authenticate",
                'Bearer error="invalid_token", resource_metadata="%s"' %
                (self.base() + "/.well-known/oauth-protected-resource/mcp"))])
            return
        mid = msg.get("id")
        if mid is None:
            self.reply(202)
        elif method == "initialize":
            self.reply(200, {"jsonrpc": "2.0", "id": mid, "result": {
                "protocolVersion": msg["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "oauth-test", "version": "1"}}})
        elif method == "tools/list":
            self.reply(200, {"jsonrpc": "2.0", "id": mid, "result": {
                "tools": [{"name": "echo", "inputSchema": {
                    "type": "object",
                    "properties": {"text": {"type": "string"}}}}]}})
        elif method == "tools/call":
            t = msg["params"].get("arguments", {}).get("text", "")
            self.reply(200, {"jsonrpc": "2.0", "id": mid, "result": {
                "content": [{"type": "text", "text": "echo: " + t}]}})
        else:
            self.reply(200, {"jsonrpc": "2.0", "id": mid, "result": {}})

    def do_DELETE(self):
        self.reply(200)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
