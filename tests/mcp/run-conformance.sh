#!/bin/sh
# Runs the official MCP conformance suite's client scenarios against our
# client: run-conformance.sh [--auth] [SCENARIO...]
#   (default) every client scenario of the suite but the authorization
#             ones, then "conformance: P of N client scenarios passed;
#             A authorization scenarios not run here (--auth)";
#   --auth    the authorization scenarios (auth/*), then "conformance:
#             P of N authorization scenarios passed", and each one that
#             did not, with the reason we know of.
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
# Authorization scenarios we do not pass, and why (today every one
# passes; a new version of the suite may bring one we have not built).
why_not() {
	case "$1" in
	*)	echo "unexpected: see its checks above" ;;
	esac
}
mode=client
if [ "${1:-}" = --auth ]; then
	mode=auth
	shift
fi
auth=0
if [ $# -eq 0 ]; then
	# "  - NAME [versions]" lines after "Client scenarios".
	all=$(suite list --client | sed -n 's/^ *- \([^ ]*\).*/\1/p')
	[ -n "$all" ] || { echo "conformance: the suite lists no client scenarios" >&2; exit 1; }
	auth=$(printf '%s\n' "$all" | grep -c '^auth/' || true)
	if [ $mode = auth ]; then
		set -- $(printf '%s\n' "$all" | grep '^auth/')
	else
		set -- $(printf '%s\n' "$all" | grep -v '^auth/')
	fi
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/txconfrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"	# the suite writes results/ into the current directory
rc=0
passed=0
failed=""
for s in "$@"; do
	if suite client --command "$here/conformance-client.sh" --scenario "$s" \
		--timeout 30000; then
		echo "conformance $s: passed"
		passed=$((passed + 1))
	else
		echo "conformance $s: FAILED"
		failed="$failed $s"
		rc=1
	fi
done
if [ $mode = auth ]; then
	echo "conformance: $passed of $# authorization scenarios passed"
	for s in $failed; do
		echo "conformance: not passed: $s ($(why_not "$s"))"
	done
else
	echo "conformance: $passed of $# client scenarios passed; $auth authorization scenarios not run here (--auth)"
fi
exit $rc
