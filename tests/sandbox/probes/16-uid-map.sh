# Root inside must map to an unprivileged uid outside, never to root.
if awk '$1 == 0 && $2 == 0 { found = 1 } END { exit !found }' /proc/self/uid_map 2>/dev/null ||
   awk '$1 == 0 && $2 == 0 { found = 1 } END { exit !found }' /proc/self/gid_map 2>/dev/null; then
	echo "ESCAPED root inside is root outside"
else
	echo "held uid map ($(tr -s ' ' < /proc/self/uid_map | tr '\n' ' '))"
fi
