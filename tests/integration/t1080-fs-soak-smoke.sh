#!/bin/bash
# A short run of the soak benchmark (bench/soak.sh): 20 s of calls in
# the three ways on exec and MCP tools, a reload every 2 s and an MCP
# server killed every 7 s.  Every call gets exactly one outcome, none
# returns another call's result, none is left waiting, and the daemon
# lives on.  (The 10 % bounds on RSS and descriptors need the full run:
# 20 s end before the job table is full.)
. "$(dirname "$0")/lib.sh"
need_fuse
"$top/tests/mcp/setup.sh" >/dev/null 2>&1 || true	# server-everything when it can
out=$(SOAK_SECONDS=20 RELOAD_SECONDS=2 KILL_SECONDS=7 SOAK_CHECK_GROWTH=0 \
	TMPDIR=$TMP "$top/bench/soak.sh" 2>&1)
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || fail "soak smoke run failed"
assert_contains "$out" "made == read + errors: yes; wrong results: 0; clients hung: 0"
assert_contains "$out" "same daemon at the end: yes; a call at the end: 'still here'"
assert_contains "$out" "soak: PASS"
echo ok
