# Only the loopback interface exists, and it is up.
ifs=$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' /proc/net/dev | tr '\n' ' ')
case "$ifs" in
"lo ") echo "held interfaces (lo only)" ;;
*) echo "ESCAPED interfaces: $ifs" ;;
esac
