#!/bin/bash
# The root a standard or hardened run sees is exactly what it was
# built from: its own tmpfs (read-only), /usr, /etc and /dev (the
# daemon's read-only copies) with the host's alternatives on /etc,
# /proc with its knobs read-only, a private /tmp, /work and the binds.
# Nothing else of the host's tree is left mounted (it is detached as a
# whole, once), and a bind whose source lies under the host's /tmp
# (which the new root is assembled over) still shows the host's
# directory, not the new root's.  /dev has the five harmless nodes,
# usable, and the usual links, and nothing can be added to it.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

mkdir -p "$TMP/shared"
echo "from the host" > "$TMP/shared/note"
chmod -R a+rX "$TMP/shared"
cat > "$TMP/mounts.sh" <<'S'
awk '{ print $5, substr($6, 1, 2) }' /proc/self/mountinfo
echo "note: $(cat /data/note)"
echo "tmp: $(ls -A /tmp | wc -l)"
stat -c '%A %t,%T %N' /dev/*
echo hello > /dev/null && echo "null: written"
echo "urandom: $(head -c 16 /dev/urandom | wc -c)"
touch /dev/new 2>/dev/null && echo "dev: writable" || echo "dev: read-only"
S
expected="/ ro
/usr ro
/etc ro
/etc/alternatives ro
/dev ro
/proc rw
/proc/sys ro
/proc/irq ro
/proc/bus ro
/tmp rw
/work rw
/data ro
note: from the host
tmp: 0
lrwxrwxrwx 0,0 '/dev/fd' -> '/proc/self/fd'
crw-rw-rw- 1,7 '/dev/full'
crw-rw-rw- 1,3 '/dev/null'
crw-rw-rw- 1,8 '/dev/random'
lrwxrwxrwx 0,0 '/dev/shm' -> '/tmp'
lrwxrwxrwx 0,0 '/dev/stderr' -> '/proc/self/fd/2'
lrwxrwxrwx 0,0 '/dev/stdin' -> '/proc/self/fd/0'
lrwxrwxrwx 0,0 '/dev/stdout' -> '/proc/self/fd/1'
crw-rw-rw- 1,9 '/dev/urandom'
crw-rw-rw- 1,5 '/dev/zero'
null: written
urandom: 16
dev: read-only"
for prof in standard hardened; do
	run_sb $prof "$TMP/mounts.sh" -b "$TMP/shared:/data" || fail "$prof did not run"
	assert_eq 0 "$(result_field exit_code)" "$prof exit code ($(cat "$TMP/err"))"
	# (A coverage build, make coverage, adds /run/gcov for the
	# helper's counts: see src/sandbox/helper_gcov.c.)
	got=$(cat "$TMP/out")
	[ -d "$BUILD/gcov-sandbox" ] && got=$(printf '%s\n' "$got" | grep -vx '/run/gcov rw')
	assert_eq "$expected" "$got" "$prof mounts"
done
