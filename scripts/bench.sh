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
echo "== fifty thousand tools: start-up, memory, reload, the tree"
"$top/bench/bench-scale.sh"
