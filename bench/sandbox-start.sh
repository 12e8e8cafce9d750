#!/bin/bash
# Start-to-exit of /bin/true: plain posix_spawn+exec, bubblewrap
# (`bwrap --unshare-all`, Debian's package, installed here if missing)
# and each of our profiles, measured by the same C loop
# (tests/sandbox/sandbox_run -n: one process starting runs one after the
# other, as the daemon does: seccomp programs compiled once, a fresh
# /work tmpfs per run, /etc and /dev made once).  The variants take
# turns, ROUNDS rounds of N runs each (many short rounds: a busy
# machine's load comes and goes within seconds, and must slow them
# alike, in a new order each round); the figures are medians over the
# rounds' medians.  Prints a table with ratios to plain
# and to bwrap, and the ratio standard / bwrap round by round (the two
# measured seconds apart, so load that comes and goes cancels out).
# Part of `make bench` (scripts/bench.sh); exits 77 when not root.
#
#   bench/sandbox-start.sh [N [ROUNDS]]    BUILD= selects the build dir
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
N=${1:-10}
ROUNDS=${2:-20}
RUN=$BUILD/tests/sandbox/sandbox_run
export TOOLEXEC_SANDBOX_HELPER=$BUILD/toolexec-sandbox

[ "$(id -u)" -eq 0 ] || { echo "sandbox-start: needs root" >&2; exit 77; }
if [ ! -x "$RUN" ] || [ ! -x "$TOOLEXEC_SANDBOX_HELPER" ]; then
	make -C "$top" -s BUILD="$BUILD" "$RUN" "$TOOLEXEC_SANDBOX_HELPER"
fi
# The benchmark's own set-up: bubblewrap is not a dependency of the
# project, only of this comparison.
if ! command -v bwrap >/dev/null 2>&1; then
	apt-get install -y -qq bubblewrap >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq bubblewrap; } >/dev/null
fi
BWRAP=$(command -v bwrap)

tmp=$(mktemp -d /tmp/sandbox-start.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
mkdir "$tmp/w"
chmod 0777 "$tmp/w"
printf '#!/bin/true\n' > "$tmp/true"
echo '{"dev": {"enabled": true}}' > "$tmp/p.json"

bw_args=("$BWRAP" --unshare-all --ro-bind /usr /usr --symlink usr/bin /bin
	--symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc
	--dev /dev /bin/true)
variants="plain bwrap dev standard hardened"
run_variant() {
	case $1 in
	plain) "$RUN" -n "$N" -P /bin/true ;;
	bwrap) "$RUN" -n "$N" -P "${bw_args[@]}" ;;
	dev) "$RUN" -n "$N" -p dev -C "$tmp/p.json" -u 65534 -g 65534 -w "$tmp/w" "$tmp/true" ;;
	*) "$RUN" -n "$N" -p "$1" "$tmp/true" ;;
	esac
}
# Each call prints "median p90 mean compile_us"; keep every round's.
for r in $(seq 1 "$ROUNDS"); do
	# In a new order each round: what one variant leaves to the kernel
	# (namespaces torn down in the background, cgroups removed) slows
	# whichever runs next, so no variant may always follow the same one.
	for v in $(printf '%s\n' $variants | shuf); do
		run_variant "$v" >> "$tmp/$v" || { echo "sandbox-start: $v failed" >&2; exit 1; }
	done
done
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
plain=$(cut -d' ' -f1 "$tmp/plain" | med)
bw=$(cut -d' ' -f1 "$tmp/bwrap" | med)
printf 'start-to-exit of /bin/true, %d rounds of %d runs (median of round medians; µs)\n' "$ROUNDS" "$N"
printf '%-10s %9s %9s %9s %9s\n' variant median p90 "x plain" "x bwrap"
for v in $variants; do
	m=$(cut -d' ' -f1 "$tmp/$v" | med)
	p=$(cut -d' ' -f2 "$tmp/$v" | med)
	awk -v v="$v" -v m="$m" -v p="$p" -v pl="$plain" -v bw="$bw" \
		'BEGIN { printf "%-10s %9d %9d %9.2f %9.2f\n", v, m, p, m / pl, m / bw }'
done
# standard / bwrap within each round: the medians of the same round.
paste -d' ' <(cut -d' ' -f1 "$tmp/standard") <(cut -d' ' -f1 "$tmp/bwrap") |
	awk '{ print $1 / $2 }' | sort -n |
	awk '{ r[NR] = $1 } END { printf "standard / bwrap by round: median %.2f, min %.2f, max %.2f (%d rounds)\n", r[int((NR + 1) / 2)], r[1], r[NR], NR }'
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'seccomp programs compiled once per daemon: standard %s µs, hardened %s µs\n' \
	"$(cut -d' ' -f4 "$tmp/standard" | med)" "$(cut -d' ' -f4 "$tmp/hardened" | med)"
