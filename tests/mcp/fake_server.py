#!/usr/bin/env python3
"""A small MCP server over stdio that we control, for the fault tests.

    fake_server.py [MODE] [--state FILE]

MODE (default "ok"):
  ok          tools: echo, sleep (progress), fail (isError), crash
              (exits mid-call), add_tool (adds a tool, sends list_changed),
              rpc_error, ask (sends ping and sampling requests to the
              client, reports the answers); tools/list is paginated.
  crash-start writes to stderr and exits before answering initialize.
  hang        never answers initialize.
  garbage     like ok, but writes non-JSON lines, a reply for an unknown
              id and an unknown notification before every answer.
  longline    like ok; the tool "big" answers with a line over 16 MiB.
  badtools    tools/list holds invalid entries beside two good ones.
  oldversion  answers initialize with protocol version 2024-11-05.
  badversion  answers initialize with protocol version 1999-01-01.
  crash-call  like ok, but exits at its first tools/call (every time).
  deaf        like ok until its tools are listed, then never reads its
              stdin again (the pipe fills up) but stays alive.
--state FILE: appends one line per start (the tests count restarts).
--init-delay SECONDS: waits that long before answering initialize.
--ignore-eof: stays alive when stdin ends (only a signal ends it).
--log FILE: appends "call NAME ID" when a tools/call arrives, "done NAME
            ID" once it is answered, "cancelled ID" for each
            notifications/cancelled: the tests wait for these lines
            instead of guessing how long the server takes.

The tool "report" answers with what the process inherited: its open
descriptors and its environment, as JSON.
"""
import json
import os
import sys
import threading
import time

mode = "ok"
init_delay = 0.0
ignore_eof = False
args = sys.argv[1:]
if args and not args[0].startswith("--"):
    mode = args.pop(0)
log_file = None
while args:
    opt = args.pop(0)
    if opt == "--state":
        with open(args.pop(0), "a") as f:
            f.write("start %d\n" % os.getpid())
    elif opt == "--init-delay":
        init_delay = float(args.pop(0))
    elif opt == "--ignore-eof":
        ignore_eof = True
    elif opt == "--log":
        log_file = args.pop(0)
    else:
        sys.exit("fake_server.py: unknown option " + opt)
log_lock = threading.Lock()


def log(line):
    if log_file:
        with log_lock, open(log_file, "a") as f:
            f.write(line + "\n")


out_lock = threading.Lock()
extra_tools = []
next_id = [1000]
waiting = {}  # our request id -> [event, reply]


current = threading.local()   # the tools/call this thread answers


def send(msg):
    # "done" is logged before the answer leaves: once the client has it,
    # the log says so (a client may start its next call at once).
    rid = getattr(current, "rid", None)
    if rid is not None and msg.get("id") == rid and "method" not in msg:
        log("done %s %s" % (current.name, rid))
        current.rid = None
    data = json.dumps(msg, separators=(",", ":")) + "\n"
    with out_lock:
        sys.stdout.write(data)
        sys.stdout.flush()


def raw(text):
    with out_lock:
        sys.stdout.write(text)
        sys.stdout.flush()


def request(method, params):
    """A request to the client; returns its answer (or None after 5 s)."""
    rid = next_id[0]
    next_id[0] += 1
    ev = threading.Event()
    waiting[rid] = [ev, None]
    send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
    ev.wait(5)
    return waiting.pop(rid)[1]


SCHEMA_MSG = {"type": "object", "properties": {"message": {"type": "string"}},
              "required": ["message"]}


def tools():
    t = [
        {"name": "echo", "description": "Echo a message back",
         "inputSchema": SCHEMA_MSG},
        {"name": "sleep", "description": "Sleep, reporting progress",
         "inputSchema": {"type": "object", "properties": {
             "seconds": {"type": "number"}, "steps": {"type": "integer"}}}},
        {"name": "fail", "description": "Report a failure (isError)",
         "inputSchema": {"type": "object"}},
        {"name": "crash", "description": "Exit in the middle of the call",
         "inputSchema": {"type": "object"}},
        {"name": "add_tool", "description": "Add a tool, announce it",
         "inputSchema": {"type": "object", "properties": {
             "name": {"type": "string"}}, "required": ["name"]}},
        {"name": "rpc_error", "description": "Answer with a JSON-RPC error",
         "inputSchema": {"type": "object"}},
        {"name": "ask", "description": "Send ping and sampling requests",
         "inputSchema": {"type": "object"}},
        {"name": "big", "description": "Answer with a huge line",
         "inputSchema": {"type": "object"}},
        {"name": "report", "description": "What the process inherited",
         "inputSchema": {"type": "object"}},
        {"name": "structured", "description": "Structured content only",
         "inputSchema": {"type": "object"},
         "outputSchema": {"type": "object", "properties": {
             "n": {"type": "integer"}}}},
    ]
    for name in extra_tools:
        t.append({"name": name, "description": "Added at run time",
                  "inputSchema": {"type": "object"}})
    if mode == "badtools":
        t = [
            {"name": "good_one", "description": "fine",
             "inputSchema": {"type": "object"}},
            {"description": "no name"},
            {"name": "", "inputSchema": {"type": "object"}},
            {"name": 42},
            {"name": "bad_schema", "inputSchema": "not an object"},
            {"name": "bad\nname", "inputSchema": {"type": "object"}},
            {"name": "unusable_schema",
             "inputSchema": {"type": "object", "properties": 7}},
            "just a string",
            {"name": "good_two", "inputSchema": {"type": "object"}},
            {"name": "good_two", "inputSchema": {"type": "object"}},
        ]
    return t


