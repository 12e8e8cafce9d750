#!/bin/bash
# Soak: a mount under a steady mix of calls for SOAK_SECONDS (default
# 600), with a configuration reload every RELOAD_SECONDS (default 3) and
# an MCP server killed every KILL_SECONDS (default 60).  It checks that
#  - every call started got exactly one outcome: calls made == results
#    read + errors reported, no result that belongs to another call, no
#    call still waiting at the end;
#  - the daemon's RSS and descriptor count at the end are within 10 % of
#    their values after the first minute (measured with the clients
#    paused and the daemon idle, both times);
#  - the daemon is the same process at the end and still answers.
# Prints a summary; exit 0 when all of that holds.
#
#   bench/soak.sh                      (on its own: ten minutes)
#   SOAK_SECONDS=20 bench/soak.sh      a short run
# BUILD selects the build directory; SOAK_CLIENTS (default 6) the number
# of client processes, two per calling way: transaction (call opened
# read-write), shell style (write call, read result; each client its own
# session) and jobs (clone, jobs/ID/call, jobs/ID/result).  They call,
# round robin: an exec tool, an exec tool of the file that the reloads
# rewrite, tests/mcp/fake_server.py's echo (MCP over stdio) and, when
# tests/mcp/node_modules holds it, @modelcontextprotocol/server-everything's
# echo.  The first-minute measurement is taken at min(60, SOAK_SECONDS/3).
# SOAK_CHECK_GROWTH=0 prints the RSS and descriptor figures without
# requiring them (a run of seconds ends before the job table is full).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
SOAK_SECONDS=${SOAK_SECONDS:-600}
RELOAD_SECONDS=${RELOAD_SECONDS:-3}
KILL_SECONDS=${KILL_SECONDS:-60}
CLIENTS=${SOAK_CLIENTS:-6}
CHECK_GROWTH=${SOAK_CHECK_GROWTH:-1}
FS=$BUILD/toolexecfs
[ -x "$FS" ] || { echo "soak: $FS is not built (make)" >&2; exit 2; }
command -v fusermount3 >/dev/null && [ -c /dev/fuse ] ||
	{ echo "soak: needs FUSE (fusermount3, /dev/fuse)" >&2; exit 2; }
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
first_at=60
[ $((SOAK_SECONDS / 3)) -lt $first_at ] && first_at=$((SOAK_SECONDS / 3))
[ "$first_at" -ge 1 ] || { echo "soak: SOAK_SECONDS must be at least 3" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
mnt=$tmp/mnt
cfg=$tmp/cfg
mkdir -p "$mnt" "$cfg" "$tmp/run"
fs_pid=""
clients=()
cleanup() {
	local p
	touch "$tmp/run/stop"
	for p in "${clients[@]}"; do kill "$p" 2>/dev/null; done
	if [ -n "$fs_pid" ]; then
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" 2>/dev/null
		wait "$fs_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- configuration ----
cat > "$cfg/exec.json" <<'JSON'
{"tools": [{"namespace": "soak", "name": "echo", "description": "Prints its text.",
  "input_schema": {"type": "object", "properties": {"text": {"type": "string"}},
                   "required": ["text"]},
  "command": ["printf", "%s", "{text}"], "stdin": "none", "timeout_ms": 60000}]}
JSON
gen=0
write_reloaded() { # the file every reload rewrites: a new generation
	cat > "$cfg/reload.json.tmp" <<JSON
{"tools": [{"namespace": "reload", "name": "stamp", "description": "Generation $gen of a tool that reloads rewrite.",
  "input_schema": {"type": "object", "properties": {"text": {"type": "string"}},
                   "required": ["text"]},
  "command": ["printf", "%s gen $gen", "{text}"], "stdin": "none", "timeout_ms": 60000}]}
JSON
	# Alternately saved the way editors do (rename) and in place.
	if [ $((gen % 2)) -eq 0 ]; then
		mv "$cfg/reload.json.tmp" "$cfg/reload.json"
	else
		cat "$cfg/reload.json.tmp" > "$cfg/reload.json"
		rm -f "$cfg/reload.json.tmp"
	fi
}
write_reloaded
M=$top/tests/mcp/node_modules/@modelcontextprotocol
everything=""
if command -v node >/dev/null && [ -f "$M/server-everything/dist/index.js" ]; then
	everything=",
  \"everything\": {\"command\": \"node\", \"args\": [\"$M/server-everything/dist/index.js\", \"stdio\"]}"
fi
cat > "$cfg/mcp.json" <<JSON
{"mcpServers": {
  "fake": {"command": "$PY", "args": ["$top/tests/mcp/fake_server.py"]}$everything
}}
JSON
servers="fake"
[ -n "$everything" ] && servers="fake everything"
read -r -a server_list <<< "$servers"

# ---- mount ----
"$FS" -f -c "$cfg" "$mnt" > "$tmp/daemon.log" 2>&1 &
fs_pid=$!
for _ in $(seq 600); do
	ok=1
	for s in $servers; do [ -e "$mnt/tools/$s/echo/call" ] || ok=0; done
	[ -e "$mnt/tools/soak/echo/call" ] && [ -e "$mnt/tools/reload/stamp/call" ] || ok=0
	[ "$ok" = 1 ] && break
	kill -0 "$fs_pid" 2>/dev/null || { cat "$tmp/daemon.log" >&2; echo "soak: the daemon died" >&2; exit 1; }
	sleep 0.1
done
[ "$ok" = 1 ] || { echo "soak: the tools did not appear within 60 s" >&2; exit 1; }

# ---- clients ----
cat > "$tmp/client.py" <<'PY'
# client.py MNT RUNDIR INDEX WAY TOOLS...: calls until RUNDIR/stop
# exists; pauses while RUNDIR/pause exists (RUNDIR/paused.INDEX says
# so); writes its counts to RUNDIR/counts.INDEX at the end.
import errno, json, os, sys, time
mnt, run, index, way = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tools = sys.argv[5:]
EXPECT = {   # tool -> the result text for argument text T
    "soak:echo": lambda t: [t + "\n"],
    "fake:echo": lambda t: ["echo: %s\n" % t],
    "everything:echo": lambda t: ["Echo: %s\n" % t],
    "reload:stamp": None,                     # "T gen N\n", any N
}
ARG = {"fake:echo": "message", "everything:echo": "message"}
counts = {"started": 0, "results": 0, "errors": {}, "wrong": 0, "per_tool": {}}
if way == "shell":
    os.setsid()                   # shell style reads its session's latest

def read_all(fd):
    out = b""
    while True:
        b = os.read(fd, 65536)
        if not b:
            return out
        out += b

def tdir(tool):
    ns, name = tool.split(":")
    return os.path.join(mnt, "tools", ns, name)

def call(tool, args):
    if way == "tx":
        fd = os.open(tdir(tool) + "/call", os.O_RDWR)
        try:
            os.write(fd, args)
            return read_all(fd)
        finally:
            os.close(fd)
    if way == "shell":
        fd = os.open(tdir(tool) + "/call", os.O_WRONLY | os.O_TRUNC)
        try:
            os.write(fd, args)
        finally:
            os.close(fd)          # registered here (FLUSH)
        fd = os.open(tdir(tool) + "/result", os.O_RDONLY)
        try:
            return read_all(fd)
        finally:
            os.close(fd)
    with open(tdir(tool) + "/clone", "rb") as f:
        jid = f.read().decode().strip()
    jdir = os.path.join(mnt, "jobs", jid)
    fd = os.open(jdir + "/call", os.O_WRONLY)
    try:
        os.write(fd, args)
    finally:
        os.close(fd)
    fd = os.open(jdir + "/result", os.O_RDONLY)
    try:
        return read_all(fd)
    finally:
        os.close(fd)

def ok_result(tool, text, got):
    if EXPECT[tool] is None:
        head, sep, gen = got.rpartition(" gen ")
        return head == text and sep and gen.endswith("\n") and gen[:-1].isdigit()
    return got in EXPECT[tool](text)

i = 0
while not os.path.exists(run + "/stop"):
    if os.path.exists(run + "/pause"):
        open(run + "/paused.%d" % index, "w").close()
        while os.path.exists(run + "/pause") and not os.path.exists(run + "/stop"):
            time.sleep(0.05)
        os.unlink(run + "/paused.%d" % index)
        continue
    tool = tools[i % len(tools)]
    text = "c%d-%d-%s" % (index, i, way)
    args = json.dumps({ARG.get(tool, "text"): text}).encode()
    i += 1
    counts["started"] += 1
    pt = counts["per_tool"].setdefault(tool, {"started": 0, "results": 0, "errors": 0})
    pt["started"] += 1
    try:
        got = call(tool, args).decode("utf-8", "replace")
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno))
        counts["errors"][name] = counts["errors"].get(name, 0) + 1
        pt["errors"] += 1
        continue
    counts["results"] += 1
    pt["results"] += 1
    if not ok_result(tool, text, got):
        counts["wrong"] += 1
        sys.stderr.write("client %d: %s %s: unexpected result %r\n" % (index, way, tool, got[:200]))
