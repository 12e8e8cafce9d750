# No capability in any set, the bounding and ambient sets included.
bad=$(awk '/^Cap(Inh|Prm|Eff|Bnd|Amb):/ && $2 != "0000000000000000" { printf " %s%s", $1, $2 }' /proc/self/status)
if [ -n "$bad" ]; then echo "ESCAPED capabilities:$bad"; else echo "held capabilities"; fi