def text_result(text, is_error=False):
    r = {"content": [{"type": "text", "text": text}]}
    if is_error:
        r["isError"] = True
    return r


def open_fds():
    """Descriptors open in this process (fstat opens none itself); the
    one the caller reads /proc/self/environ with is closed again."""
    fds = []
    for fd in range(0, 4096):
        try:
            os.fstat(fd)
            fds.append(fd)
        except OSError:
            pass
    return fds


def call(rid, params):
    name = params.get("name")
    log("call %s %s" % (name, rid))
    current.rid, current.name = rid, name
    answer(rid, params)


def answer(rid, params):
    name = params.get("name")
    a = params.get("arguments") or {}
    token = (params.get("_meta") or {}).get("progressToken")
    if mode == "crash-call":
        sys.stderr.write("fake: crashing at a call\n")
        sys.stderr.flush()
        os._exit(3)
    if name == "echo":
        res = text_result("echo: %s" % a.get("message"))
    elif name == "sleep":
        secs = float(a.get("seconds", 1))
        steps = int(a.get("steps", 1))
        for i in range(steps):
            time.sleep(secs / steps)
            if token is not None:
                send({"jsonrpc": "2.0", "method": "notifications/progress",
                      "params": {"progressToken": token, "progress": i + 1,
                                 "total": steps, "message": "step %d" % (i + 1)}})
        res = text_result("slept %g" % secs)
    elif name == "fail":
        res = text_result("it went wrong", is_error=True)
    elif name == "crash":
        sys.stderr.write("fake: about to crash\n")
        sys.stderr.flush()
        time.sleep(0.2)
        os._exit(7)
    elif name == "add_tool":
        extra_tools.append(a["name"])
        send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        res = text_result("added %s" % a["name"])
    elif name == "rpc_error":
        send({"jsonrpc": "2.0", "id": rid,
              "error": {"code": -32000, "message": "the server says no"}})
        return
    elif name == "ask":
        pong = request("ping", {})
        sampling = request("sampling/createMessage", {"messages": []})
        res = text_result(json.dumps({"ping": pong, "sampling": sampling},
                                     sort_keys=True))
    elif name == "big":
        raw('{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":"' % json.dumps(rid))
        chunk = "x" * (1 << 20)
        for _ in range(17):
            raw(chunk)
        raw('"}]}}\n')
        return
    elif name == "structured":
        res = {"content": [], "structuredContent": {"n": 42}}
    elif name == "report":
        # /proc/self/environ: what we were started with, before the
        # interpreter added anything (Python sets LC_CTYPE itself).
        with open("/proc/self/environ", "rb") as f:
            env = dict(kv.decode().split("=", 1)
                       for kv in f.read().split(b"\0") if b"=" in kv)
        res = text_result(json.dumps({"fds": open_fds(), "env": env},
                                     sort_keys=True))
    elif name in extra_tools:
        res = text_result("hello from %s" % name)
    else:
        send({"jsonrpc": "2.0", "id": rid,
              "error": {"code": -32602, "message": "unknown tool %s" % name}})
        return
    if mode == "garbage":
        raw("this is not json\n")
        raw("{\"half\": \n")
        send({"jsonrpc": "2.0", "id": 987654, "result": {}})
        send({"jsonrpc": "2.0", "method": "notifications/whatever",
              "params": {}})
    send({"jsonrpc": "2.0", "id": rid, "result": res})


def main():
    if mode == "crash-start":
        sys.stderr.write("fake: cannot start: missing configuration\n")
        sys.stderr.flush()
        sys.exit(2)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        method = msg.get("method")
        rid = msg.get("id")
        if method == "notifications/cancelled":
            log("cancelled %s" % (msg.get("params") or {}).get("requestId"))
            continue
        if method is None:
            if rid in waiting:
                waiting[rid][1] = msg
                waiting[rid][0].set()
            continue
        if method == "initialize":
            if mode == "hang":
                continue
            if init_delay:
                time.sleep(init_delay)
            version = {"oldversion": "2024-11-05",
                       "badversion": "1999-01-01"}.get(mode, "2025-11-25")
            send({"jsonrpc": "2.0", "id": rid, "result": {
                "protocolVersion": version,
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "fake", "version": "1.0"}}})
        elif method == "tools/list":
            all_tools = tools()
            cursor = (msg.get("params") or {}).get("cursor")
            start = int(cursor) if cursor else 0
            page = all_tools[start:start + 4]
            result = {"tools": page}
            if start + 4 < len(all_tools):
                result["nextCursor"] = str(start + 4)
            send({"jsonrpc": "2.0", "id": rid, "result": result})
            if mode == "deaf" and "nextCursor" not in result:
                while True:  # alive, but reading nothing more
                    time.sleep(3600)
        elif method == "tools/call":
            threading.Thread(target=call, args=(rid, msg.get("params") or {}),
                             daemon=True).start()
        elif method == "ping":
            send({"jsonrpc": "2.0", "id": rid, "result": {}})
        elif rid is not None:
            send({"jsonrpc": "2.0", "id": rid,
                  "error": {"code": -32601, "message": "no " + method}})


if __name__ == "__main__":
    main()
    while ignore_eof:
        time.sleep(3600)
