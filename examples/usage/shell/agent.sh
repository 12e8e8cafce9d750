#!/bin/sh
# An agent's walk through a mounted workspace: read the README, search for
# a tool, read its doc, call tools, then hand a script to the sandbox that
# calls tools from inside and leaves a report in /work, read back from
# code/standard/NAME.work/.
# Usage: agent.sh [MOUNT]
M=${1:-mnt}
cd "$M" || exit 1
TEXT="the quick brown fox jumps over the lazy dog"
head -n 1 README                                  # what is this place?
best=$(ls "search/count words" | head -n 1)       # 01-local:word_count
tool=${best#*-}
echo "best hit: $tool"
head -n 1 "search/count words/$best/doc"          # what it does
exec 3<>"search/count words/$best/call"           # call it: a transaction
printf '{"text": "%s"}' "$TEXT" >&3
set -- $(cat <&3)                                 # lines words characters
exec 3>&-
echo "counted: $1 lines, $2 words, $3 characters"
words=$(echo "$TEXT" | sed 's/ /\\n/g')           # one per line, in JSON
printf '{"text": "%s"}' "$words" > tools/local/sort_lines/call   # shell style
echo "sorted: $(paste -s -d ' ' tools/local/sort_lines/result)"
# The rest runs in the sandbox: /search, /tools, a private /work.  The
# script is written in one go: closing the file starts the run.
{ echo "TEXT=\"$TEXT\""; cat <<'SCRIPT'; } > code/standard/report.sh
hit=$(ls "/search/sha256 digest of a text" | head -n 1)
dir=/tools/$(echo "${hit#*-}" | tr : /)
echo "{\"text\": \"$TEXT\"}" > "$dir/call"
digest=$(cut -d' ' -f1 "$dir/result")
echo "{\"text\": \"$TEXT\"}" > /tools/local/word_count/call
words=$(awk '{ print $2 }' /tools/local/word_count/result)
{ echo "# Report"; echo "text: $TEXT"; echo "tool: ${hit#*-}"
  echo "sha256: $digest"; echo "words: $words"; } > /work/report.md
echo "report written"
SCRIPT
result=$(cat code/standard/report.sh.result)       # waits for the run
cat code/standard/report.sh.out
code=$(echo "$result" | sed -n 's/^  "exit_code": \(.*\),$/\1/p')
echo "run: exit_code $code, $(echo "$result" | grep -c '"tool":') tool calls"
cat code/standard/report.sh.work/report.md
