# /dev holds only the harmless nodes: no tty, no ptmx, no disks.
extra=""
for f in /dev/*; do
	case "${f#/dev/}" in
	null|zero|full|random|urandom|shm|fd|stdin|stdout|stderr) ;;
	*) extra="$extra ${f#/dev/}" ;;
	esac
done
if [ -n "$extra" ]; then echo "ESCAPED /dev has:$extra"; else echo "held /dev"; fi
