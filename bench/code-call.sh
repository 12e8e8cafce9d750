#!/bin/bash
# One tool call from inside a code run against the same call from
# outside, in the same run of the same mount: builtin:echo as a
# transaction (open call O_RDWR, write the arguments, read to the end,
# close), timed call by call by the same program on both sides:
#
#   outside  a plain process on MNT/tools/builtin/echo/call
#   inside   a script dropped into MNT/code/standard/, on
#            /tools/builtin/echo/call (its run's view, .runs/ID/tools)
#
# Two programs do the loop: bench/bench_fs (C; the script carries it in
# base64, writes it to /work and runs it: the sandbox's read-only /usr
# holds the same libc) and a Python loop (/usr/bin/python3 on both sides,
# the tool directory from TOOLEXEC_TOOLS, which a run's environment sets
# to /tools).  The sides take turns, ROUNDS rounds of N calls each after
# a warm-up (each round a fresh run), so that a busy machine slows them
# alike.  The times are the medians of the rounds' medians; the ratio is
# the median of the rounds' own ratios (each round's inside median over
# the outside median taken next to it), which a machine whose load
# changes from second to second disturbs least.  The profile is standard with a
# max_tool_calls high enough for the loop.  Prints per-call µs for both
# and the ratio inside / outside (the target: at most 1.1).
#
#   bench/code-call.sh [N [ROUNDS]]     BUILD= selects the build dir
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
N=${1:-300}
ROUNDS=${2:-20}
PY=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || { echo "code-call: needs root (runs get uids of their own)" >&2; exit 77; }
make -C "$top" -s --no-print-directory BUILD="$BUILD" "$BUILD/toolexecfs" \
	"$BUILD/toolexec-sandbox" "$BUILD/bench/bench_fs" >/dev/null
[ -x "$PY" ] || { echo "code-call: $PY is missing" >&2; exit 1; }

tmp=$(mktemp -d /tmp/code-call.XXXXXX)
pid=""
cleanup() {
	fusermount3 -u "$tmp/mnt" 2>/dev/null || true
	[ -n "$pid" ] && wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A run opens its view below the mount point as its own uid.
chmod 0755 "$tmp"
mkdir "$tmp/conf" "$tmp/mnt"
calls=$(( (N + 100) * 2 + 10 ))
echo "{\"codeProfiles\": {\"standard\": {\"max_tool_calls\": $calls, \"timeout_ms\": 600000}}}" \
	> "$tmp/conf/code.json"
"$BUILD/toolexecfs" -f -c "$tmp/conf" "$tmp/mnt" 2>"$tmp/fs.log" &
pid=$!
for _ in $(seq 1 300); do
	[ -e "$tmp/mnt/README" ] && break
	sleep 0.05
done
[ -e "$tmp/mnt/README" ] || { cat "$tmp/fs.log" >&2; echo "code-call: no mount" >&2; exit 1; }
M=$tmp/mnt
S=$M/code/standard

# The C loop: bench_fs rpc, 100 warm-up calls, then N timed.
{
	echo '#!/bin/sh'
	echo 'set -e'
	echo "base64 -d > /work/bench_fs <<'EOF'"
	base64 "$BUILD/bench/bench_fs"
	echo 'EOF'
	echo 'chmod 0755 /work/bench_fs'
	echo '/work/bench_fs rpc "$TOOLEXEC_TOOLS/builtin/echo/call" 100 >/dev/null'
	echo "exec /work/bench_fs rpc \"\$TOOLEXEC_TOOLS/builtin/echo/call\" $N"
} > "$tmp/c.sh"
# The Python loop: the same four system calls, the same warm-up.
cat > "$tmp/py.py" <<EOF
#!/usr/bin/env python3
import os, time
call = os.environ["TOOLEXEC_TOOLS"] + "/builtin/echo/call"
args = b'{"text":"bench"}\n'
def one():
    fd = os.open(call, os.O_RDWR)
    os.write(fd, args)
    while os.read(fd, 4096):
        pass
    os.close(fd)
for _ in range(100):
    one()
lat = []
for _ in range($N):
    t = time.perf_counter_ns()
    one()
    lat.append(time.perf_counter_ns() - t)
lat.sort()
print("rpc n=%d median_us=%.1f p99_us=%.1f" % ($N, lat[$N // 2] / 1e3, lat[$N * 99 // 100] / 1e3))
EOF

# outside WAY / inside WAY: one round's "rpc n= median_us= p99_us=" line.
outside() {
	case $1 in
	c) "$BUILD/bench/bench_fs" rpc "$M/tools/builtin/echo/call" 100 >/dev/null
	   "$BUILD/bench/bench_fs" rpc "$M/tools/builtin/echo/call" "$N" ;;
	py) TOOLEXEC_TOOLS=$M/tools "$PY" "$tmp/py.py" ;;
	esac
}
inside() {
	local f
	case $1 in c) f=c.sh ;; py) f=py.py ;; esac
	cp "$tmp/$f" "$S/$f"
	timeout 600 cat "$S/$f.result" > "$tmp/$f.result"
	grep -q '"exit_code": 0,' "$tmp/$f.result" || {
		cat "$S/$f.err" "$tmp/$f.result" >&2
		echo "code-call: the run of $f failed" >&2
		exit 1
	}
	cat "$S/$f.out"
}
# Odd rounds start outside, even rounds inside: a machine getting busier
# or quieter during the run slows neither side more.
for r in $(seq 1 "$ROUNDS"); do
	for w in c py; do
		if [ $((r % 2)) = 1 ]; then
			outside "$w" >> "$tmp/out.$w"
			inside "$w" >> "$tmp/in.$w"
		else
			inside "$w" >> "$tmp/in.$w"
			outside "$w" >> "$tmp/out.$w"
		fi
	done
done
med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
col() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p"; }
printf 'one builtin:echo transaction, inside a standard run vs outside,\n'
printf '%d rounds of %d calls, taking turns (median of round medians, µs;\nin/out: median of the rounds'"'"' ratios)\n' "$ROUNDS" "$N"
printf '%-8s %10s %10s %10s %10s %8s\n' loop "outside" "inside" "p99 out" "p99 in" "in/out"
for w in c py; do
	om=$(col median_us < "$tmp/out.$w" | med)
	im=$(col median_us < "$tmp/in.$w" | med)
	op=$(col p99_us < "$tmp/out.$w" | med)
	ip=$(col p99_us < "$tmp/in.$w" | med)
	ra=$(paste <(col median_us < "$tmp/in.$w") <(col median_us < "$tmp/out.$w") |
		awk '{ printf "%.4f\n", $1 / $2 }' | med)
	awk -v w="$w" -v om="$om" -v im="$im" -v op="$op" -v ip="$ip" -v ra="$ra" \
		'BEGIN { printf "%-8s %10.1f %10.1f %10.1f %10.1f %8.2f\n", w, om, im, op, ip, ra }'
done
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
