#!/bin/sh
# Benchmarks toolexecfs's calling ways against the floor FUSE file system
# (../shared/anchors/fuse_floor.c, compiled here, never copied), both
# mounted in the same run.  Prints medians and ratios to the floor:
#   transaction vs floor rpc, shell style vs floor write+read,
# and calls per second with 1, 2, 4 and 8 concurrent clients.
#
# The anchor builds against libfuse's 3.12 loop API (its workers are
# reused), so its rpc is the true floor of a FUSE round trip.
#   scripts/bench-fs.sh [N]        (N calls per measurement, default 3000)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
N=${1:-3000}
floor_src=$top/../shared/anchors/fuse_floor.c
[ -f "$floor_src" ] || { echo "bench-fs: $floor_src not found" >&2; exit 1; }
mkdir -p "$BUILD/bench"
make -C "$top" --no-print-directory BUILD="$BUILD" "$BUILD/toolexecfs" "$BUILD/bench/bench_fs" >/dev/null
B=$BUILD/bench/bench_fs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-fs.XXXXXX")
cc -O2 "$floor_src" $(pkg-config --cflags --libs fuse3) -o "$BUILD/bench/fuse_floor"
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
row() {	# name, result, floor result
	printf '%-28s %10s %10s %8s\n' "$1" "$(echo "$2" | med)" "$(echo "$2" | p99)" \
		"$(ratio "$(echo "$2" | med)" "$(echo "$3" | med)")"
}
row "floor rpc" "$f_rpc" "$f_rpc"
row "floor write+read" "$f_sh" "$f_sh"
row "transaction (rpc)" "$t_rpc" "$f_rpc"
row "shell style (write+read)" "$t_sh" "$f_sh"
row "job (clone+call+result)" "$t_job" "$f_sh"
echo
echo "calls per second, transaction vs floor rpc"
printf '%-8s %12s %12s %8s\n' "clients" "floor" "toolexecfs" "/floor"
for k in 1 2 4 8; do
	fc=$(run par "$F" "$N" "$k" | sed 's/.*calls_per_s=//')
	tc=$(run par "$E/call" "$N" "$k" | sed 's/.*calls_per_s=//')
	printf '%-8s %12s %12s %8s\n' "$k" "$fc" "$tc" "$(ratio "$tc" "$fc")"
done
