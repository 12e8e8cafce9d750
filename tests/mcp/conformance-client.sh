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
# Sign-in (auth/*): the state directory is ours; a pre-registered
# client comes from the scenario's context (MCP_CONFORMANCE_CONTEXT);
# our client ID metadata document's URL is the one the suite expects.
ctx=${MCP_CONFORMANCE_CONTEXT:-'{}'}
# The scenarios without a user are configured so: client_credentials
# with the context's secret or private key, or jwt_bearer with the
# identity provider's ID token (each written 0600).
client=$(umask 077; node -e '
const fs = require("fs");
const [ctx, dir, scenario] = process.argv.slice(1);
const c = JSON.parse(ctx);
const a = {state_dir: dir + "/state",
	   client_metadata_url: "https://conformance-test.local/client-metadata.json"};
if (c.client_id) a.client_id = c.client_id;
if (c.client_secret) a.client_secret = c.client_secret;
if (scenario.startsWith("auth/client-credentials-"))
	a.grant = "client_credentials";
if (c.idp_id_token) {
	// Enterprise-managed (SEP-990): the ID token of the IdP, kept 0600.
	fs.writeFileSync(dir + "/id_token", c.idp_id_token, {mode: 0o600});
	a.grant = "jwt_bearer";
	a.id_token_file = dir + "/id_token";
	a.idp_token_endpoint = c.idp_token_endpoint;
	if (c.idp_client_id) a.idp_client_id = c.idp_client_id;
}
if (c.private_key_pem) {
	fs.writeFileSync(dir + "/key.pem", c.private_key_pem, {mode: 0o600});
	a.private_key_file = dir + "/key.pem";
}
process.stdout.write(JSON.stringify(a));' "$ctx" "$dir" "${MCP_CONFORMANCE_SCENARIO:-}")
printf '{"mcpServers": {"conf": {"url": "%s", "timeout_ms": 10000, "elicitation": "defaults", "auth": %s}}}\n' \
	"$url" "$client" > "$dir/servers.json"
case "${MCP_CONFORMANCE_SCENARIO:-}" in
auth/*)
	# Call the scenario's tool; while the server wants a sign-in, play
	# the user's browser: open the address `toolexec login` prints
	# (the suite's authorization server grants at once and redirects),
	# and hand the address we are sent back to to `toolexec login`.
	# How often to sign in again is the client's decision (its retry
	# limit), shown by `toolexec auth`; 5 rounds only bound this loop.
	for round in 1 2 3 4 5; do
		if "$TOOLEXEC" -c "$dir" call conf:test-tool '{}'; then
			exit 0
		fi
		[ "$("$TOOLEXEC" -c "$dir" auth conf)" = needs-login ] || exit 1
		where=$("$TOOLEXEC" -c "$dir" login conf) || exit 1
		back=$(curl -s -o /dev/null -w '%{redirect_url}' "$where") || exit 1
		[ -n "$back" ] || { echo "no redirect from $where" >&2; exit 1; }
		"$TOOLEXEC" -c "$dir" login conf "$back" || exit 1
	done
	exit 1
	;;
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
