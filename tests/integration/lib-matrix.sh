# Sourced by the language matrix of jobs and search (t1310-t1316) after
# lib.sh.  Mounts an empty configuration (the built-in tools only) on
# $MNT and leaves in $WANT what the search files must hold for the
# query $Q, as `toolexec search` prints it for the same configuration:
# $WANT/results and $WANT/results.json (the query has a non-ASCII
# character, so that results.json tells text from bytes).  Each language
# then checks, byte for byte:
#   jobs    clone tools/builtin/echo/clone, write {"text": T} into
#           jobs/ID/call, read jobs/ID/result: '{\n  "text": "T"\n}\n';
#           three sleep jobs ({"seconds": S}) waited for at once
#           (poll/select where the language has it): "slept S s\n" each
#   search  search/Q/results and results.json, and search/query as a
#           transaction (write Q, read the results text back)
mkdir -p "$TMP/cfg" "$TMP/want"
mount_config "$TMP/cfg"
WANT=$TMP/want
Q="echo text back ✓"
"$TOOLEXEC" -c "$TMP/cfg" search "$Q" > "$WANT/results" || fail "toolexec search"
"$TOOLEXEC" -c "$TMP/cfg" search --json "$Q" > "$WANT/results.json" || fail "toolexec search --json"
assert_eq "1	builtin:echo" "$(head -n 1 "$WANT/results" | cut -f 1,3)" "the best hit"
