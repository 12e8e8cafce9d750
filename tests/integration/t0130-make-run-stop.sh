#!/bin/bash
# make run mounts the embedded default and prints the tour; make stop
# unmounts it.  A stop that comes while make run is still building ends
# it there, and the mount never comes up afterwards.
. "$(dirname "$0")/lib.sh"
need_fuse
M=$TMP/mnt
at_exit "fusermount3 -u '$M'"
mk() { make -s -C "$top" --no-print-directory BUILD="$BUILD" MNT="$M" "$@"; }

# 1. run, then stop from elsewhere.
mk run > "$TMP/run.log" 2>&1 &
run=$!
wait_until grep -q "README explains the rest" "$TMP/run.log"
mountpoint -q "$M" || fail "not mounted after the tour"
assert_contains "$(cat "$TMP/run.log")" "toolexecfs is mounted at $M" "the tour"
mk stop || fail "make stop"
wait "$run" || fail "make run ended with $?: $(cat "$TMP/run.log")"
mountpoint -q "$M" && fail "still mounted after make stop"
assert_contains "$(cat "$TMP/run.log")" "unmounted $M" "the goodbye"

# 2. A stop while it builds: the build is held by a make that waits for
# a flag; the stop is the signal make stop sends (to the pid in run.pid).
cat > "$TMP/slowmake" <<SH
#!/bin/sh
touch "$TMP/building"
while [ ! -e "$TMP/release" ]; do sleep 0.02; done
exec make "\$@"
SH
chmod +x "$TMP/slowmake"
rm -f "$TMP/building" "$TMP/release"
mk MAKE="$TMP/slowmake" run > "$TMP/run2.log" 2>&1 &
run=$!
wait_until test -e "$TMP/building"
kill -TERM "$(cat "$BUILD/run.pid")" || fail "no run.pid"
touch "$TMP/release"
wait "$run" || fail "make run ended with $?: $(cat "$TMP/run2.log")"
assert_contains "$(cat "$TMP/run2.log")" "stopped before mounting" "why it ended"
mountpoint -q "$M" && fail "mounted after a stop"
[ -e "$BUILD/run.pid" ] && fail "run.pid left behind"

# 3. make stop with nothing running: nothing to do, no error.
mk stop || fail "make stop with nothing running"
