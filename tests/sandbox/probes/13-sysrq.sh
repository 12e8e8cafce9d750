# The magic SysRq trigger must not be writable.
if (printf h > /proc/sysrq-trigger) 2>/dev/null; then
	echo "ESCAPED /proc/sysrq-trigger"
else
	echo "held /proc/sysrq-trigger"
fi
