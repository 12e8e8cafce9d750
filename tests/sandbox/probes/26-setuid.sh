# A setuid-root program gives nothing: it runs without privileges
# (no_new_privs, nosuid mounts, root's uid unmapped).
out=$(/usr/bin/mount -t tmpfs none /tmp 2>&1); rc=$?
nnp=$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)
if [ "$rc" -eq 0 ]; then
	echo "ESCAPED setuid mount worked"
elif [ "$nnp" != 1 ] || grep -qv nosuid /proc/self/mountinfo; then
	echo "ESCAPED setuid: no_new_privs $nnp or a suid-able mount"
else
	echo "held setuid"
fi
