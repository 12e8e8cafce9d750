#!/bin/sh
# Benchmarks toolexecfs's calling ways against the floor FUSE file system
# (../shared/anchors/fuse_floor.c, compiled here, never copied), both
# mounted in the same run.  Prints medians and ratios to the floor:
#   transaction vs floor rpc, shell style vs floor write+read,
# and calls per second with 1, 2, 4 and 8 concurrent clients.
#
# The anchor is built twice: as given, and with its loop call resolved
# to the 3.12 entry point (a -D on the command line; the source is not
# touched).  As given, it hands a fuse_loop_cfg_create() config to the
# pre-3.12 entry point, which reads max_idle_threads as 0 and so creates
# a thread per request; the 3.12 build is the floor without that cost.
# Ratios are printed against both.
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
cc -O2 -Dfuse_session_loop_mt_32=fuse_session_loop_mt_312 "$floor_src" \
	$(pkg-config --cflags --libs fuse3) -o "$BUILD/bench/fuse_floor312"
fpid=""
gpid=""
tpid=""
cleanup() {
	fusermount3 -u "$tmp/floor" 2>/dev/null || true
	fusermount3 -u "$tmp/floor312" 2>/dev/null || true
	fusermount3 -u "$tmp/tx" 2>/dev/null || true
	[ -n "$fpid" ] && wait "$fpid" 2>/dev/null || true
	[ -n "$gpid" ] && wait "$gpid" 2>/dev/null || true
	[ -n "$tpid" ] && wait "$tpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/floor" "$tmp/floor312" "$tmp/tx"
"$BUILD/bench/fuse_floor" mount "$tmp/floor" &
fpid=$!
"$BUILD/bench/fuse_floor312" mount "$tmp/floor312" &
gpid=$!
"$BUILD/toolexecfs" -f "$tmp/tx" 2>"$tmp/tx.log" &
tpid=$!
for i in $(seq 1 100); do
	[ -e "$tmp/floor/echo" ] && [ -e "$tmp/floor312/echo" ] &&
		[ -e "$tmp/tx/README" ] && break
	sleep 0.05
done
F=$tmp/floor/echo
G=$tmp/floor312/echo
E=$tmp/tx/tools/builtin/echo
# Warm up all three (lookups cached, threads started).
"$B" rpc "$F" 300 >/dev/null
"$B" rpc "$G" 300 >/dev/null
"$B" rpc "$E/call" 300 >/dev/null
med() { sed -n 's/.*median_us=\([0-9.]*\).*/\1/p'; }
p99() { sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p'; }
run() { "$B" "$@"; }
f_rpc=$(run rpc "$F" "$N")
f_sh=$(run shell "$F" "$F" "$N")
g_rpc=$(run rpc "$G" "$N")
g_sh=$(run shell "$G" "$G" "$N")
t_rpc=$(run rpc "$E/call" "$N")
t_sh=$(run shell "$E/call" "$E/result" "$N")
t_job=$(run job "$E" "$tmp/tx/jobs" "$N")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "toolexecfs calling ways, builtin:echo, N=$N per row (median, p99 in us)"
echo "x floor: against the anchor as given; x 3.12: against it built for the 3.12 loop API"
printf '%-28s %10s %10s %8s %8s\n' "way" "median" "p99" "x floor" "x 3.12"
row() {	# name, result, floor result, 3.12 floor result
	printf '%-28s %10s %10s %8s %8s\n' "$1" "$(echo "$2" | med)" "$(echo "$2" | p99)" \
		"$(ratio "$(echo "$2" | med)" "$(echo "$3" | med)")" \
		"$(ratio "$(echo "$2" | med)" "$(echo "$4" | med)")"
}
row "floor rpc" "$f_rpc" "$f_rpc" "$g_rpc"
row "floor write+read" "$f_sh" "$f_sh" "$g_sh"
row "floor 3.12 rpc" "$g_rpc" "$f_rpc" "$g_rpc"
row "floor 3.12 write+read" "$g_sh" "$f_sh" "$g_sh"
row "transaction (rpc)" "$t_rpc" "$f_rpc" "$g_rpc"
row "shell style (write+read)" "$t_sh" "$f_sh" "$g_sh"
row "job (clone+call+result)" "$t_job" "$f_sh" "$g_sh"
echo
echo "calls per second, transaction vs floor rpc"
printf '%-8s %12s %12s %12s %8s %8s\n' "clients" "floor" "floor 3.12" "toolexecfs" "/floor" "/3.12"
for k in 1 2 4 8; do
	fc=$(run par "$F" "$N" "$k" | sed 's/.*calls_per_s=//')
	gc=$(run par "$G" "$N" "$k" | sed 's/.*calls_per_s=//')
	tc=$(run par "$E/call" "$N" "$k" | sed 's/.*calls_per_s=//')
	printf '%-8s %12s %12s %12s %8s %8s\n' "$k" "$fc" "$gc" "$tc" "$(ratio "$tc" "$fc")" "$(ratio "$tc" "$gc")"
done
