#!/bin/sh
# The engine and the mount at scale (docs/performance.md, "Fifty thousand
# tools"): catalogues of 1 000, 5 000, 10 000 and 50 000 exec tools in
# files of 100 (bench/gen-catalogue.sh, seed 42), and for each, in one
# run: `toolexec list` time and peak RSS, mount-to-ready, reading
# tools/INDEX, mount-to-searchable (the mount indexes after it is
# ready), one search on the complete index, one-file reload until visible (.ctl/reload,
# and the watcher alone), the daemon's peak RSS, and the heap per tool
# beyond the search index.  Then the growth ratios the targets name.
#   bench/bench-scale.sh [SIZES]     (default "1000 5000 10000 50000")
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
sizes=${1:-1000 5000 10000 50000}
make -C "$top" --no-print-directory BUILD="$BUILD" "$BUILD/toolexec" \
	"$BUILD/toolexecfs" "$BUILD/bench/bench_scale" >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-scale.XXXXXX")
cleanup() {
	fusermount3 -u "$tmp/mnt" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/mnt"
printf '%7s %7s %8s %8s %8s %8s %7s %8s %9s %9s %8s %8s\n' tools list_s \
	list_MB ready_s INDEX_s srch_s search reload watch fs_MB B/tool beyond
for n in $sizes; do
	"$top/bench/gen-catalogue.sh" "$tmp/c$n" "$n" 42
	line=$("$BUILD/bench/bench_scale" run "$BUILD/toolexec" \
		"$BUILD/toolexecfs" "$tmp/c$n" "$tmp/mnt" "list files")
	mem=$("$BUILD/bench/bench_scale" mem "$tmp/c$n")
	echo "$n $line $mem" >>"$tmp/results"
	echo "$n $line $mem" | awk '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%7d %7.3f %8.0f %8.3f %8.3f %8.3f %5.1fms %6.1fms %7.1fms %8.0f %8d %8d\n",
			$1, v["list_s"], v["list_rss_kb"] / 1024, v["ready_s"],
			v["index_s"], v["searchable_s"], v["search_ms"], v["reload_ms"],
			v["watch_ms"], v["fs_rss_kb"] / 1024, v["heap_per_tool"],
			v["beyond_index"] }'
	rm -rf "$tmp/c$n"
done
echo
awk '{
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[$1, kv[1]] = kv[2] }
	sizes[++k] = $1
} END {
	if (v[50000, "list_s"] && v[5000, "list_s"])
		printf "start-up (list) 50 000 / 5 000: %.1f (target <= 12; linear is 10)\n",
			v[50000, "list_s"] / v[5000, "list_s"]
	if (v[50000, "ready_s"] && v[5000, "ready_s"])
		printf "mount-to-ready 50 000 / 5 000: %.1f\n",
			v[50000, "ready_s"] / v[5000, "ready_s"]
	if (v[50000, "list_s"])
		printf "50 000 tools start in %.2f s (target < 3 s)\n", v[50000, "list_s"]
	if (v[50000, "reload_ms"] && v[1000, "reload_ms"])
		printf "one-file reload 50 000 / 1 000: %.2f (target <= 2)\n",
			v[50000, "reload_ms"] / v[1000, "reload_ms"]
	if (v[50000, "beyond_index"])
		printf "heap per tool beyond the search index at 50 000: %d bytes (target <= 3072)\n",
			v[50000, "beyond_index"]
}' "$tmp/results"
