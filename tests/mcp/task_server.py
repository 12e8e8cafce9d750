#!/usr/bin/env python3
"""An MCP server over stdio whose one tool runs only as a task
(2025-11-25), its status steered by a file, for the task tests.

    task_server.py CONTROL LOG

The tool "job" (execution.taskSupport "required", arguments {"ttl": N})
answers tools/call with a CreateTaskResult: a task with that ttl (ms;
absent: null, kept for ever) and a pollInterval of 100 ms.  tasks/get
reports the first word of the file CONTROL ("working" when it is
missing or empty), with the rest of its first line as statusMessage.
When that word is "completed", the waiting tasks/result is answered
with the text "done: TASKID".  tasks/cancel marks the task cancelled.

LOG gets a line per event: "created TASKID ttl N", "get TASKID STATUS",
"cancel TASKID": the tests wait for these lines, never for time.
"""
import json
import sys
import threading
import time

control, log_path = sys.argv[1], sys.argv[2]
out_lock = threading.Lock()
state_lock = threading.Lock()
tasks = {}        # taskId -> {"status": ..., "ttl": ...}
results = {}      # taskId -> the id of its tasks/result request
next_task = [1]


def log(line):
    with open(log_path, "a") as f:
        f.write(line + "\n")


def send(msg):
    data = json.dumps(msg, separators=(",", ":")) + "\n"
    with out_lock:
        sys.stdout.write(data)
        sys.stdout.flush()


def steered():
    try:
        with open(control) as f:
            line = f.readline().strip()
    except OSError:
        line = ""
    word, _, rest = line.partition(" ")
    return (word or "working"), (rest or None)


def task_object(tid):
    t = tasks[tid]
    return {"taskId": tid, "status": t["status"], "ttl": t["ttl"],
            "pollInterval": 100, "createdAt": "2025-11-25T00:00:00Z",
            "lastUpdatedAt": "2025-11-25T00:00:00Z"}


def answer_results():
    """Answers tasks/result of completed tasks (a thread: CONTROL may
    change while nobody asks)."""
    while True:
        status, _ = steered()
        with state_lock:
            done = []
            for tid, rid in results.items():
                if tasks[tid]["status"] == "cancelled":
                    continue
                if status == "completed":
                    tasks[tid]["status"] = "completed"
                    send({"jsonrpc": "2.0", "id": rid, "result": {
                        "content": [{"type": "text", "text": "done: " + tid}],
                        "_meta": {"io.modelcontextprotocol/related-task":
                                  {"taskId": tid}}}})
                    done.append(tid)
            for tid in done:
                del results[tid]
        time.sleep(0.05)


def handle(msg):
    method, rid = msg.get("method"), msg.get("id")
    params = msg.get("params") or {}
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": rid, "result": {
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {},
                             "tasks": {"requests": {"tools": {"call": {}}},
                                       "cancel": {}}},
            "serverInfo": {"name": "task_server", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": rid, "result": {"tools": [
            {"name": "job", "description": "A task steered by a file",
             "inputSchema": {"type": "object",
                             "properties": {"ttl": {"type": "integer"}}},
             "execution": {"taskSupport": "required"}}]}})
    elif method == "tools/call":
        if "task" not in params:
            send({"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32601, "message": "job runs only as a task"}})
            return
        args = params.get("arguments") or {}
        with state_lock:
            tid = "task-%d" % next_task[0]
            next_task[0] += 1
            tasks[tid] = {"status": "working", "ttl": args.get("ttl")}
        log("created %s ttl %s" % (tid, args.get("ttl")))
        send({"jsonrpc": "2.0", "id": rid,
              "result": {"task": task_object(tid)}})
    elif method == "tasks/get":
        tid = params.get("taskId")
        status, message = steered()
        with state_lock:
            if tid not in tasks:
                send({"jsonrpc": "2.0", "id": rid, "error": {
                    "code": -32602, "message": "no such task"}})
                return
            if tasks[tid]["status"] not in ("cancelled", "completed"):
                tasks[tid]["status"] = status
            t = task_object(tid)
        if message:
            t["statusMessage"] = message
        log("get %s %s" % (tid, t["status"]))
        send({"jsonrpc": "2.0", "id": rid, "result": t})
    elif method == "tasks/result":
        with state_lock:
            results[params.get("taskId")] = rid
    elif method == "tasks/cancel":
        tid = params.get("taskId")
        log("cancel %s" % tid)
        with state_lock:
            if tid in tasks:
                tasks[tid]["status"] = "cancelled"
                results.pop(tid, None)
                send({"jsonrpc": "2.0", "id": rid,
                      "result": task_object(tid)})
            else:
                send({"jsonrpc": "2.0", "id": rid, "error": {
                    "code": -32602, "message": "no such task"}})
    elif method == "ping":
        send({"jsonrpc": "2.0", "id": rid, "result": {}})
    elif rid is not None and method is not None:
        send({"jsonrpc": "2.0", "id": rid, "error": {
            "code": -32601, "message": "unknown method " + method}})


def main():
    threading.Thread(target=answer_results, daemon=True).start()
    for line in sys.stdin:
        line = line.strip()
        if line:
            handle(json.loads(line))


main()
