#!/bin/bash
# The official MCP conformance suite's authorization scenarios (auth/*),
# each with the authorization server the suite ships, and our client
# (through toolexec login/auth/call, conformance-client.sh playing the
# user's browser) under test: discovery of the protected-resource and
# authorization-server metadata at every location the spec names, PKCE,
# the resource parameter, client ID metadata documents, dynamic and
# pre-registered clients, the three token endpoint authentications,
# scope selection, 403 step-up and its retry limit, the 2025-03-26
# fallbacks, the draft checks (resource mismatch, offline_access), and
# the extensions: client_credentials with a secret and with a
# private_key_jwt assertion, and the enterprise-managed ID-JAG flow
# (token exchange at the identity provider, then the jwt-bearer grant).
# The count is printed.
. "$(dirname "$0")/lib.sh"
"$top/tests/mcp/setup.sh" || skip "cannot install the pinned conformance suite (node/npm)"
command -v curl >/dev/null || skip "no curl to play the browser"
out=$(TOOLEXEC=$TOOLEXEC TMPDIR=$TMP "$top/tests/mcp/run-conformance.sh" --auth 2>&1)
printf '%s\n' "$out" | grep -E "^conformance"
for s in metadata-default metadata-var1 metadata-var2 metadata-var3 \
	basic-cimd scope-from-www-authenticate scope-from-scopes-supported \
	scope-omitted-when-undefined scope-step-up scope-retry-limit \
	token-endpoint-auth-basic token-endpoint-auth-post \
	token-endpoint-auth-none pre-registration \
	2025-03-26-oauth-metadata-backcompat \
	2025-03-26-oauth-endpoint-fallback resource-mismatch \
	offline-access-scope offline-access-not-supported \
	client-credentials-basic client-credentials-jwt \
	cross-app-access-complete-flow; do
	case "$out" in
	*"conformance auth/$s: passed"*) ;;
	*) printf '%s\n' "$out" | tail -60; fail "auth/$s did not pass" ;;
	esac
done
assert_contains "$out" "conformance: 22 of 22 authorization scenarios passed" "count"
n=$(printf '%s\n' "$out" | grep -c "^conformance: not passed: ")
assert_eq 0 "$n" "scenarios not passed"
