#!/bin/bash
# Search that does no harm (docs/search.md): with the pinned
# server-memory, "store a note" ranks a non-destructive tool first, not
# delete_observations (which scores a hair higher); results, results.json
# and `toolexec search` show each hit's hint and agree byte for byte; a
# query that asks to delete ranks delete tools first; the tool's doc
# names its effect; hits far below the best are dropped unless +N asks
# for N.
. "$(dirname "$0")/lib.sh"
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "no FUSE on this machine"
need_mcp_servers
mkdir -p "$TMP/cfg" "$TMP/mnt"
cat > "$TMP/cfg/servers.json" <<JSON
{"mcpServers": {
  "memory": {"command": "node", "args": ["$M/server-memory/dist/index.js"],
             "env": {"MEMORY_FILE_PATH": "$TMP/memory.jsonl"}}
}}
JSON
"$TOOLEXECFS" -f -c "$TMP/cfg" "$TMP/mnt" >"$TMP/daemon.log" 2>&1 &
daemon=$!
at_exit "fusermount3 -u '$TMP/mnt'; kill $daemon; wait $daemon"
up() {
	kill -0 $daemon 2>/dev/null || fail "daemon died: $(cat "$TMP/daemon.log")"
	[ -e "$TMP/mnt/tools/memory/add_observations/call" ]
}
wait_until -t 60 up
cd "$TMP/mnt"

q='search/store a note'
first=$(head -n 1 "$q/results")
assert_eq "memory:add_observations" "$(printf '%s' "$first" | cut -f 3)" "best hit"
assert_eq "additive" "$(printf '%s' "$first" | cut -f 4)" "best hit's hint"
assert_eq "01-memory:add_observations" "$(ls "$q" | grep -- - | head -n 1)" "first link"
# delete_observations scores higher, and still ranks below: a near tie.
python3 - "$q/results.json" <<'PY' || fail "store a note: $(cat "$q/results")"
import json, sys
hits = json.load(open(sys.argv[1]))["hits"]
by = {h["id"]: h for h in hits}
a, d = by["memory:add_observations"], by["memory:delete_observations"]
assert a["rank"] == 1 and d["rank"] == 2, hits
assert d["score"] > a["score"] >= 0.95 * d["score"], (a, d)
assert a["hint"] == "additive" and d["hint"] == "destructive", (a, d)
assert by.get("memory:search_nodes", {"hint": "read-only"})["hint"] == "read-only"
best = max(h["score"] for h in hits)
assert all(h["score"] >= 0.2 * best for h in hits), hits
PY
# The command prints the same bytes.
"$TOOLEXEC" -c "$TMP/cfg" search store a note > "$TMP/cli.txt" || fail "toolexec search"
cmp "$TMP/cli.txt" "$q/results" || fail "results differ: $(diff "$TMP/cli.txt" "$q/results")"
"$TOOLEXEC" -c "$TMP/cfg" search --json store a note > "$TMP/cli.json" || fail "toolexec search --json"
cmp "$TMP/cli.json" "$q/results.json" || fail "results.json differs"

# Asking to delete: the destructive tools rank by score alone.
assert_eq "memory:delete_observations" "$(head -n 1 'search/delete a note/results' | cut -f 3)" "delete a note"

# The cut-off: by default no hit below a fifth of the best; +N (-n N)
# gives N, or as many as match.
d='search/delete a note'
all=$(wc -l < "$d +12/results")
some=$(wc -l < "$d/results")
[ "$some" -lt "$all" ] && [ "$all" -lt 12 ] || fail "cut-off: $some of $all: $(cat "$d +12/results")"
want=$(awk -F'\t' 'NR == 1 { best = $2 } $2 >= best * 0.2 { n++ } END { print n }' "$d +12/results")
assert_eq "$want" "$some" "hits at or above a fifth of the best"
"$TOOLEXEC" -c "$TMP/cfg" search -n 12 delete a note > "$TMP/cli12.txt" || fail "-n 12"
cmp "$TMP/cli12.txt" "$d +12/results" || fail "-n 12 differs from +12"
"$TOOLEXEC" -c "$TMP/cfg" search delete a note > "$TMP/cli-d.txt" || fail "delete a note"
cmp "$TMP/cli-d.txt" "$d/results" || fail "the default differs"

# The doc says what calling the tool does, and who said so.
assert_contains "$(cat tools/memory/delete_observations/doc)" "Effect: destructive (declared by the tool)." "doc"
assert_contains "$(cat tools/memory/read_graph/doc)" "Effect: read-only (declared by the tool)." "doc"
echo ok
