#!/usr/bin/env python3
"""A misbehaving MCP resource server over stdio (tests of what the
client makes of odd answers).

    bad_res_server.py [FLAG [complete]]

With FLAG: when the file FLAG exists, exits at once with status 3.
With "complete" it declares completions and resources.subscribe:
completion/complete of value "bad" answers without "values", of "err"
answers -32602, else 150 "vNNN" values after 1, null, "" and "v/x".
resources/subscribe refuses mem://bad/refuse the first time (-32603),
and any URI already subscribed; unsubscribe refuses one that is not;
reading mem://bad/subs answers the subscribed URIs, sorted.
It declares resources (no subscribe), prompts and no completions.
Resources under mem://bad/, each answering resources/read oddly:
  noarray   a result without "contents"
  notarray  "contents" that is an object
  notb64    a blob that is not base64
  mixed     text "A", a blob "Qg==" (B), an entry with neither, text "C"
  urlsafe   a blob in the URL-safe alphabet, unpadded ("-_8": fb ff)
  invalid   JSON-RPC error -32602
  internal  JSON-RPC error -32603
  gone      JSON-RPC error -32002 (resource not found)
  exit      creates FLAG and exits without answering
Template mem://bad/t/{id}: a read answers "id=ID".
Prompts: "broken" (prompts/get answers -32603 "no prompt today"),
"fine" (answers one message).
"""
import json
import os
import sys

FLAG = sys.argv[1] if len(sys.argv) > 1 else None
if FLAG and os.path.exists(FLAG):
    sys.exit(3)
COMPLETE = len(sys.argv) > 2 and sys.argv[2] == "complete"
subscribed = set()
refused = set()


def send(msg):
    msg["jsonrpc"] = "2.0"
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


NAMES = ["noarray", "notarray", "notb64", "mixed", "urlsafe", "invalid",
         "internal", "gone"]


def read(mid, uri):
    name = uri[len("mem://bad/"):] if uri.startswith("mem://bad/") else ""
    errors = {"invalid": (-32602, "bad uri"), "internal": (-32603, "it broke"),
              "gone": (-32002, "Resource not found")}
    if name in errors:
        code, text = errors[name]
        send({"id": mid, "error": {"code": code, "message": text}})
    elif name == "exit" and FLAG:
        open(FLAG, "w").close()
        sys.exit(0)
    elif name == "subs":
        send({"id": mid, "result": {"contents": [
            {"uri": uri, "text": " ".join(sorted(subscribed))}]}})
    elif name == "noarray":
        send({"id": mid, "result": {"something": []}})
    elif name == "notarray":
        send({"id": mid, "result": {"contents": {"uri": uri, "text": "x"}}})
    elif name == "notb64":
        send({"id": mid, "result": {"contents": [{"uri": uri, "blob": "no*base64"}]}})
    elif name == "mixed":
        send({"id": mid, "result": {"contents": [
            {"uri": uri, "text": "A"}, {"uri": uri, "blob": "Qg=="},
            {"uri": uri}, {"uri": uri, "text": "C"}]}})
    elif name == "urlsafe":
        send({"id": mid, "result": {"contents": [{"uri": uri, "blob": "-_8"}]}})
    elif name.startswith("t/"):
        send({"id": mid, "result": {"contents": [{"uri": uri, "text": "id=" + name[2:]}]}})
    else:
        send({"id": mid, "error": {"code": -32002, "message": "Resource not found"}})


def handle(m):
    method, mid, params = m.get("method"), m.get("id"), m.get("params") or {}
    if method is None:
        return
    if method == "initialize":
        caps = {"tools": {}, "prompts": {}, "resources": {}}
        if COMPLETE:
            caps["completions"] = {}
            caps["resources"] = {"subscribe": True}
        send({"id": mid, "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": caps,
            "serverInfo": {"name": "badres", "version": "1"}}})
    elif method == "tools/list":
        send({"id": mid, "result": {"tools": []}})
    elif method == "resources/list":
        send({"id": mid, "result": {"resources": [
            {"uri": "mem://bad/" + n, "name": n} for n in NAMES]}})
    elif method == "resources/templates/list":
        send({"id": mid, "result": {"resourceTemplates": [
            {"uriTemplate": "mem://bad/t/{id}", "name": "t"}]}})
    elif method == "resources/read":
        read(mid, params.get("uri", ""))
    elif method == "prompts/list":
        send({"id": mid, "result": {"prompts": [
            {"name": "broken"}, {"name": "fine"}]}})
    elif method == "prompts/get":
        if params.get("name") == "broken":
            send({"id": mid, "error": {"code": -32603, "message": "no prompt today"}})
        else:
            send({"id": mid, "result": {"messages": [
                {"role": "user", "content": {"type": "text", "text": "fine"}}]}})
    elif method == "completion/complete":
        value = params.get("argument", {}).get("value")
        if value == "bad":
            send({"id": mid, "result": {"completion": {"total": 1}}})
        elif value == "err":
            send({"id": mid, "error": {"code": -32602, "message": "no such variable"}})
        else:
            values = [1, None, "", "v/x"] + ["v%03d" % i for i in range(150)]
            send({"id": mid, "result": {"completion": {"values": values}}})
    elif method == "resources/subscribe":
        uri = params.get("uri")
        if uri == "mem://bad/refuse" and uri not in refused:
            refused.add(uri)
            send({"id": mid, "error": {"code": -32603, "message": "not now"}})
        elif uri in subscribed:
            send({"id": mid, "error": {"code": -32603, "message": "already subscribed"}})
        else:
            subscribed.add(uri)
            send({"id": mid, "result": {}})
    elif method == "resources/unsubscribe":
        uri = params.get("uri")
        if uri not in subscribed:
            send({"id": mid, "error": {"code": -32603, "message": "not subscribed"}})
        else:
            subscribed.discard(uri)
            send({"id": mid, "result": {}})
    elif method == "ping":
        send({"id": mid, "result": {}})
    elif mid is not None:
        send({"id": mid, "error": {"code": -32601, "message": "Method not found"}})


for line in sys.stdin:
    line = line.strip()
    if line:
        handle(json.loads(line))
