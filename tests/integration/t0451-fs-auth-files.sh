#!/bin/bash
# .ctl/auth/NS/ against the conformance suite's auth/scope-step-up
# server and authorization server (tools/call needs a larger scope than
# tools/list): the mount shows needs-login while the server refuses us,
# `login` gives the authorization address, writing the address we are
# sent back to into `code` signs in (status ok, the tools appear), a
# call that needs the larger scope fails with EACCES and an `error`
# that says where to sign in, a second sign-in asks for the larger
# scope and the call then works.  No file of the mount shows the token,
# which is kept in a 0600 file of a 0700 directory.  The test runs as
# the suite's client: `suite client --command "THIS --inner"`.
. "$(dirname "$0")/lib.sh"
if [ "${1:-}" = --inner ]; then
	url=${2:?server URL}
	out=${T0451_OUT:?}
	need_fuse
	state=$TMP/state
	printf '{"mcpServers": {"conf": {"url": "%s", "timeout_ms": 10000, "auth": {"state_dir": "%s"}}}}\n' \
		"$url" "$state" > "$TMP/servers.json"
	mount_config "$TMP"
	a=$MNT/.ctl/auth/conf
	st() { cat "$a/status"; }
	[ "$(st)" = needs-login ] || wait_until test "\$(cat $a/status)" = needs-login ||
		fail "status is [$(st)], not needs-login"
	echo "listed: $(ls "$MNT/.ctl/auth")" >> "$out"
	echo "before: $(st)" >> "$out"
	[ -e "$MNT/tools/conf" ] && fail "tools listed without signing in"
	signin() {
		where=$(cat "$a/login") || fail "reading login failed"
		case "$where" in http://*/authorize\?*) ;; *) fail "login: [$where]" ;; esac
		back=$(curl -s -o /dev/null -w '%{redirect_url}' "$where")
		case "$back" in *code=*) ;; *) fail "no code in [$back]" ;; esac
		echo "$back" > "$a/code" || fail "writing code failed: $(cat "$a/error")"
		echo "error after code: [$(cat "$a/error")]" >> "$out"
	}
	signin
	echo "after login: $(st)" >> "$out"
	wait_until test -d "$MNT/tools/conf/test-tool" || fail "the tools did not appear after signing in"
	echo '{}' > "$MNT/tools/conf/test-tool/call" 2>/dev/null
	echo "first call: $(read_errno "$MNT/tools/conf/test-tool/result")" >> "$out"
	echo "first error: $(cat "$MNT/tools/conf/test-tool/error")" >> "$out"
	echo "after 403: $(st)" >> "$out"
	signin
	echo "after step-up: $(st)" >> "$out"
	echo '{}' > "$MNT/tools/conf/test-tool/call"
	echo "second call: $(cat "$MNT/tools/conf/test-tool/result")" >> "$out"
	# Reading code or token must fail: they are write-only.
	echo "read code: $(read_errno "$a/code")" >> "$out"
	echo "read token: $(read_errno "$a/token")" >> "$out"
	f=$state/auth/conf.json
	echo "state mode: $(stat -c %a "$f") dir: $(stat -c %a "$state/auth")" >> "$out"
	token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$f")
	case "$token" in test-token-*) ;; *) fail "no token kept: [$token]" ;; esac
	# Every file of the mount that reading cannot start anything:
	# not call/clone (they make jobs), not login (a new sign-in; it
	# was read above), not code/ or search/ (scripts, queries).
	leaks=0
	while IFS= read -r -d '' p; do
		if timeout 10 cat "$p" 2>/dev/null | grep -qF "$token"; then
			echo "token in $p" >> "$out"
			leaks=$((leaks + 1))
		fi
	done < <(find "$MNT" \( -path "$MNT/code" -o -path "$MNT/search" -o -path "$MNT/.runs" \) -prune -o \
		-type f ! -name call ! -name clone ! -name login ! -name get ! -name get.json -print0)
	echo "leaks: $leaks" >> "$out"
	echo "files checked: $(find "$MNT" \( -path "$MNT/code" -o -path "$MNT/search" -o -path "$MNT/.runs" \) -prune -o -type f -print | wc -l)" >> "$out"
	# A token from elsewhere is kept, and shown nowhere either.
	echo "test-token-from-elsewhere" > "$a/token" || fail "writing token failed"
	echo "after token: $(st)" >> "$out"
	grep -rqF test-token-from-elsewhere "$MNT/.ctl" && fail "the written token shows in .ctl"
	python3 -c 'import json,sys; print("kept:", json.load(open(sys.argv[1]))["access_token"])' "$f" >> "$out"
	unmount_fs
	echo "inner: done" >> "$out"
	exit 0
fi
need_fuse
"$top/tests/mcp/setup.sh" || skip "cannot install the pinned conformance suite (node/npm)"
command -v curl >/dev/null || skip "no curl to play the browser"
export T0451_OUT=$TMP/out
: > "$T0451_OUT"
cd "$TMP"
log=$(node --import "$top/tests/mcp/node20-fs-shim.mjs" \
	"$top/tests/mcp/node_modules/@modelcontextprotocol/conformance/dist/index.js" \
	client --command "BUILD=$BUILD $here/$(basename "$0") --inner" --scenario auth/scope-step-up --timeout 60000 2>&1)
rc=$?
res=$(cat "$T0451_OUT")
printf '%s\n' "$res"
[ $rc -eq 0 ] || { printf '%s\n' "$log" | tail -40; fail "the scenario failed"; }
assert_contains "$res" "listed: conf" "auth/ lists the server"
assert_contains "$res" "before: needs-login"
assert_contains "$res" "error after code: []"
assert_contains "$res" "after login: ok"
assert_contains "$res" "first call: EACCES" "a call without the scope"
assert_contains "$res" "first error: auth_required: MCP server conf: sign-in needed: open the address in .ctl/auth/conf/login (or run \`toolexec login conf\`)" "error says where"
assert_contains "$res" "(it asks for scope mcp:basic mcp:write)"
assert_contains "$res" "after 403: needs-login"
assert_contains "$res" "after step-up: ok"
assert_contains "$res" "second call: test" "the call after the step-up"
assert_contains "$res" "read code: EACCES"
assert_contains "$res" "read token: EACCES"
assert_contains "$res" "state mode: 600 dir: 700"
assert_contains "$res" "leaks: 0"
assert_contains "$res" "after token: ok"
assert_contains "$res" "kept: test-token-from-elsewhere"
assert_contains "$res" "inner: done"
# The suite saw the escalation: the second authorization asked for both.
assert_contains "$log" "Client correctly escalated scopes for step-up authentication"
