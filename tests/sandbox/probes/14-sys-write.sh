# The host's /sys is not there to read or write.
if [ -e /sys/kernel ] || [ -e /sys/fs/cgroup/memory ] || [ -e /sys/class/net ]; then
	if (echo 1 > /sys/kernel/mm/ksm/run) 2>/dev/null; then
		echo "ESCAPED /sys write"
	else
		echo "ESCAPED /sys visible"
	fi
else
	echo "held /sys"
fi
