#!/bin/bash
# /etc inside is the daemon's read-only copy, bound: fresh passwd,
# group, hosts (with the run's host name), hostname and resolv.conf, the
# host's small files as they are, never shadow, and no run can change it
# (not even root inside: read-only, and owned by root outside), so
# the next run sees it as the first did.
. "$(dirname "$0")/lib.sh"
. "$top/tests/sandbox/lib.sh"

cat > "$TMP/etc.sh" <<'S'
cat /etc/passwd /etc/group /etc/hosts
echo "hostname: $(cat /etc/hostname)"
echo "resolv: $(wc -c < /etc/resolv.conf)"
[ -e /etc/shadow ] && echo "shadow: yes" || echo "shadow: no"
echo "nsswitch: $(md5sum < /etc/nsswitch.conf)"
echo x >> /etc/passwd 2>/dev/null && echo "append: yes" || echo "append: no"
touch /etc/new 2>/dev/null && echo "create: yes" || echo "create: no"
rm -f /etc/hosts 2>/dev/null; [ -e /etc/hosts ] && echo "remove: no" || echo "remove: yes"
S
expected="root:x:0:0:root:/work:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
root:x:0:
nogroup:x:65534:
127.0.0.1	localhost toolexec
::1	localhost ip6-localhost
hostname: toolexec
resolv: 0
shadow: no
nsswitch: $(md5sum < /etc/nsswitch.conf)
append: no
create: no
remove: no"
for prof in standard hardened; do
	for round in 1 2; do
		run_sb $prof "$TMP/etc.sh" || fail "$prof did not run"
		assert_eq 0 "$(result_field exit_code)" "$prof exit code"
		assert_eq "$expected" "$(cat "$TMP/out")" "$prof /etc, run $round"
	done
done
