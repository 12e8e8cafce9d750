#!/bin/bash
# Every file of the tree of DESIGN 2.2 on the embedded default, and the
# README tour run as written.
. "$(dirname "$0")/lib.sh"
mount_default
cd "$MNT" || fail "cd $MNT"

# The top level.
assert_eq ".ctl .runs README chain code jobs prompts resources search tools" "$(ls -A | tr '\n' ' ' | sed 's/ $//')" "top level"
assert_contains "$(cat README)" "Call a tool" "README"
[ "$(stat -c %s README)" -eq "$(cat README | wc -c)" ] || fail "README size"

# tools/INDEX and the namespace INDEX files.
idx=$(cat tools/INDEX)
assert_contains "$idx" "builtin:echo	" "tools/INDEX"
assert_contains "$idx" "local:file_info	" "tools/INDEX"
[ "$(stat -c %s tools/INDEX)" -eq "$(printf '%s\n' "$idx" | wc -c)" ] || fail "INDEX size"
assert_contains "$(cat tools/builtin/INDEX)" "builtin:sleep	" "builtin INDEX"
case "$(cat tools/builtin/INDEX)" in *local:*) fail "builtin INDEX lists local tools" ;; esac
ls tools | grep -qx builtin || fail "no tools/builtin"
ls tools | grep -qx local || fail "no tools/local"

# A tool directory.
d=tools/builtin/echo
assert_eq "call clone doc error job result result.json schema status summary" \
	"$(ls $d | tr '\n' ' ' | sed 's/ $//')" "echo dir (no output_schema)"
assert_eq "Echo the arguments back" "$(cat $d/summary)" "summary"
assert_contains "$(cat $d/doc)" "# builtin:echo" "doc"
python3 -c "import json,sys; json.load(open('$d/schema'))" || fail "schema is not JSON"
[ -e $d/output_schema ] && fail "echo has no output_schema"
assert_contains "$(ls tools/local/file_info)" "output_schema" "file_info"
python3 -c "import json; json.load(open('tools/local/file_info/output_schema'))" || fail "output_schema is not JSON"
# Static files have their real size, dynamic ones are 0 bytes (direct_io).
[ "$(stat -c %s $d/doc)" -eq "$(cat $d/doc | wc -c)" ] || fail "doc size"
assert_eq 0 "$(stat -c %s $d/result)" "result size"
assert_eq "-rw-rw-rw-" "$(stat -c %A $d/call)" "call mode"
assert_eq "-r--r--r--" "$(stat -c %A $d/result)" "result mode"

# Outcome files before any call: ENODATA; status never blocks.
assert_eq ENODATA "$(read_errno $d/result)" "result before a call"
assert_eq ENODATA "$(read_errno $d/status)" "status before a call"

# The README tour, as written there.
echo '{"text":"hi"}' > tools/builtin/echo/call
assert_eq ok "$(cat tools/builtin/echo/status)" "tour status"
assert_contains "$(cat tools/builtin/echo/result)" '"text": "hi"' "tour result"
assert_eq "" "$(cat tools/builtin/echo/error)" "tour error"
env=$(cat tools/builtin/echo/result.json)
for k in '"job"' '"tool": "builtin:echo"' '"isError": false' '"content"' '"structuredContent"' '"timings"' '"arguments_digest"'; do
	assert_contains "$env" "$k" "result.json"
done
exec 3<>tools/builtin/echo/call
echo '{"text":"hi"}' >&3
out=$(cat <&3)
exec 3<&-
assert_contains "$out" '"text": "hi"' "tour transaction"
n=$(cat tools/builtin/sleep/clone)
echo '{"seconds":1}' > jobs/$n/call
st=$(cat jobs/$n/status)
case "$st" in running|queued|ok) ;; *) fail "job status $st" ;; esac
assert_contains "$(cat jobs/$n/result)" "slept" "tour job result"
echo > jobs/$n/cancel
rm -r jobs/$n || fail "rm -r jobs/$n"
[ -e jobs/$n ] && fail "jobs/$n still there"

