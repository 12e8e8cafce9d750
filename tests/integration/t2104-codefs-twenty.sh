#!/bin/bash
# Twenty runs started at once all finish, each with its own output and
# its own tool call answered.
. "$(dirname "$0")/lib.sh"
. "$here/lib-codefs.sh"
mount_default
for i in $(seq 1 20); do
	printf 'echo "{\\"n\\":%s}" > /tools/builtin/echo/call\ncat /tools/builtin/echo/result | tr -d " \\n"\n' "$i" > "$TMP/r$i.sh"
done
# (`wait` alone would wait for the daemon too.)
pids=()
for i in $(seq 1 20); do drop "$TMP/r$i.sh" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a drop failed"; done
for i in $(seq 1 20); do
	result r$i.sh
	assert_eq 0 "${R[exit_code]}" "run $i: $(cat "$MNT/code/standard/r$i.sh.err")"
	assert_eq "{\"n\":$i}" "$(cat "$MNT/code/standard/r$i.sh.out")" "run $i output"
	assert_eq 1 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tool_calls"]))' "$TMP/r$i.sh.res")"
done
cd /
unmount_fs
echo ok
