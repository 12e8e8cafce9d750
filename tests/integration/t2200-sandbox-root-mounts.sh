#!/bin/bash
# The root a standard or hardened run sees is exactly what it was
# built from: its own tmpfs (read-only), /usr, /etc (the daemon's
# read-only copy) with the host's alternatives on it, five device
# nodes, /proc with its knobs read-only, a private /tmp, /work and the
# binds.  Nothing else of the host's tree is left mounted (it is
# detached as a whole, once), and a bind whose source lies under the
# host's /tmp (which the new root is assembled over) still shows the
# host's directory, not the new root's.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

mkdir -p "$TMP/shared"
echo "from the host" > "$TMP/shared/note"
chmod -R a+rX "$TMP/shared"
cat > "$TMP/mounts.sh" <<'S'
awk '{ print $5, substr($6, 1, 2) }' /proc/self/mountinfo
echo "note: $(cat /data/note)"
echo "tmp: $(ls -A /tmp | wc -l)"
S
expected="/ ro
/usr ro
/etc ro
/etc/alternatives ro
/dev/null rw
/dev/zero rw
/dev/full rw
/dev/random rw
/dev/urandom rw
/proc rw
/proc/sys ro
/proc/irq ro
/proc/bus ro
/tmp rw
/work rw
/data ro
note: from the host
tmp: 0"
for prof in standard hardened; do
	run_sb $prof "$TMP/mounts.sh" -b "$TMP/shared:/data" || fail "$prof did not run"
	assert_eq 0 "$(result_field exit_code)" "$prof exit code ($(cat "$TMP/err"))"
	assert_eq "$expected" "$(cat "$TMP/out")" "$prof mounts"
done
