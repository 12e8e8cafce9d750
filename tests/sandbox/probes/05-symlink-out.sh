# A symlink made in /work must resolve inside the sandbox only.
ln -s /tmp/toolexec-escape/host-secret /work/l1 2>/dev/null
ln -s /etc/shadow /work/l2 2>/dev/null
ln -s ../../../../../../../proc/1/root/etc/shadow /work/l3 2>/dev/null
if cat /work/l1 /work/l2 /work/l3 2>/dev/null | grep -q .; then
	echo "ESCAPED symlink out of /work"
else
	echo "held symlink out of /work"
fi
