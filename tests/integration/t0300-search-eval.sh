#!/bin/bash
# Search: `toolexec search` over the default and a custom configuration,
# its options and errors, then the ranking evaluation against SQLite FTS5
# on the labelled queries of tests/search/ (docs/search.md).
. "$(dirname "$0")/lib.sh"
EVAL=$BUILD/tests/tools/search_eval
[ -x "$EVAL" ] || fail "$EVAL not built (make BUILD=... $EVAL)"

# The default tools: best first, RANK TAB SCORE TAB ID TAB HINT TAB SUMMARY.
out=$("$TOOLEXEC" search first lines of a file) || fail "search failed"
first=$(printf '%s\n' "$out" | head -n 1)
assert_eq "local:file_head" "$(printf '%s' "$first" | cut -f 3)" "best hit"
assert_eq "1" "$(printf '%s' "$first" | cut -f 1)" "rank"
assert_eq "-" "$(printf '%s' "$first" | cut -f 4)" "hint (none declared)"
assert_eq "First lines of a file" "$(printf '%s' "$first" | cut -f 5)" "summary"
printf '%s\n' "$out" | awk -F'\t' 'NF != 5 { exit 1 }
	NR > 1 && $2 > prev + 1e-9 { exit 1 } { prev = $2 }' ||
	fail "lines are not 5 fields in falling score order: $out"

# -n, and synonyms ("folder" finds directory tools).
assert_eq "1" "$("$TOOLEXEC" search -n 1 folder | wc -l)" "-n 1"
assert_contains "$("$TOOLEXEC" search -n 3 folder)" "local:list_directory" "synonym"

# --json is valid JSON with the same hits.
"$TOOLEXEC" search --json -n 3 sha256 digest > "$TMP/hits.json" || fail "--json"
python3 - "$TMP/hits.json" <<'EOF' || fail "bad --json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["query"] == "sha256 digest", d
assert 1 <= len(d["hits"]) <= 3, d
h = d["hits"][0]
assert h["rank"] == 1 and h["id"] == "local:sha256" and h["score"] > 0, h
assert h["summary"] and "\n" not in h["summary"], h
EOF

# Nothing found is not an error; usage and limits are.
assert_eq "" "$("$TOOLEXEC" search the of and)" "stop words only"
assert_eq "" "$("$TOOLEXEC" search xyzzyplugh)" "unknown word"
"$TOOLEXEC" search >/dev/null 2>&1
assert_eq 2 $? "no query"
"$TOOLEXEC" search -n 0 x >/dev/null 2>&1
assert_eq 2 $? "-n 0"
big=$(head -c 20000 /dev/zero | tr '\0' 'a')
"$TOOLEXEC" search "$big" >/dev/null 2>"$TMP/err"
assert_eq 1 $? "huge query"
assert_contains "$(cat "$TMP/err")" "too long" "huge query message"
# Binary and non-ASCII input never crash it.
"$TOOLEXEC" search "$(printf 'caf\303\251 \377\376 \xc0\xaf read')" >/dev/null ||
	fail "binary query"

# A tool from a configuration directory, found by a parameter description.
mkdir -p "$TMP/conf"
cat > "$TMP/conf/zoo.json" <<'EOF'
{"tools": [{"namespace": "zoo", "name": "feedAnimals", "title": "Feed",
  "description": "Feeds the animals of the zoo.", "tags": ["zoo"],
  "input_schema": {"type": "object", "properties": {"species": {
    "type": "string", "description": "Which kind: zebra or giraffe."}}},
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "max_output_bytes": 4096}]}
EOF
out=$("$TOOLEXEC" -c "$TMP/conf" search giraffe) || fail "search -c"
assert_eq "zoo:feedAnimals" "$(printf '%s\n' "$out" | head -n 1 | cut -f 3)" "param description"
out=$("$TOOLEXEC" -c "$TMP/conf" search feed animal) || fail "search -c"
assert_contains "$out" "zoo:feedAnimals" "camelCase name"

# Ranking quality: ours must beat FTS5 on nDCG@10, Recall@5 and MRR.
"$EVAL" "$top/tests/search" || fail "search evaluation"
echo ok
