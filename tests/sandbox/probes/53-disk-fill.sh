# profiles: standard hardened dev
# expect-limit: file_size
# One file cannot grow past the file size limit (nor fill the disk).
trap '' XFSZ
if head -c 2147483648 /dev/zero > big 2>/dev/null; then
	echo "ESCAPED disk fill: wrote 2 GiB to one file"
else
	echo "held disk fill at $(($(stat -c %s big) >> 20)) MiB"
fi
rm -f big
