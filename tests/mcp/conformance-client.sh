#!/bin/sh
# The client under test for @modelcontextprotocol/conformance: the suite
# starts a scenario server and runs `conformance-client.sh SERVER_URL`
# with MCP_CONFORMANCE_SCENARIO set.  We configure that URL as an MCP
# server and drive it through the toolexec command ($TOOLEXEC).
set -eu
url=${1:?usage: conformance-client.sh SERVER_URL}
: "${TOOLEXEC:?set TOOLEXEC to the toolexec binary}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/txconf.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# "elicitation": "defaults": nobody is at a terminal to fill in a form,
# so elicitation requests are accepted with the schema's defaults.
printf '{"mcpServers": {"conf": {"url": "%s", "timeout_ms": 10000, "elicitation": "defaults"}}}\n' "$url" \
	> "$dir/servers.json"
case "${MCP_CONFORMANCE_SCENARIO:-}" in
elicitation-sep1034-client-defaults)
	"$TOOLEXEC" -c "$dir" call conf:test_client_elicitation_defaults
	;;
tools_call)
	"$TOOLEXEC" -c "$dir" call conf:add_numbers '{"a":2,"b":3}'
	;;
sse-retry)
	"$TOOLEXEC" -c "$dir" call conf:test_reconnection
	;;
*)
	"$TOOLEXEC" -c "$dir" list
	;;
esac
