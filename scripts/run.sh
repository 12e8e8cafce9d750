#!/bin/sh
# make run: installs what building needs (setup.sh --run), builds, mounts
# the embedded default at $MNT, prints a short tour and keeps the mount
# until Ctrl-C or `make stop` (run.sh --stop) from another terminal, then
# unmounts cleanly.  A stop that comes while it is still installing or
# building ends it there: the mount never comes up afterwards.  Works in
# a non-interactive shell too: the daemon runs in the background and this
# script only waits for a signal or for the daemon to end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
: "${MNT:=$top/mnt}"
fs=$BUILD/toolexecfs
pidfile=$BUILD/run.pid

if [ "${1:-}" = --stop ]; then
	if [ -f "$pidfile" ] && p=$(cat "$pidfile") && kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p"
		i=0 # it ends once its current step (install, build) is done
		while kill -0 "$p" 2>/dev/null && [ "$i" -lt 6000 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	fusermount3 -u "$MNT" 2>/dev/null || true
	exit 0
fi

mkdir -p "$BUILD"
echo $$ > "$pidfile"
stopping=false
trap 'stopping=true' INT TERM
quit() { rm -f "$pidfile"; exit "$1"; }
step() { # step CMD...: run it unless a stop came; stop after it if one did
	$stopping || "$@" || quit 1
	if $stopping; then
		echo "run.sh: stopped before mounting"
		quit 0
	fi
}
step "$top/scripts/setup.sh" --run
step "${MAKE:-make}" -C "$top" --no-print-directory BUILD="$BUILD" all
[ -x "$fs" ] || { echo "run.sh: $fs is not built" >&2; quit 1; }
mkdir -p "$MNT"
if mountpoint -q "$MNT"; then
	echo "run.sh: $MNT is already mounted (make stop unmounts it)" >&2
	quit 1
fi
"$fs" -f "$MNT" &
pid=$!
stop() {
	trap - INT TERM
	fusermount3 -u "$MNT" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "unmounted $MNT"
	quit 0
}
trap stop INT TERM
$stopping && stop # a stop between the last step and the trap above
i=0
until mountpoint -q "$MNT" && [ -e "$MNT/README" ]; do
	i=$((i + 1))
	if [ "$i" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: the mount did not come up" >&2
		kill "$pid" 2>/dev/null
		quit 1
	fi
	sleep 0.05
done
cat <<TOUR
toolexecfs is mounted at $MNT ($(ls "$MNT/tools" | grep -vc INDEX) namespaces, $(wc -l < "$MNT/tools/INDEX") tools).
Try, in another terminal:

  cat $MNT/tools/INDEX
  echo '{"text":"hello"}' > $MNT/tools/builtin/echo/call; cat $MNT/tools/builtin/echo/result
  ls '$MNT/search/count words'

$MNT/README explains the rest.  Ctrl-C here (or make stop) unmounts.
TOUR
# Wait for Ctrl-C, SIGTERM, or an unmount from elsewhere (make stop).
while kill -0 "$pid" 2>/dev/null; do
	sleep 1 &
	wait $! 2>/dev/null
done
wait "$pid" 2>/dev/null
echo "unmounted $MNT"
rm -f "$pidfile"
