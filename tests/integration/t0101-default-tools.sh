#!/bin/bash
# The embedded default (no -c): the shipped local tools are there and
# each one answers as its documentation says.
. "$(dirname "$0")/lib.sh"
list=$("$TOOLEXEC" list) || fail "list failed"
for id in local:date local:uname local:disk_usage local:word_count \
	local:sha256 local:sort_lines local:base64 local:list_directory \
	local:file_info local:file_head; do
	assert_contains "$list" "$id"$'\t' "default list"
	"$TOOLEXEC" doc "$id" >/dev/null || fail "doc $id"
done
printf 'alpha\nbeta\ngamma\n' > "$TMP/lines.txt"
call() { "$TOOLEXEC" call "$@" || fail "call $*"; }

assert_eq "$(date +%Y)" "$(call local:date '{"format": "+%Y"}')" "date"
assert_eq "$(uname -a)" "$(call local:uname '{}')" "uname"
assert_contains "$(call local:disk_usage "{\"path\": \"$TMP\"}")" "Avail" "df"
assert_eq "2 4 16" "$(call local:word_count '{"text": "one two\nthree ü\n"}' | tr -s ' ' | sed 's/^ //')" "wc"
assert_eq "$(printf 'abc' | sha256sum)" "$(call local:sha256 '{"text": "abc"}')" "sha256"
assert_eq "$(printf 'B\na\nb')" "$(call local:sort_lines '{"text": "b\nB\na\n"}')" "sort"
assert_eq "aGVsbG8gd29ybGQ=" "$(call local:base64 '{"text": "hello world"}')" "base64"
assert_contains "$(call local:list_directory "{\"path\": \"$TMP\"}")" "lines.txt" "ls"
info=$("$TOOLEXEC" call local:file_info "{\"path\": \"$TMP/lines.txt\"}" --json) || fail "file_info"
assert_contains "$info" '"structuredContent"' "file_info structured"
assert_contains "$info" '"size": 17' "file_info size"
assert_eq "alpha" "$(call local:file_head "{\"path\": \"$TMP/lines.txt\", \"lines\": 1}")" "head"
assert_eq "$(cat "$TMP/lines.txt")" "$(call local:file_head "{\"path\": \"$TMP/lines.txt\"}")" "head default"
# Option-looking values are operands ("--" comes first).
expect_fail "$TOOLEXEC" call local:list_directory '{"path": "--help"}' >/dev/null 2>&1
echo ok
