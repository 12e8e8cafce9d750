# Kernel settings under /proc/sys must not be writable.
if (echo 0 > /proc/sys/kernel/randomize_va_space) 2>/dev/null ||
   (echo '|/tmp/x' > /proc/sys/kernel/core_pattern) 2>/dev/null ||
   (echo 1 > /proc/sys/vm/drop_caches) 2>/dev/null; then
	echo "ESCAPED /proc/sys write"
else
	echo "held /proc/sys write"
fi
