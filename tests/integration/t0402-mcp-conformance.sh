#!/bin/bash
# The official MCP conformance suite's client scenarios "initialize" and
# "tools_call", with our client (through toolexec) under test; also
# "sse-retry" (resuming an SSE stream with Last-Event-ID after "retry").
. "$(dirname "$0")/lib.sh"
"$top/tests/mcp/setup.sh" || skip "cannot install the pinned conformance suite (node/npm)"
out=$(TOOLEXEC=$TOOLEXEC TMPDIR=$TMP "$top/tests/mcp/run-conformance.sh" initialize tools_call sse-retry 2>&1)
rc=$?
printf '%s\n' "$out" | grep -E "conformance |Passed:|FAILURE"
[ "$rc" -eq 0 ] || { printf '%s\n' "$out" | tail -40; fail "conformance scenarios failed"; }
assert_contains "$out" "conformance initialize: passed" "initialize"
assert_contains "$out" "conformance tools_call: passed" "tools_call"
assert_contains "$out" "conformance sse-retry: passed" "sse-retry"
