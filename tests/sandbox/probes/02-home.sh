# The host's home directories must be invisible.
found=""
for d in /home/* /root/.* /root/*; do
	case "$d" in */.|*/..|*'*') continue ;; esac
	[ -e "$d" ] && found="$found $d"
done
if [ -n "$found" ]; then echo "ESCAPED home:$found"; else echo "held home"; fi
