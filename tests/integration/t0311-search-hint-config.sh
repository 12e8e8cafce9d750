#!/bin/bash
# An exec tool declares what calling it does ("read_only", "destructive"
# in its configuration; docs/config.md); without a declaration its name
# decides (docs/search.md).  `toolexec search` shows the hint and the
# doc names it; both keys true is a configuration error.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/conf"
cat > "$TMP/conf/tools.json" <<'EOF2'
{"tools": [
 {"namespace": "n", "name": "keep", "description": "Stores a note.",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}, "destructive": false},
 {"namespace": "n", "name": "zap", "description": "Stores a note.",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}, "destructive": true},
 {"namespace": "n", "name": "look", "description": "Shows a note.",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}, "read_only": true},
 {"namespace": "n", "name": "wipe_all", "description": "Stores a note.",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}},
 {"namespace": "n", "name": "plain", "description": "Stores a note.",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}}
]}
EOF2
out=$("$TOOLEXEC" -c "$TMP/conf" search -n 10 note) || fail "search"
# Same text, same score: the destructive ones come last.
assert_eq "n:keep	additive
n:look	read-only
n:plain	-
n:wipe_all	destructive
n:zap	destructive" "$(printf '%s\n' "$out" | cut -f 3,4 | sort)" "hints"
assert_eq "n:wipe_all n:zap" "$(printf '%s\n' "$out" | tail -n 2 | cut -f 3 | tr '\n' ' ' | sed 's/ $//')" "destructive last"
doc=$("$TOOLEXEC" -c "$TMP/conf" doc n:zap) || fail "doc"
assert_contains "$doc" "Effect: destructive (declared by the tool)." "declared"
doc=$("$TOOLEXEC" -c "$TMP/conf" doc n:wipe_all) || fail "doc"
assert_contains "$doc" "Effect: destructive (guessed from its name)." "guessed"
doc=$("$TOOLEXEC" -c "$TMP/conf" doc n:plain) || fail "doc"
case $doc in *Effect:*) fail "plain has an effect: $doc" ;; esac

mkdir -p "$TMP/bad"
cat > "$TMP/bad/tools.json" <<'EOF2'
{"tools": [{"namespace": "n", "name": "both", "description": "d",
  "command": ["true"], "stdin": "none", "timeout_ms": 5000,
  "input_schema": {"type": "object"}, "read_only": true, "destructive": true}]}
EOF2
# The file is refused (its tools are not loaded), with the reason.
"$TOOLEXEC" -c "$TMP/bad" list > "$TMP/list" 2> "$TMP/err"
grep -q '^n:both' "$TMP/list" && fail "both keys accepted: $(cat "$TMP/list")"
assert_contains "$(cat "$TMP/err")" '$.tools[0].destructive: a tool cannot be both read_only and destructive' "error"
echo ok