with open(run + "/counts.%d.tmp" % index, "w") as f:
    json.dump(counts, f)
os.rename(run + "/counts.%d.tmp" % index, run + "/counts.%d" % index)
PY
tools="soak:echo reload:stamp fake:echo"
[ -n "$everything" ] && tools="$tools everything:echo"
ways=(tx shell job)
for c in $(seq 0 $((CLIENTS - 1))); do
	"$PY" "$tmp/client.py" "$mnt" "$tmp/run" "$c" "${ways[$((c % 3))]}" $tools \
		2>> "$tmp/clients.err" &
	clients+=("$!")
done

# ---- measuring ----
fd_count() { ls "/proc/$fs_pid/fd" | wc -l; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$fs_pid/status"; }
calls_in_flight() { awk '$1 == "running" {print $2}' "$mnt/.ctl/status"; }
# measure NAME: pauses the clients, waits until the daemon runs no call
# and its descriptor count has settled, records RSS and descriptors.
measure() {
	local c last n same=0
	touch "$tmp/run/pause"
	for _ in $(seq 600); do
		n=0
		for c in $(seq 0 $((CLIENTS - 1))); do [ -e "$tmp/run/paused.$c" ] && n=$((n + 1)); done
		[ "$n" -eq "$CLIENTS" ] && break
		sleep 0.1
	done
	[ "$n" -eq "$CLIENTS" ] || echo "soak: warning: only $n of $CLIENTS clients paused" >&2
	last=-1
	for _ in $(seq 200); do
		n=$(fd_count)
		if [ "$(calls_in_flight)" = 0 ] && [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 5 ] && break
		else
			same=0
		fi
		last=$n
		sleep 0.1
	done
	eval "${1}_rss=$(rss_kb) ${1}_fds=$(fd_count)"
	rm -f "$tmp/run/pause"
}

start=$SECONDS
next_reload=$RELOAD_SECONDS
next_kill=$KILL_SECONDS
next_trace=60
reloads=0
kills=0
killed=""
measured=0
while [ $((SECONDS - start)) -lt "$SOAK_SECONDS" ]; do
	now=$((SECONDS - start))
	kill -0 "$fs_pid" 2>/dev/null || { echo "soak: the daemon died at ${now} s" >&2; tail -20 "$tmp/daemon.log" >&2; exit 1; }
	if [ "$measured" = 0 ] && [ "$now" -ge "$first_at" ]; then
		measure first
		measured=1
		echo "soak: after ${now} s: RSS ${first_rss} kB, ${first_fds} descriptors"
	fi
	if [ "$now" -ge "$next_trace" ]; then	# a trace, clients running
		echo "soak: at ${now} s: RSS $(rss_kb) kB, $(fd_count) descriptors (running)"
		next_trace=$((next_trace + 60))
	fi
	if [ "$now" -ge "$next_reload" ]; then
		gen=$((gen + 1))
		write_reloaded
		reloads=$((reloads + 1))
		next_reload=$((next_reload + RELOAD_SECONDS))
	fi
	if [ "$now" -ge "$next_kill" ]; then
		s=${server_list[$((kills % ${#server_list[@]}))]}
		pid=$(sed -n "s/^mcp $s: ready (stdio, pid \\([0-9]*\\),.*/\\1/p" "$mnt/.ctl/status")
		if [ -n "$pid" ]; then
			kill -9 "$pid" && killed="$killed $s:$pid"
		else
			killed="$killed $s:not-running"
		fi
		kills=$((kills + 1))
		next_kill=$((next_kill + KILL_SECONDS))
	fi
	sleep 0.2
done
elapsed=$((SECONDS - start))

# ---- the end: stop the clients, count, measure ----
touch "$tmp/run/stop"
hung=0
for c in $(seq 0 $((CLIENTS - 1))); do
	for _ in $(seq 600); do [ -e "$tmp/run/counts.$c" ] && break; sleep 0.1; done
	[ -e "$tmp/run/counts.$c" ] || { hung=$((hung + 1)); echo "soak: client $c still waits for a call after 60 s" >&2; }
done
for p in "${clients[@]}"; do wait "$p" 2>/dev/null; done
clients=()
rm -f "$tmp/run/stop"
for c in $(seq 0 $((CLIENTS - 1))); do touch "$tmp/run/paused.$c"; done	# nobody left to pause
measure last
final=$(echo '{"text":"still here"}' > "$mnt/tools/soak/echo/call" && cat "$mnt/tools/soak/echo/result")
same_pid=no
kill -0 "$fs_pid" 2>/dev/null && same_pid=yes

"$PY" - "$tmp/run" "$CLIENTS" "$hung" "$elapsed" "$reloads" "$kills" \
	"$first_rss" "$last_rss" "$first_fds" "$last_fds" "$same_pid" "$final" \
	"$(wc -l < "$tmp/clients.err")" "$killed" "$CHECK_GROWTH" <<'PY'
import json, sys
(run, clients, hung, elapsed, reloads, kills, rss0, rss1, fds0, fds1,
 same_pid, final, err_lines, killed, check_growth) = sys.argv[1:]
clients, hung = int(clients), int(hung)
tot = {"started": 0, "results": 0, "wrong": 0}
errors, per_tool = {}, {}
for c in range(clients):
    try:
        d = json.load(open("%s/counts.%d" % (run, c)))
    except OSError:
        continue
    for k in tot:
        tot[k] += d[k]
    for k, v in d["errors"].items():
        errors[k] = errors.get(k, 0) + v
    for t, v in d["per_tool"].items():
        p = per_tool.setdefault(t, {"started": 0, "results": 0, "errors": 0})
        for k in p:
            p[k] += v[k]
nerr = sum(errors.values())
rss_ratio = int(rss1) / int(rss0)
fds_ratio = int(fds1) / int(fds0)
accounted = tot["started"] == tot["results"] + nerr
print("soak: %s s, %d clients, %d reloads, %d MCP servers killed (%s)"
      % (elapsed, clients, int(reloads), int(kills), killed.strip() or "-"))
print("calls made      %d (%.0f per second)" % (tot["started"], tot["started"] / max(1, int(elapsed))))
print("results read    %d" % tot["results"])
print("errors reported %d %s" % (nerr, json.dumps(errors, sort_keys=True)))
print("made == read + errors: %s; wrong results: %d; clients hung: %d"
      % ("yes" if accounted else "NO", tot["wrong"], hung))
for t in sorted(per_tool):
    p = per_tool[t]
    print("  %-16s %8d made %8d read %6d errors" % (t, p["started"], p["results"], p["errors"]))
print("RSS          %6s kB after the first minute, %6s kB at the end: ratio %.3f" % (rss0, rss1, rss_ratio))
print("descriptors  %6s    after the first minute, %6s    at the end: ratio %.3f" % (fds0, fds1, fds_ratio))
print("same daemon at the end: %s; a call at the end: %r" % (same_pid, final))
bad = []
if not accounted: bad.append("calls lost")
if tot["wrong"]: bad.append("wrong results")
if hung: bad.append("clients hung")
if int(err_lines) > tot["wrong"]: bad.append("client errors (see above)")
if check_growth != "0" and rss_ratio > 1.10:
    bad.append("RSS grew by more than 10 %")
if check_growth != "0" and fds_ratio > 1.10:
    bad.append("descriptors grew by more than 10 %")
if same_pid != "yes": bad.append("the daemon is gone")
if final != "still here": bad.append("no answer at the end")
print("soak: " + ("PASS" if not bad else "FAIL: " + ", ".join(bad)))
sys.exit(1 if bad else 0)
PY
rc=$?
[ -s "$tmp/clients.err" ] && head -20 "$tmp/clients.err" >&2
fusermount3 -u "$mnt" && wait "$fs_pid"
fs_rc=$?
fs_pid=""
[ "$fs_rc" -eq 0 ] || { echo "soak: the daemon exited with $fs_rc" >&2; tail -20 "$tmp/daemon.log" >&2; rc=1; }
exit $rc
