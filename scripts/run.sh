#!/bin/sh
# Mounts the embedded default at $MNT (make run), prints a short tour and
# keeps the mount until Ctrl-C (or `make stop` from another terminal),
# then unmounts cleanly.  Works in a non-interactive shell too: the daemon
# runs in the background and this script only waits for a signal or for
# the daemon to end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${BUILD:=$top/build}"
: "${MNT:=$top/mnt}"
fs=$BUILD/toolexecfs
[ -x "$fs" ] || { echo "run.sh: $fs is not built (run make)" >&2; exit 1; }
mkdir -p "$MNT"
if mountpoint -q "$MNT"; then
	echo "run.sh: $MNT is already mounted (make stop unmounts it)" >&2
	exit 1
fi
"$fs" -f "$MNT" &
pid=$!
stop() {
	trap - INT TERM
	fusermount3 -u "$MNT" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "unmounted $MNT"
	exit 0
}
trap stop INT TERM
i=0
until mountpoint -q "$MNT" && [ -e "$MNT/README" ]; do
	i=$((i + 1))
	if [ "$i" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: the mount did not come up" >&2
		kill "$pid" 2>/dev/null
		exit 1
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
