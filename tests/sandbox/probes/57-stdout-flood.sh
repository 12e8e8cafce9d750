# profiles: standard hardened dev
# expect-limit: output
# A gigabyte of stdout is cut at the output cap and the run killed.
head -c 1073741824 /dev/zero
echo "ESCAPED a gigabyte of stdout went through" >&2
