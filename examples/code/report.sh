#!/bin/sh
# A script an agent might drop into a mount's code/standard/: find a tool
# by what it does, read its doc, call three tools, and leave a report in
# /work, which the caller reads back from code/standard/report.sh.work/.
set -e
# 1. Search: the best match for what we need, a base64 encoder.
hit=$(ls "/search/base64 encode text" | head -n 1)
tool=${hit#*-}                              # builtin:base64
dir=/tools/$(echo "$tool" | tr : /)         # /tools/builtin/base64
# 2. Its doc says which arguments it takes.
head -n 1 "$dir/doc"
# 3. Three calls, three calling ways.
exec 3<>"$dir/call"                         # a transaction
printf '{"text": "hello from a sandbox"}' >&3
encoded=$(cat <&3)
exec 3>&-
echo '{"count": 1}' > /tools/builtin/uuid/call     # shell style
id=$(cat /tools/builtin/uuid/result)
n=$(cat /tools/builtin/time/clone)                 # a job of its own
echo '{}' > "/jobs/$n/call"
now=$(cat "/jobs/$n/result")
# 4. The report, handed back through /work.
{
	echo "# Report"
	echo "tool found: $tool"
	echo "encoded: $encoded"
	echo "uuid: $id"
	echo "time: $now"
	echo "jobs of this run: $(ls /jobs | wc -l)"
} > /work/report.md
echo "report written"
