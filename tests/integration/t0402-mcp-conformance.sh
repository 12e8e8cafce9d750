#!/bin/bash
# The official MCP conformance suite's client scenarios, every one but
# those of authorization (auth/*), with our client (through toolexec)
# under test: initialize, tools_call, elicitation-sep1034-client-defaults
# (accepting with defaults, "elicitation": "defaults") and sse-retry
# (resuming an SSE stream with Last-Event-ID after "retry").  The count
# is printed.
. "$(dirname "$0")/lib.sh"
"$top/tests/mcp/setup.sh" || skip "cannot install the pinned conformance suite (node/npm)"
out=$(TOOLEXEC=$TOOLEXEC TMPDIR=$TMP "$top/tests/mcp/run-conformance.sh" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E "conformance|Passed:|FAILURE"
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" | tail -40; fail "conformance scenarios failed"; }
for s in initialize tools_call elicitation-sep1034-client-defaults sse-retry; do
	assert_contains "$out" "conformance $s: passed" "$s"
done
assert_contains "$out" "conformance: 4 of 4 client scenarios passed" "count"
