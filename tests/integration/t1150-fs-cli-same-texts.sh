#!/bin/bash
# The texts both faces show are rendered once, by the engine: for the
# same query on the same configuration, search/QUERY/results.json is byte
# for byte what `toolexec search --json` prints, search/QUERY/results what
# `toolexec search` prints (" +N" in the mount is -n N), and tools/INDEX
# what `toolexec list` prints.
. "$(dirname "$0")/lib.sh"
cfg=$TMP/cfg
mkdir -p "$cfg"
# Summaries with characters JSON must escape, and a name that is not a
# file name as it is.
cat > "$cfg/zoo.json" <<'JSON'
{"tools": [
 {"namespace": "zoo", "name": "feedAnimals", "title": "Feed the \"big\" animals",
  "description": "Feeds the animals of the zoo.", "tags": ["zoo"],
  "input_schema": {"type": "object", "properties": {"species": {
    "type": "string", "description": "Which kind: zebra or giraffe."}}},
  "command": ["true"], "stdin": "none", "timeout_ms": 5000},
 {"namespace": "zoo", "name": "count/animals",
  "description": "Counts animals in a C:\\zoo\\pen, by kind: caf\u00e9 \u00e0 la carte.",
  "input_schema": {"type": "object"},
  "command": ["true"], "stdin": "none", "timeout_ms": 5000},
 {"namespace": "zoo", "name": "clean_pen",
  "description": "Cleans a pen after the animals were fed.",
  "input_schema": {"type": "object"},
  "command": ["true"], "stdin": "none", "timeout_ms": 5000}
]}
JSON
mount_config "$cfg"
cd "$MNT" || fail "cd $MNT"

q="feed the animals"
"$TOOLEXEC" -c "$cfg" search --json $q > "$TMP/cli.json" || fail "search --json"
cmp "$TMP/cli.json" "search/$q/results.json" ||
	fail "results.json differs: $(diff "$TMP/cli.json" "search/$q/results.json")"
"$TOOLEXEC" -c "$cfg" search $q > "$TMP/cli.txt" || fail "search"
cmp "$TMP/cli.txt" "search/$q/results" ||
	fail "results differs: $(diff "$TMP/cli.txt" "search/$q/results")"
# The document is the one docs/search.md describes, with every hit.
python3 - "$TMP/cli.json" <<'PY' || fail "results.json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["query", "hits"] and d["query"] == "feed the animals", d
ids = [h["id"] for h in d["hits"]]
assert set(ids) == {"zoo:feedAnimals", "zoo:count/animals", "zoo:clean_pen"}, ids
for r, h in enumerate(d["hits"], 1):
    assert list(h) == ["rank", "score", "id", "hint", "summary", "path"], h
    assert h["rank"] == r and h["score"] > 0, h
assert d["hits"][0]["id"] == "zoo:feedAnimals", d
assert d["hits"][0]["summary"] == 'Feed the "big" animals', d
pen = [h for h in d["hits"] if h["id"] == "zoo:count/animals"][0]
assert pen["path"] == "tools/zoo/count%2Fanimals", pen
assert "C:\\zoo\\pen" in pen["summary"], pen
PY
# Every hit's path is where the tool is in the mount.
for p in $(python3 -c "import json,sys; [print(h['path']) for h in json.load(open(sys.argv[1]))['hits']]" "$TMP/cli.json"); do
	[ -f "$p/summary" ] || fail "no tool at $p"
done

# Fewer hits: " +N" in the mount, -n N in the command.
"$TOOLEXEC" -c "$cfg" search -n 2 --json $q > "$TMP/cli2.json" || fail "-n 2"
cmp "$TMP/cli2.json" "search/$q +2/results.json" || fail "+2 results.json differs"
assert_eq 2 "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['hits']))" "$TMP/cli2.json")" "-n 2 hits"
# Nothing found: the same empty document.
"$TOOLEXEC" -c "$cfg" search --json xyzzyplugh > "$TMP/none.json" || fail "no hits"
cmp "$TMP/none.json" "search/xyzzyplugh/results.json" || fail "empty results.json differs"
assert_eq 0 "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['hits']))" "$TMP/none.json")" "no hits"
"$TOOLEXEC" -c "$cfg" search xyzzyplugh > "$TMP/none.txt" || fail "no hits text"
cmp "$TMP/none.txt" "search/xyzzyplugh/results" || fail "empty results differ"

# tools/INDEX is `toolexec list`, and a namespace's INDEX its lines.
"$TOOLEXEC" -c "$cfg" list > "$TMP/list" || fail "list"
cmp "$TMP/list" tools/INDEX || fail "tools/INDEX differs: $(diff "$TMP/list" tools/INDEX)"
grep '^zoo:' "$TMP/list" > "$TMP/list.zoo"
cmp "$TMP/list.zoo" tools/zoo/INDEX || fail "tools/zoo/INDEX differs"

cd /
unmount_fs
echo ok
