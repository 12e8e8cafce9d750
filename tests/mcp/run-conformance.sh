#!/bin/sh
# Runs the official MCP conformance suite's client scenarios against our
# client: run-conformance.sh SCENARIO...  (default: initialize tools_call
# sse-retry).
# Node 20 lacks fs.globSync, which the suite imports; node20-fs-shim.mjs
# supplies it (a no-op on Node 22 and later).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${TOOLEXEC:?set TOOLEXEC to the toolexec binary}"
export TOOLEXEC
"$here/setup.sh"
[ $# -gt 0 ] || set -- initialize tools_call sse-retry
work=$(mktemp -d "${TMPDIR:-/tmp}/txconfrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"	# the suite writes results/ into the current directory
rc=0
for s in "$@"; do
	if node --import "$here/node20-fs-shim.mjs" \
		"$here/node_modules/@modelcontextprotocol/conformance/dist/index.js" \
		client --command "$here/conformance-client.sh" --scenario "$s" \
		--timeout 30000; then
		echo "conformance $s: passed"
	else
		echo "conformance $s: FAILED"
		rc=1
	fi
done
exit $rc
