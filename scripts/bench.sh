#!/bin/sh
# Runs every benchmark of docs/performance.md, each against its baseline
# in the same run (make bench).  BUILD selects the build directory.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
export BUILD
cd "$top"
echo "== JSON Schema validation against json-c parsing"
"$BUILD/bench/bench_schema"
echo
echo "== search against SQLite FTS5"
"$BUILD/bench/bench_search"
echo
echo "== the mount's calling ways against the FUSE floor"
"$top/scripts/bench-fs.sh"
echo
echo "== one MCP call through the mount against a direct client and the floor"
"$BUILD/bench/bench_mcp" -n 500 -r 3
echo
echo "== sandbox start-up: /bin/true under fork+exec, bwrap and each profile"
rc=0
"$top/bench/sandbox-start.sh" || rc=$?
if [ "$rc" -eq 77 ]; then
	echo "(skipped: needs root)"
elif [ "$rc" -ne 0 ]; then
	exit "$rc"
fi
echo
echo "== one tool call from inside a code run against the same call from outside"
rc=0
"$top/bench/code-call.sh" || rc=$?
if [ "$rc" -eq 77 ]; then
	echo "(skipped: needs root)"
elif [ "$rc" -ne 0 ]; then
	exit "$rc"
fi
echo
echo "== fifty thousand tools: start-up, memory, reload, the tree"
"$top/bench/bench-scale.sh"
