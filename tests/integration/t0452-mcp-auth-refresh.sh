#!/bin/bash
# Sign-in through the toolexec command against a server that is its own
# authorization server (tests/mcp/oauth_server.py): a call before
# signing in fails and says where to sign in; `toolexec login` prints
# the authorization address and takes the address we are sent back to;
# when the server revokes the token in the middle of a call (401), the
# client refreshes it (grant_type=refresh_token with the resource) and
# sends the call again, which then succeeds.  No command prints a token.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "no curl to play the browser"
"$PYTHON" "$top/tests/mcp/oauth_server.py" "$TMP/port" "$TMP/server.log" 2>"$TMP/server.err" &
srv=$!
at_exit "kill $srv"
wait_until test -s "$TMP/port" || fail "the test server did not start"
url="http://127.0.0.1:$(cat "$TMP/port")/mcp"
cat > "$TMP/servers.json" <<EOF2
{"mcpServers": {"srv": {"url": "$url", "timeout_ms": 10000,
  "auth": {"state_dir": "$TMP/state", "redirect_uri": "http://localhost:9/cb"}}}}
EOF2
tx() { "$TOOLEXEC" -c "$TMP" "$@"; }
at_exit "cat $TMP/server.err >&2"
out=$(tx call srv:echo '{"text":"before"}' 2>&1) && fail "a call before signing in worked: $out"
assert_contains "$out" "sign-in needed: open the address in .ctl/auth/srv/login (or run \`toolexec login srv\`)" "call before sign-in"
assert_eq needs-login "$(tx auth srv)" "status before"
where=$(tx login srv) || fail "login failed"
case "$where" in
"http://127.0.0.1:"*"/authorize?response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcb&code_challenge="*"&code_challenge_method=S256&state="*"&resource=http%3A%2F%2F127.0.0.1%3A"*"%2Fmcp") ;;
*) fail "login address: [$where]" ;;
esac
back=$(curl -s -o /dev/null -w '%{redirect_url}' "$where")
assert_contains "$back" "http://localhost:9/cb?code=the-code&state=" "redirect"
# Another sign-in's address (its state differs) is refused.
expect_fail tx login srv "http://localhost:9/cb?code=the-code&state=forged" 2>/dev/null
assert_eq "signed in to srv" "$(tx login srv "$back")" "login with the address"
assert_eq ok "$(tx auth srv)" "status after"
assert_eq "echo: after" "$(tx call srv:echo '{"text":"after"}')" "call after sign-in"
log=$(cat "$TMP/server.log")
assert_contains "$log" "grant authorization_code $url"
assert_contains "$log" "revoked access-1"
assert_contains "$log" "grant refresh_token $url"
assert_contains "$log" "mcp tools/call access-2"
f=$TMP/state/auth/srv.json
assert_eq 600 "$(stat -c %a "$f")" "state file mode"
assert_eq access-2 "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$f")" "kept token"
case "$where$back$out" in *access-*|*refresh-*) fail "a token was printed" ;; esac
