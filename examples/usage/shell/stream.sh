#!/bin/sh
# Follow a long job: its stream shows progress as it comes, and ends with
# the outcome.  Usage: stream.sh [MOUNT]
M=${1:-mnt}
cd "$M" || exit 1
n=$(cat tools/builtin/sleep/clone)
echo '{"seconds": 3}' > jobs/$n/call
cat jobs/$n/stream            # progress 1/3 seconds, ..., then "-- ok (3000 ms)"
cat jobs/$n/result
