#!/bin/sh
# Benchmarks toolexecfs's calling ways against the floor FUSE file system
# (../shared/anchors/fuse_floor.c, compiled here, never copied), both
# mounted in the same run.  Prints medians and ratios to the floor:
#   transaction vs floor rpc, shell style vs floor write+read,
# and calls per second with 1, 2, 4 and 8 concurrent clients.
#   scripts/bench-fs.sh [N]        (N calls per measurement, default 3000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
N=${1:-3000}
floor_src=$top/../shared/anchors/fuse_floor.c
[ -f "$floor_src" ] || { echo "bench-fs: $floor_src not found" >&2; exit 1; }
mkdir -p "$BUILD/bench"
make -C "$top" --no-print-directory BUILD="$BUILD" "$BUILD/toolexecfs" "$BUILD/bench/bench_fs" >/dev/null
cc -O2 "$floor_src" $(pkg-config --cflags --libs fuse3) -o "$BUILD/bench/fuse_floor"
B=$BUILD/bench/bench_fs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-fs.XXXXXX")
fpid=""
tpid=""
cleanup() {
	fusermount3 -u "$tmp/floor" 2>/dev/null || true
	fusermount3 -u "$tmp/tx" 2>/dev/null || true
	[ -n "$fpid" ] && wait "$fpid" 2>/dev/null || true
	[ -n "$tpid" ] && wait "$tpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/floor" "$tmp/tx"
"$BUILD/bench/fuse_floor" mount "$tmp/floor" &
fpid=$!
"$BUILD/toolexecfs" -f "$tmp/tx" 2>"$tmp/tx.log" &
tpid=$!
for i in $(seq 1 100); do
	[ -e "$tmp/floor/echo" ] && [ -e "$tmp/tx/README" ] && break
	sleep 0.05
done
F=$tmp/floor/echo
E=$tmp/tx/tools/builtin/echo
# Warm up both (lookups cached, threads started).
"$B" rpc "$F" 300 >/dev/null
"$B" rpc "$E/call" 300 >/dev/null
med() { sed -n 's/.*median_us=\([0-9.]*\).*/\1/p'; }
p99() { sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p'; }
run() { "$B" "$@"; }
f_rpc=$(run rpc "$F" "$N")
f_sh=$(run shell "$F" "$F" "$N")
t_rpc=$(run rpc "$E/call" "$N")
t_sh=$(run shell "$E/call" "$E/result" "$N")
t_job=$(run job "$E" "$tmp/tx/jobs" "$N")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "toolexecfs calling ways, builtin:echo, N=$N per row (median, p99 in us)"
printf '%-28s %10s %10s %8s\n' "way" "median" "p99" "x floor"
printf '%-28s %10s %10s %8s\n' "floor rpc" "$(echo "$f_rpc" | med)" "$(echo "$f_rpc" | p99)" "1.00"
printf '%-28s %10s %10s %8s\n' "floor write+read" "$(echo "$f_sh" | med)" "$(echo "$f_sh" | p99)" "1.00"
printf '%-28s %10s %10s %8s\n' "transaction (rpc)" "$(echo "$t_rpc" | med)" "$(echo "$t_rpc" | p99)" "$(ratio "$(echo "$t_rpc" | med)" "$(echo "$f_rpc" | med)")"
printf '%-28s %10s %10s %8s\n' "shell style (write+read)" "$(echo "$t_sh" | med)" "$(echo "$t_sh" | p99)" "$(ratio "$(echo "$t_sh" | med)" "$(echo "$f_sh" | med)")"
printf '%-28s %10s %10s %8s\n' "job (clone+call+result)" "$(echo "$t_job" | med)" "$(echo "$t_job" | p99)" "$(ratio "$(echo "$t_job" | med)" "$(echo "$f_sh" | med)")"
echo
echo "calls per second, transaction vs floor rpc"
printf '%-8s %12s %12s %8s\n' "clients" "floor" "toolexecfs" "ratio"
for k in 1 2 4 8; do
	fc=$(run par "$F" "$N" "$k" | sed 's/.*calls_per_s=//')
	tc=$(run par "$E/call" "$N" "$k" | sed 's/.*calls_per_s=//')
	printf '%-8s %12s %12s %8s\n' "$k" "$fc" "$tc" "$(ratio "$tc" "$fc")"
done