# jobs/ID/ files.
n=$(cat tools/builtin/echo/clone)
assert_eq "args call cancel elicit error links result result.json status stream task tool" \
	"$(ls jobs/$n | tr '\n' ' ' | sed 's/ $//')" "job dir"
assert_eq "builtin:echo" "$(cat jobs/$n/tool)" "job tool"
assert_eq "" "$(cat jobs/$n/args)" "args while new"
assert_eq new "$(cat jobs/$n/status)" "state new"
echo '{"k":42}' > jobs/$n/call
assert_eq '{"k":42}' "$(cat jobs/$n/args)" "job args"
assert_eq ok "$(cat jobs/$n/status)" "job status"
assert_contains "$(cat jobs/$n/result)" '"k": 42' "job result"
assert_contains "$(cat jobs/$n/result.json)" '"status": "ok"' "job result.json"
assert_eq "" "$(cat jobs/$n/error)" "job error"
cat jobs/$n/stream >/dev/null || fail "job stream"
ls jobs | grep -qx "$n" || fail "jobs/ does not list $n"

# chain/
assert_eq "call clone doc error job result result.json schema status summary" \
	"$(ls chain | tr '\n' ' ' | sed 's/ $//')" "chain dir"
assert_contains "$(cat chain/doc)" "use_previous" "chain doc"
echo '{"steps":[{"tool":"builtin:echo","args":{"a":1}},{"tool":"builtin:echo","args":{},"use_previous":true}]}' > chain/call
assert_contains "$(cat chain/result)" '"previous"' "chain result"
assert_eq ok "$(cat chain/status)" "chain status"
assert_contains "$(cat chain/result.json)" '"steps"' "chain result.json"

# search/
ls 'search/echo the arguments' | grep -q '^01-builtin:echo$' || fail "search hit"
assert_eq "../../tools/builtin/echo" "$(readlink 'search/echo the arguments/01-builtin:echo')" "hit target"
[ -f 'search/echo the arguments/01-builtin:echo/summary' ] || fail "hit link does not resolve"
assert_contains "$(cat 'search/echo the arguments/results')" "builtin:echo" "results"
python3 -c "import json; r=json.load(open('search/echo the arguments/results.json')); assert r['hits'][0]['id']=='builtin:echo', r" || fail "results.json"
assert_eq 2 "$(ls 'search/time +2' | grep -c -- '-')" "+N hits"
q='search/text file date time list random json'
# By default at most 10, and none below a fifth of the best score
# (docs/search.md): exactly the first 10 of "+10" that reach it.
want=$(awk -F'\t' 'NR == 1 { best = $2 } $2 >= best * 0.2 { n++ } END { print n }' "$q +10/results")
assert_eq "$want" "$(ls "$q" | grep -c -- '-')" "default hit count"
[ "$want" -lt 10 ] || fail "the cut-off dropped nothing: $(cat "$q +10/results")"
many=$(ls "$q +50" | grep -c -- '-')
[ "$many" -gt 10 ] || fail "+50 gave $many hits"
exec 3<>search/query
printf 'echo the arguments back' >&3
assert_contains "$(cat <&3)" "builtin:echo" "search/query"
exec 3<&-

# .ctl/
assert_eq "auth config log pending reload stats status version" "$(ls .ctl | tr '
' ' ' | sed 's/ $//')" ".ctl"
assert_contains "$(cat .ctl/version)" "toolexecfs" "version"
assert_contains "$(cat .ctl/status)" "tools" ".ctl/status"
assert_contains "$(cat .ctl/stats)" "builtin:echo" ".ctl/stats"
assert_contains "$(cat .ctl/config)" "job_keep" ".ctl/config"
assert_contains "$(cat .ctl/log)" "builtin:echo ok" ".ctl/log"
echo > .ctl/reload || fail ".ctl/reload"

cd /
unmount_fs
echo "ok"
