#!/bin/sh
# Run many calls at once: start each as a job, then collect the results.
# Usage: many.sh [MOUNT] [COUNT]
M=${1:-mnt}
N=${2:-5}
cd "$M" || exit 1
ids=""
for i in $(seq 1 "$N"); do
	n=$(cat tools/builtin/sleep/clone)
	echo '{"seconds": 1}' > jobs/$n/call   # starts at once, runs in the background
	ids="$ids $n"
done
for n in $ids; do                          # each read waits for its call
	echo "job $n: $(cat jobs/$n/result)"
done
