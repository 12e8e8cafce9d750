#!/bin/sh
# Runs the official MCP conformance suite's client scenarios against our
# client: run-conformance.sh SCENARIO...  (default: every client scenario
# of the suite but the authorization ones, auth/*), then prints
# "conformance: P of N client scenarios passed; A authorization
# scenarios not run".
# Node 20 lacks fs.globSync, which the suite imports; node20-fs-shim.mjs
# supplies it (a no-op on Node 22 and later).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${TOOLEXEC:?set TOOLEXEC to the toolexec binary}"
export TOOLEXEC
"$here/setup.sh"
suite() {
	node --import "$here/node20-fs-shim.mjs" \
		"$here/node_modules/@modelcontextprotocol/conformance/dist/index.js" "$@"
}
auth=0
if [ $# -eq 0 ]; then
	# "  - NAME [versions]" lines after "Client scenarios".
	all=$(suite list --client | sed -n 's/^ *- \([^ ]*\).*/\1/p')
	[ -n "$all" ] || { echo "conformance: the suite lists no client scenarios" >&2; exit 1; }
	auth=$(printf '%s\n' "$all" | grep -c '^auth/' || true)
	set -- $(printf '%s\n' "$all" | grep -v '^auth/')
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/txconfrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"	# the suite writes results/ into the current directory
rc=0
passed=0
for s in "$@"; do
	if suite client --command "$here/conformance-client.sh" --scenario "$s" \
		--timeout 30000; then
		echo "conformance $s: passed"
		passed=$((passed + 1))
	else
		echo "conformance $s: FAILED"
		rc=1
	fi
done
echo "conformance: $passed of $# client scenarios passed; $auth authorization scenarios not run"
exit $rc
