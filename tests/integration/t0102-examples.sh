#!/bin/bash
# The configuration files in examples/: each one loads, and the local
# tools in them answer as examples/README.md says.  MCP servers are only
# checked (a copy with every server disabled), never started: that would
# need npx and the network.
. "$(dirname "$0")/lib.sh"
ex=$top/examples

# Every example is covered below; a new one must be added here.
for f in "$ex"/*.json; do
	case "${f##*/}" in
	git-tools.json | mcp-servers.json) ;;
	*) fail "examples/${f##*/} is not exercised by this test" ;;
	esac
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" ||
		fail "${f##*/} is not JSON"
done

# ---- mcp-servers.json ----
mkdir -p "$TMP/mcp"
python3 - "$ex/mcp-servers.json" "$TMP/mcp/mcp-servers.json" <<'PY' ||
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(doc["mcpServers"]) == {"files", "memory"}, doc
for name, server in doc["mcpServers"].items():
    assert server["command"] == "npx", name
    # Pinned: "@scope/name@VERSION", never a floating latest.
    pkg = [a for a in server["args"] if a.startswith("@modelcontextprotocol/")]
    assert len(pkg) == 1 and pkg[0].count("@") == 2, (name, pkg)
    server["disabled"] = True
json.dump(doc, open(sys.argv[2], "w"))
PY
	fail "mcp-servers.json does not have the documented shape"
status=$("$TOOLEXEC" -c "$TMP/mcp" status) || fail "status with mcp-servers.json"
assert_contains "$status" "file mcp-servers.json ok" "mcp-servers.json parses"
case "$status" in *"server "*) fail "a disabled server was started: $status" ;; esac
# The parser does look inside disabled servers: a typo is still reported.
sed 's/"startup_timeout_ms"/"startup_timeout"/' "$TMP/mcp/mcp-servers.json" > "$TMP/mcp/typo.json"
assert_contains "$("$TOOLEXEC" -c "$TMP/mcp" status)" \
	'typo.json: $.mcpServers.files.startup_timeout: unknown key' "typo in a disabled server"

# ---- git-tools.json ----
command -v git >/dev/null || skip "git is not installed"
mkdir -p "$TMP/cfg"
cp "$ex/git-tools.json" "$ex/git-readonly.sh" "$TMP/cfg/"
tx() { "$TOOLEXEC" -c "$TMP/cfg" "$@"; }
assert_contains "$(tx status)" "file git-tools.json ok" "git-tools.json parses"
list=$(tx list) || fail "list"
for id in git:status git:log git:diff git:show git:branches; do
	assert_contains "$list" "$id"$'\t' "list"
done
assert_contains "$(tx doc git:log)" '`max_count`' "doc parameter table"

# A small repository: two commits, a change and an untracked file.
repo=$TMP/repo
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org
export GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.org
git init -q -b main "$repo" || fail "git init"
printf 'one\n' > "$repo/a.txt"
git -C "$repo" add a.txt && git -C "$repo" commit -q -m "first commit" ||
	fail "commit 1"
printf 'one\ntwo\n' > "$repo/a.txt"
mkdir "$repo/docs" && printf 'notes\n' > "$repo/docs/n.txt"
git -C "$repo" add . && git -C "$repo" commit -q -m "second commit" ||
	fail "commit 2"
printf 'one\nchanged line\n' > "$repo/a.txt"
printf 'new\n' > "$repo/new.txt"
index_sum=$(sha256sum < "$repo/.git/index")
call() { tx call "$@" || fail "call $*"; }

out=$(call git:status "{\"repo\": \"$repo\"}")
assert_contains "$out" "## main" "status branch"
assert_contains "$out" " M a.txt" "status change"
assert_contains "$out" "?? new.txt" "status untracked"
# Read-only: status did not rewrite the index.
assert_eq "$index_sum" "$(sha256sum < "$repo/.git/index")" "index untouched"

out=$(call git:log "{\"repo\": \"$repo\"}")
assert_eq 2 "$(printf '%s\n' "$out" | wc -l)" "log lines"
assert_contains "$out" "Ada: second commit" "log format"
out=$(call git:log "{\"repo\": \"$repo\", \"max_count\": 1}")
assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "log max_count"
out=$(call git:log "{\"repo\": \"$repo\", \"path\": \"docs\"}")
assert_contains "$out" "second commit" "log path"
case "$out" in *"first commit"*) fail "log path: $out" ;; esac
out=$(call git:log "{\"repo\": \"$repo\", \"revision\": \"HEAD~1\"}")
assert_contains "$out" "first commit" "log revision"

out=$(call git:diff "{\"repo\": \"$repo\"}")
assert_contains "$out" "+changed line" "diff"
assert_contains "$out" "-two" "diff"
out=$(call git:diff "{\"repo\": \"$repo\", \"revision\": \"HEAD~1\", \"path\": \"docs\"}")
assert_contains "$out" "+notes" "diff revision path"

out=$(call git:show "{\"repo\": \"$repo\"}")
assert_contains "$out" "second commit" "show default HEAD"
assert_contains "$out" "docs/n.txt" "show stat"
assert_contains "$(call git:show "{\"repo\": \"$repo\", \"revision\": \"HEAD~1\"}")" \
	"first commit" "show revision"
assert_contains "$(call git:branches "{\"repo\": \"$repo\"}")" "* main" "branches"

# An option-like revision is a revision name, not an option, and the
# output file it asks for is never written.
expect_fail tx call git:log "{\"repo\": \"$repo\", \"revision\": \"--output=$TMP/pwned\"}" >/dev/null 2>&1
expect_fail tx call git:diff "{\"repo\": \"$repo\", \"revision\": \"--output=$TMP/pwned\"}" >/dev/null 2>&1
[ ! -e "$TMP/pwned" ] || fail "an argument became a git option"
# Not a repository: a tool error carrying git's message.
mkdir "$TMP/plain"
tx call git:status "{\"repo\": \"$TMP/plain\"}" >"$TMP/out" 2>"$TMP/err" &&
	fail "status outside a repository succeeded"
assert_contains "$(cat "$TMP/err" "$TMP/out")" "not a git repository" "error text"
# The schema refuses what the tools do not take.
expect_fail tx call git:status '{}' >/dev/null 2>&1
expect_fail tx call git:log "{\"repo\": \"$repo\", \"max_count\": 0}" >/dev/null 2>&1
echo ok
