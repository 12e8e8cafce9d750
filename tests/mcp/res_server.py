#!/usr/bin/env python3
"""A small MCP server over stdio for the resource, prompt and roots tests.

    res_server.py LOG

Resources: "mem://notes/a.txt" (with its size), "mem://notes/b.bin" (a
blob, with its size), "urn:x:plain" (no size), and a template
"mem://users/{id}/profile".  Prompts: "hello" (argument "who",
required).  It declares resources.subscribe and listChanged, and asks
the client for its roots (roots/list) after notifications/initialized
and after each notifications/roots/list_changed.

Tools:
  add_resource {"name"}   adds mem://notes/NAME, sends list_changed
  bump                    changes a.txt's text and, when it is
                          subscribed, sends resources/updated

LOG gets one line per event the tests wait for: "ready", "subscribe
URI", "unsubscribe URI", "updated URI", "read URI", "roots URI ...".
"""
import base64
import json
import sys
import threading

log_path = sys.argv[1]
lock = threading.Lock()
texts = {"mem://notes/a.txt": "version 1\n"}
blob = bytes(range(256))
extra = []
subscribed = set()
next_id = [1000]


def log(line):
    with open(log_path, "a") as f:
        f.write(line + "\n")


def send(msg):
    msg["jsonrpc"] = "2.0"
    with lock:
        sys.stdout.write(json.dumps(msg) + "\n")
        sys.stdout.flush()


def resources():
    a = texts["mem://notes/a.txt"].encode()
    out = [
        {"uri": "mem://notes/a.txt", "name": "a.txt", "title": "Note A",
         "mimeType": "text/plain", "size": len(a)},
        {"uri": "mem://notes/b.bin", "name": "b.bin",
         "mimeType": "application/octet-stream", "size": len(blob)},
        {"uri": "urn:x:plain", "name": "plain"},
    ]
    for n in extra:
        out.append({"uri": "mem://notes/" + n, "name": n})
    return out


def ask_roots():
    next_id[0] += 1
    send({"id": next_id[0], "method": "roots/list"})


def read(uri):
    log("read " + uri)
    if uri in texts:
        return [{"uri": uri, "mimeType": "text/plain", "text": texts[uri]}]
    if uri == "mem://notes/b.bin":
        return [{"uri": uri, "blob": base64.b64encode(blob).decode()}]
    if uri == "urn:x:plain":
        return [{"uri": uri, "text": "plain one\n"}, {"uri": uri, "text": "plain two\n"}]
    if uri.startswith("mem://users/") and uri.endswith("/profile"):
        return [{"uri": uri, "text": "profile of " + uri[len("mem://users/"):-len("/profile")] + "\n"}]
    for n in extra:
        if uri == "mem://notes/" + n:
            return [{"uri": uri, "text": "note " + n + "\n"}]
    return None


def handle(m):
    method, mid, params = m.get("method"), m.get("id"), m.get("params") or {}
    if method is None:
        res = m.get("result")
        if res is not None and "roots" in res:
            log("roots " + " ".join(r["uri"] for r in res["roots"]))
        return
    if method == "initialize":
        send({"id": mid, "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "prompts": {"listChanged": True},
                             "resources": {"subscribe": True, "listChanged": True}},
            "serverInfo": {"name": "res", "version": "1"}}})
        log("client capabilities " + json.dumps(params.get("capabilities", {}), sort_keys=True))
    elif method == "notifications/initialized":
        log("ready")
        ask_roots()
    elif method == "notifications/roots/list_changed":
        ask_roots()
    elif method == "tools/list":
        send({"id": mid, "result": {"tools": [
            {"name": "add_resource", "inputSchema": {"type": "object"}},
            {"name": "bump", "inputSchema": {"type": "object"}}]}})
    elif method == "tools/call":
        name = params.get("name")
        if name == "add_resource":
            extra.append(params["arguments"]["name"])
            send({"id": mid, "result": {"content": [{"type": "text", "text": "added"}]}})
            send({"method": "notifications/resources/list_changed"})
        elif name == "bump":
            texts["mem://notes/a.txt"] = "version 2, longer\n"
            send({"id": mid, "result": {"content": [{"type": "text", "text": "bumped"}]}})
            if "mem://notes/a.txt" in subscribed:
                send({"method": "notifications/resources/updated",
                      "params": {"uri": "mem://notes/a.txt"}})
                log("updated mem://notes/a.txt")
    elif method == "resources/list":
        send({"id": mid, "result": {"resources": resources()}})
    elif method == "resources/templates/list":
        send({"id": mid, "result": {"resourceTemplates": [
            {"uriTemplate": "mem://users/{id}/profile", "name": "profile"}]}})
    elif method == "resources/read":
        c = read(params.get("uri"))
        if c is None:
            send({"id": mid, "error": {"code": -32002, "message": "Resource not found"}})
        else:
            send({"id": mid, "result": {"contents": c}})
    elif method == "resources/subscribe":
        subscribed.add(params["uri"])
        log("subscribe " + params["uri"])
        send({"id": mid, "result": {}})
    elif method == "resources/unsubscribe":
        subscribed.discard(params["uri"])
        log("unsubscribe " + params["uri"])
        send({"id": mid, "result": {}})
    elif method == "prompts/list":
        send({"id": mid, "result": {"prompts": [
            {"name": "hello", "description": "Says hello",
             "arguments": [{"name": "who", "required": True}]}]}})
    elif method == "prompts/get":
        who = params.get("arguments", {}).get("who", "?")
        send({"id": mid, "result": {"description": "greeting", "messages": [
            {"role": "user", "content": {"type": "text", "text": "Say hello to " + who}},
            {"role": "assistant", "content": {"type": "text", "text": "Hello, " + who + "!"}}]}})
    elif method == "ping":
        send({"id": mid, "result": {}})
    elif mid is not None:
        send({"id": mid, "error": {"code": -32601, "message": "Method not found"}})


for line in sys.stdin:
    line = line.strip()
    if line:
        handle(json.loads(line))
